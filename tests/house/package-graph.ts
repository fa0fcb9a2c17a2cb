// The import graph of the workspace packages, file by file (madge, resolving `@resnet-edge/<pkg>/<path>` the way
// the packages' `exports` do), folded into a graph of packages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import madge from 'madge';

export const PACKAGES = ['shared', 'registry', 'train', 'edge', 'infra', 'cli'] as const;
export type PackageName = (typeof PACKAGES)[number];

export function packageOf(file: string): PackageName | undefined {
  return PACKAGES.find((p) => file.startsWith(`${p}/src/`));
}

/** The file-level import graph of every package's src/. */
export async function fileGraph(root: string): Promise<Record<string, string[]>> {
  const paths = Object.fromEntries(PACKAGES.map((p) => [`@resnet-edge/${p}/*`, [`${p}/src/*`]]));
  const result = await madge(
    PACKAGES.map((p) => join(root, p, 'src')),
    {
      baseDir: root,
      fileExtensions: ['ts'],
      tsConfig: {
        compilerOptions: {
          baseUrl: root,
          module: 'ESNext',
          moduleResolution: 'node',
          allowImportingTsExtensions: true,
          paths,
        },
      },
      detectiveOptions: { ts: { skipTypeImports: false, skipAsyncImports: false } },
    },
  );
  return result.obj();
}

/** Inside one package: folder (or top-level file) of src/ → the ones it imports. */
export function folderGraph(files: Record<string, string[]>, pkg: PackageName): Map<string, Set<string>> {
  const unit = (f: string) => f.split('/').slice(2, 3)[0]!;
  const graph = new Map<string, Set<string>>();
  for (const [file, deps] of Object.entries(files)) {
    if (packageOf(file) !== pkg) continue;
    const from = unit(file);
    if (!graph.has(from)) graph.set(from, new Set());
    for (const dep of deps) if (packageOf(dep) === pkg && unit(dep) !== from) graph.get(from)!.add(unit(dep));
  }
  return graph;
}

/** Package → the packages its source files import, with one example import per edge for the failure message. */
export async function packageGraph(
  root: string,
  files?: Record<string, string[]>,
): Promise<Map<PackageName, Map<PackageName, string>>> {
  const graph = new Map<PackageName, Map<PackageName, string>>(PACKAGES.map((p) => [p, new Map()]));
  for (const [file, deps] of Object.entries(files ?? (await fileGraph(root)))) {
    const from = packageOf(file);
    if (!from) continue;
    for (const dep of deps) {
      const to = packageOf(dep);
      if (to && to !== from && !graph.get(from)!.has(to)) graph.get(from)!.set(to, `${file} → ${dep}`);
    }
  }
  return graph;
}

/** One cycle of the graph as a path that ends where it starts, or null when it has none. */
export function findCycle<T>(graph: Map<T, Iterable<T>>): T[] | null {
  const state = new Map<T, 'open' | 'done'>();
  const stack: T[] = [];
  const visit = (node: T): T[] | null => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}

export function declaredDependencies(root: string, pkg: PackageName): string[] {
  const json = JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(json.dependencies ?? {})
    .filter((d) => d.startsWith('@resnet-edge/'))
    .map((d) => d.slice('@resnet-edge/'.length));
}
