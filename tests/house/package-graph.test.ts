// Dependencies between the workspace packages point one way (cli → train/registry/edge → shared), each one is
// declared in the importing package's package.json, and the CLI's entry loads no heavy module before a command runs.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredDependencies, fileGraph, findCycle, folderGraph, packageGraph, PACKAGES } from './package-graph.ts';

const ROOT = join(import.meta.dirname, '../..');

describe('package graph', () => {
  it('finds a cycle when there is one, and none in a chain', () => {
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual(['a', 'b', 'c', 'a']);
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toBeNull();
  });

  it('has no cycle between packages, and shared imports no other package', async () => {
    const graph = await packageGraph(ROOT);
    const cycle = findCycle(new Map([...graph].map(([p, deps]) => [p, [...deps.keys()]])));
    expect(
      cycle,
      cycle
        ? `cycle ${cycle.join(' → ')}: ${cycle
            .slice(0, -1)
            .map((p, i) => graph.get(p)!.get(cycle[i + 1]!))
            .join('; ')}`
        : '',
    ).toBeNull();
    expect([...graph.get('shared')!.values()]).toEqual([]);
    // The worker bundles only shared code besides its own; the trainer never reaches into the CLI or the worker.
    expect([...graph.get('edge')!.keys()]).toEqual(['shared']);
    expect([...graph.get('train')!.keys()].sort()).toEqual(['registry', 'shared']);
  });

  it.each(PACKAGES)('%s declares every workspace package it imports', async (pkg) => {
    const graph = await packageGraph(ROOT);
    const used = [...graph.get(pkg)!.keys()];
    const declared = declaredDependencies(ROOT, pkg);
    for (const dep of used)
      expect(declared, `${pkg} imports ${dep} (${graph.get(pkg)!.get(dep)}) without declaring it`).toContain(dep);
  });
});

describe('folders inside a package', () => {
  // Layers of the trainer: run/ orchestrates training/, which uses models/, layers/, io/ — never the reverse.
  it.each(['shared', 'train', 'registry', 'edge', 'cli'] as const)(
    '%s: no cycle between the folders of src/',
    async (pkg) => {
      const cycle = findCycle(folderGraph(await fileGraph(ROOT), pkg));
      expect(cycle, cycle?.join(' → ')).toBeNull();
    },
  );
});

describe('the CLI entry', () => {
  it('creates no TF.js engine when imported and when it prints --help', () => {
    // A fresh process: the test runner itself may have loaded these already.
    const script = `
      const { main } = await import(${JSON.stringify(join(ROOT, 'cli/src/main.ts'))});
      let out = '';
      await main(['--help'], { stdout: (t) => { out += t; }, stderr: () => {}, isTTY: false });
      console.log(JSON.stringify({ engine: '_tfengine' in globalThis, help: out.includes('Commands:') }));
    `;
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ engine: false, help: true });
  });
});
