// What is published: models, their versions (from the manifests) and which version is current.
import { MODEL_FILE, MODELS_PREFIX, manifestKey } from '@resnet-edge/shared/registry/layout';
import { readPointer } from './pointer.ts';
import { parseManifestAt } from './read.ts';
import type { ObjectStore } from './store.ts';

export interface VersionSummary {
  version: string;
  current: boolean;
  arch: string;
  top1Float: number;
  top1Int8?: number;
  modelBytes: number;
  createdAt: string;
}

export interface ModelSummary {
  name: string;
  current: string | null;
  versions: VersionSummary[];
}

export async function listModels(store: ObjectStore, only?: string): Promise<ModelSummary[]> {
  const keys = await store.list(only ? `${MODELS_PREFIX}${only}/` : MODELS_PREFIX);
  const byModel = new Map<string, Set<string>>();
  for (const key of keys) {
    const m = /^models\/([^/]+)\/([^/]+)\/manifest\.json$/.exec(key);
    if (!m) continue;
    if (!byModel.has(m[1]!)) byModel.set(m[1]!, new Set());
    byModel.get(m[1]!)!.add(m[2]!);
  }
  const out: ModelSummary[] = [];
  for (const [name, versions] of [...byModel].sort(([a], [b]) => a.localeCompare(b))) {
    const current = (await readPointer(store, name))?.pointer.version ?? null;
    const summaries: VersionSummary[] = [];
    for (const version of versions) {
      const obj = await store.get(manifestKey(name, version));
      if (!obj) continue;
      const m = parseManifestAt(manifestKey(name, version), obj.bytes);
      summaries.push({
        version,
        current: version === current,
        arch: m.arch,
        top1Float: m.accuracy.float.top1,
        ...(m.accuracy.int8 ? { top1Int8: m.accuracy.int8.top1 } : {}),
        modelBytes: m.files[MODEL_FILE]?.size ?? 0,
        createdAt: m.createdAt,
      });
    }
    summaries.sort((a, b) => compareVersions(a.version, b.version));
    out.push({ name, current, versions: summaries });
  }
  return out;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  const pb = b.split(/[.-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? -1;
    const y = pb[i] ?? -1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x).localeCompare(String(y));
  }
  return 0;
}
