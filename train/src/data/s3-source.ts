// Loader (e): a folder-per-class layout under an S3 prefix, `s3://bucket/prefix/<class>/<image>`, read through the
// registry's store client (same endpoint/credential handling as publish). Bytes are fetched lazily, per sample.
import type { Dataset, S3DatasetOptions, Sample } from './dataset.ts';
import { DatasetError } from './errors.ts';
import { isImageFile } from './files.ts';
import { checkClasses, sortLabels } from './labels.ts';
import { emptySkipped } from './skipped.ts';
import { openStore } from '@resnet-edge/registry/store-url';

export async function loadS3Dataset(options: S3DatasetOptions): Promise<Dataset> {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(options.uri);
  if (!m) throw new DatasetError('not_found', `'${options.uri}' is not an s3://bucket/prefix URI`);
  // Open the bucket root so keys below are the full object keys; the prefix is what we list.
  const store = await openStore(`s3://${m[1]}`, {
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.pathStyle ? { pathStyle: true } : {}),
  });
  const prefix = m[2] ? m[2].replace(/\/?$/, '/') : '';
  const keys = (await store.list(prefix)).filter(isImageFile);
  const byClass = new Map<string, string[]>();
  for (const key of keys) {
    const cls = key.slice(prefix.length).split('/')[0]!;
    if (cls === key.slice(prefix.length)) continue; // an image directly under the prefix has no class folder
    if (!byClass.has(cls)) byClass.set(cls, []);
    byClass.get(cls)!.push(key);
  }
  if (byClass.size === 0) {
    throw new DatasetError('no_images', `no images under ${options.uri} (expected ${options.uri}/<class>/<image>.png)`);
  }
  const labels = options.labels ?? sortLabels(byClass.keys());
  const unknown = [...byClass.keys()].filter((c) => !labels.includes(c));
  if (unknown.length > 0) throw new DatasetError('unknown_label', `class folders ${unknown.join(', ')} under ${options.uri} are not in the label list`);
  const samples: Sample[] = [];
  for (const [label, cls] of labels.entries()) {
    for (const key of byClass.get(cls) ?? []) {
      samples.push({
        id: key.slice(prefix.length),
        label,
        source: {
          kind: 'encoded',
          async read() {
            const obj = await store.get(key);
            if (!obj) throw new Error(`s3://${m[1]}/${key} disappeared after listing`);
            return obj.bytes;
          },
        },
      });
    }
  }
  checkClasses(options.uri, labels, samples);
  return { name: prefix.replace(/\/$/, '').split('/').pop() || m[1]!, labels, samples, skipped: emptySkipped() };
}
