// `--init PATH|URL`: where pretrained weights come from and what they are. A source resolves to a state dict
// in our names and layouts plus what the weights expect of the network (padding) and of the input
// (normalisation, and for our own runs the whole spec, labels and architecture).
//   *.safetensors / *.pth   torchvision ResNet state dicts (or our own published weights.safetensors)
//   model.json | folder     TF.js layers format: Keras applications converted, or a run's model/
//   run folder (run.json)   one of our runs; quantized/version folder (manifest.json + weights.safetensors)
//   http(s)://…             any of the files above, fetched with progress (model.json shards relative to it)
//   model:NAME[@VERSION]    a version published to the model store: published.ts (init.ts dispatches)
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Normalize, PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import type { PaddingStyle } from '../models/layers.ts';
import { TransferError } from './errors.ts';
import { fromKeras, isKerasApplication, KERAS_RESNET_NORMALIZE } from './keras.ts';
import { isZip, readPth } from './pth.ts';
import { readSafetensors } from './safetensors.ts';
import type { StateDict } from './tensors.ts';
import { parseModelJson, readTfjsWeights } from './tfjs-layers.ts';
import { fromTorchvision, torchvisionArch } from './torchvision.ts';

export type InitFormat =
  'torchvision-safetensors' | 'torchvision-pth' | 'keras-tfjs' | 'resnet-edge-run' | 'resnet-edge-weights';

