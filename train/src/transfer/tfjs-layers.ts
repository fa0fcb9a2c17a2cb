// TF.js layers format on disk or over HTTP: model.json (topology + weightsManifest) and its binary shards.
// Both our run folders (model/) and Keras applications converted with tensorflowjs_converter are this format;
// weight names are `<layer>/<weight>` (a converter may add a scope prefix or a `:0` suffix, which we drop).
import { TransferError } from './errors.ts';
import { hostTensor, sizeOf, type StateDict } from './tensors.ts';

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

export interface ModelJson {
  modelTopology?: { model_config?: { config?: { name?: string } }; config?: { name?: string } } & Record<
    string,
    unknown
  >;
  weightsManifest: { paths: string[]; weights: ManifestEntry[] }[];
}

export function parseModelJson(bytes: Uint8Array, what: string): ModelJson {
  let json: ModelJson;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes)) as ModelJson;
  } catch (err) {
    throw new TransferError('bad_weights_file', `${what} is not JSON (${(err as Error).message})`);
  }
  if (!json || !Array.isArray(json.weightsManifest))
    throw new TransferError('bad_weights_file', `${what} has no weightsManifest: not a TF.js layers model`);
  return json;
}

/** `read(path)` returns a shard's bytes (path relative to model.json). */
export async function readTfjsWeights(
  json: ModelJson,
  read: (path: string) => Promise<Uint8Array>,
  what: string,
): Promise<StateDict> {
  const out: StateDict = new Map();
  for (const group of json.weightsManifest) {
    const shards = await Promise.all(group.paths.map(read));
    const total = shards.reduce((n, s) => n + s.byteLength, 0);
    const data = new Uint8Array(total);
    let at = 0;
    for (const s of shards) {
      data.set(s, at);
      at += s.byteLength;
    }
    let offset = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32' || w.quantization) {
        throw new TransferError(
          'bad_weights_file',
          `${what}: weight '${w.name}' is ${w.quantization ? 'quantized' : w.dtype}; only float32 weights are imported`,
        );
      }
      const bytes = sizeOf(w.shape) * 4;
      if (offset + bytes > data.byteLength)
        throw new TransferError(
          'bad_weights_file',
          `${what} is truncated: '${w.name}' needs bytes ${offset}–${offset + bytes} of ${data.byteLength}`,
        );
      const name = w.name.replace(/:\d+$/, '').split('/').slice(-2).join('/');
      out.set(name, hostTensor(w.shape, new Float32Array(data.slice(offset, offset + bytes).buffer), w.name));
      offset += bytes;
    }
  }
  return out;
}