/** torchvision's ImageNet transforms: ToTensor() then Normalize(mean, std). */
export const IMAGENET_NORMALIZE: Normalize = {
  kind: 'mean_std',
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

/** Written into our own weights.safetensors so a published version can seed a run on its own. */
export const WEIGHTS_FORMAT_TAG = 'resnet-edge-weights';

export interface InitWeights {
  source: string;
  format: InitFormat;
  weights: StateDict;
  /** Our name → the file's name (torchvision keys), for error messages. */
  origin?: Map<string, string>;
  padding: PaddingStyle;
  /** The architecture the weights are known to be (from the file, or inferred from a torchvision dict). */
  arch?: string;
  /** The input normalisation the weights were trained with. */
  normalize?: Normalize;
  /** Our own runs and versions: the full spec, labels and head they were trained with. */
  preprocess?: PreprocessSpec;
  labels?: string[];
  head?: 'softmax' | 'sigmoid';
  /** Published versions: the sha256 of the weights file, as the manifest lists it (verified). */
  sha256?: string;
}

export interface SourceIO {
  log(message: string): void;
  fetch?: typeof fetch;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

export async function loadInit(source: string, io: SourceIO): Promise<InitWeights> {
  if (isUrl(source)) return loadFromUrl(source, io);
  const info = await stat(source).catch(() => null);
  if (!info) throw new TransferError('init_not_found', `--init: no file or folder at '${source}'`);
  if (info.isDirectory()) return loadFolder(source);
  if (source.endsWith('.json'))
    return loadModelJson(await readFile(source), source, (p) => readLocal(join(dirname(source), p)));
  return fromWeightsFile(new Uint8Array(await readFile(source)), source);
}

async function readLocal(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    throw new TransferError('bad_weights_file', `'${path}' is missing (a weights shard or file the model lists)`);
  }
}

async function loadFolder(dir: string): Promise<InitWeights> {
  const has = (f: string) =>
    stat(join(dir, f)).then(
      () => true,
      () => false,
    );
  if (await has('run.json')) {
    const info = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as {
      arch: string;
      labels: string[];
      preprocess: PreprocessSpec;
      head: 'softmax' | 'sigmoid';
      padding?: PaddingStyle;
    };
    const model = join(dir, 'model');
    const w = await loadModelJson(await readLocal(join(model, 'model.json')), join(model, 'model.json'), (p) =>
      readLocal(join(model, p)),
    );
    return {
      ...w,
      source: dir,
      format: 'resnet-edge-run',
      arch: info.arch,
      labels: info.labels,
      preprocess: info.preprocess,
      head: info.head,
      padding: info.padding ?? 'same',
      normalize: info.preprocess.normalize,
    };
  }
  if (await has('weights.safetensors'))
    return fromWeightsFile(await readLocal(join(dir, 'weights.safetensors')), join(dir, 'weights.safetensors'));
  if (await has('model.json'))
    return loadModelJson(await readLocal(join(dir, 'model.json')), join(dir, 'model.json'), (p) =>
      readLocal(join(dir, p)),
    );
  throw new TransferError(
    'unknown_weights_format',
    `--init: '${dir}' is neither a run folder (run.json), a model folder (model.json) nor a version folder (weights.safetensors)`,
  );
}

async function loadModelJson(
  bytes: Uint8Array,
  what: string,
  read: (path: string) => Promise<Uint8Array>,
): Promise<InitWeights> {
  const dict = await readTfjsWeights(parseModelJson(bytes, what), read, what);
  if (isKerasApplication(dict))
    return {
      source: what,
      format: 'keras-tfjs',
      weights: fromKeras(dict),
      padding: 'torchvision',
      normalize: KERAS_RESNET_NORMALIZE,
    };
  return { source: what, format: 'resnet-edge-run', weights: dict, padding: paddingOf(dict) };
}

/** Our own TF.js weights say their padding through the stem kernel: 8×8 only exists in 'torchvision' nets. */
function paddingOf(dict: StateDict): PaddingStyle {
  const stem = dict.get('conv1_conv/kernel');
  return stem && stem.shape[0] === 8 ? 'torchvision' : 'same';
}

export function fromWeightsFile(bytes: Uint8Array, what: string): InitWeights {
  if (isZip(bytes)) {
    const dict = readPth(bytes, what);
    return torchvisionInit(dict, what, 'torchvision-pth');
  }
  const { tensors, metadata } = readSafetensors(bytes, what);
  if (metadata['format'] === WEIGHTS_FORMAT_TAG) {
    const json = <T>(k: string): T | undefined => (metadata[k] ? (JSON.parse(metadata[k]!) as T) : undefined);
    const preprocess = json<PreprocessSpec>('preprocess');
    return {
      source: what,
      format: 'resnet-edge-weights',
      weights: tensors,
      padding: (metadata['padding'] as PaddingStyle | undefined) ?? 'same',
      ...(metadata['arch'] ? { arch: metadata['arch'] } : {}),
      ...(preprocess ? { preprocess, normalize: preprocess.normalize } : {}),
      ...(json<string[]>('labels') ? { labels: json<string[]>('labels')! } : {}),
      ...(metadata['head'] ? { head: metadata['head'] as 'softmax' | 'sigmoid' } : {}),
    };
  }
  return torchvisionInit(tensors, what, 'torchvision-safetensors');
}

function torchvisionInit(dict: StateDict, what: string, format: InitFormat): InitWeights {
  const arch = torchvisionArch(dict);
  const { weights, origin } = fromTorchvision(dict);
  return {
    source: what,
    format,
    weights,
    origin,
    padding: 'torchvision',
    normalize: IMAGENET_NORMALIZE,
    ...(arch ? { arch } : {}),
  };
}

async function loadFromUrl(url: string, io: SourceIO): Promise<InitWeights> {
  const bytes = await download(url, io);
  const path = new URL(url).pathname;
  if (path.endsWith('.json')) return loadModelJson(bytes, url, (p) => download(new URL(p, url).toString(), io));
  return fromWeightsFile(bytes, url);
}

/** The whole body, with a progress line every 10 %; a short body (truncated transfer) is an error. */
export async function download(url: string, io: SourceIO): Promise<Uint8Array> {
  const doFetch = io.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, { redirect: 'follow' });
  } catch (err) {
    throw new TransferError(
      'init_fetch_failed',
      `--init: cannot fetch ${url}: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`,
    );
  }
  if (!res.ok || !res.body)
    throw new TransferError('init_fetch_failed', `--init: ${url} answered ${res.status} ${res.statusText}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const chunks: Uint8Array[] = [];
  let received = 0;
  let nextReport = 0.1;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      if (total > 0 && received / total >= nextReport) {
        io.log(`downloading ${url}: ${Math.floor((received / total) * 100)} % of ${(total / 1e6).toFixed(1)} MB`);
        while (received / total >= nextReport) nextReport += 0.1;
      }
    }
  } catch (err) {
    throw new TransferError(
      'init_fetch_failed',
      `--init: the download of ${url} broke off after ${received} bytes: ${(err as Error).message}`,
    );
  }
  if (total > 0 && received !== total)
    throw new TransferError('init_fetch_failed', `--init: ${url} sent ${received} of ${total} bytes`);
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
