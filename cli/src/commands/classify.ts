// `resnet-edge classify IMAGE... [--url URL | --model-dir DIR]`: the same answer two ways. --url asks a running
// worker over HTTP; --model-dir runs the worker's own classify() (shared preprocessing, int8 interpreter, the same
// score and top-k functions) in Node on a quantized model folder, so both answers can be compared number for number.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readModelDir } from '@resnet-edge/registry/model-dir';
import { classify, type ClassifierModel, type ClassifyResult } from '@resnet-edge/shared/classify/classify';
import { ImageError } from '@resnet-edge/shared/image/errors';
import { MODEL_FILE } from '@resnet-edge/shared/registry/layout';
import type { Manifest } from '@resnet-edge/shared/registry/manifest';
import { ModelVerifyError, type VerifyFailure } from '@resnet-edge/shared/registry/verify';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import { CommandError, defineCommand, UsageError } from '../command.ts';
import { intOpt, stringOpt } from '../options.ts';

export interface ClassifyReport {
  source: { url: string } | { modelDir: string };
  results: Array<ClassifyResult & { file: string }>;
}

async function readImage(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    throw new UsageError(
      `cannot read IMAGE ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

const VERIFY_CODES: Record<VerifyFailure, string> = {
  missing: 'model_unavailable',
  invalid: 'model_invalid',
  integrity: 'model_integrity',
};

/** A quantized model folder (model.tflite + manifest.json), verified as the worker verifies what it loads. */
export async function loadModelDir(dir: string): Promise<ClassifierModel & { manifest: Manifest }> {
  let model;
  try {
    model = await readModelDir(dir, []);
  } catch (error) {
    if (error instanceof ModelVerifyError) throw new CommandError(VERIFY_CODES[error.kind], error.message);
    throw error;
  }
  try {
    return { manifest: model.manifest, interpreter: Interpreter.create(model.modelBytes) };
  } catch (error) {
    throw new CommandError('model_invalid', `${join(dir, MODEL_FILE)} cannot be loaded: ${(error as Error).message}`);
  }
}

function checkTopK(k: number, labels: number): void {
  if (k > labels) throw new UsageError(`--top-k must be ≤ ${labels} (the model's label count), got ${k}`);
}

async function classifyOverHttp(
  url: string,
  file: string,
  bytes: Uint8Array,
  k: number,
  model: string | undefined,
): Promise<ClassifyResult> {
  const endpoint = new URL('/v1/classify', url);
  endpoint.searchParams.set('top_k', String(k));
  if (model !== undefined) endpoint.searchParams.set('model', model);
  let response: Response;
  try {
    // The worker sniffs the format from the bytes, so the raw file goes as it is.
    response = await fetch(endpoint, {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
  } catch (error) {
    throw new CommandError(
      'unreachable',
      `cannot reach ${endpoint.origin}: ${(error as Error).cause ?? (error as Error).message}`,
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CommandError(
      'bad_response',
      `${endpoint.origin} answered ${response.status} with non-JSON: ${text.slice(0, 200)}`,
    );
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } }).error;
    throw new CommandError(
      error?.code ?? `http_${response.status}`,
      `${file}: ${error?.message ?? `HTTP ${response.status}`}`,
    );
  }
  return body as ClassifyResult;
}

export const classifyCommand = defineCommand<ClassifyReport>({
  usage: 'classify IMAGE... [--url URL | --model-dir DIR] [--top-k 5] [--model NAME[@VERSION]]',
  details: `--url sends each image to URL/v1/classify (a worker started by \`resnet-edge serve\` or deployed).
--model-dir runs the same code as the worker in Node on DIR/model.tflite + DIR/manifest.json (the output of
\`resnet-edge quantize\`), after checking the model file's sha256 against the manifest.
A bad image exits 1 with its code: empty_image, unsupported_format, corrupt_image or too_many_pixels.`,
  options: {
    url: { type: 'string', valueName: 'URL', description: 'a running worker, e.g. http://127.0.0.1:8787' },
    'model-dir': {
      type: 'string',
      valueName: 'DIR',
      description: 'a quantized model folder (model.tflite + manifest.json)',
    },
    'top-k': { type: 'string', valueName: 'N', description: 'how many labels to return', default: '5' },
    model: {
      type: 'string',
      valueName: 'NAME[@VERSION]',
      description: "with --url: a model other than the worker's default",
    },
  },
  positionals: [{ name: 'IMAGE', description: 'JPEG, PNG or WebP files', required: true, variadic: true }],
  async run(args, io) {
    const files = args.positionals;
    if (files.length === 0) throw new UsageError('missing argument IMAGE');
    const url = stringOpt(args, 'url');
    const modelDir = stringOpt(args, 'model-dir');
    if ((url === undefined) === (modelDir === undefined))
      throw new UsageError('give exactly one of --url URL or --model-dir DIR');
    const k = intOpt(args, 'top-k', 5, { min: 1 });
    const results: ClassifyReport['results'] = [];
    if (url !== undefined) {
      for (const file of files) {
        results.push({
          file,
          ...(await classifyOverHttp(url, file, await readImage(file), k, stringOpt(args, 'model'))),
        });
        io.log(`${file}: ${results.at(-1)!.predictions[0]?.label}`);
      }
      return { source: { url }, results };
    }
    if (stringOpt(args, 'model') !== undefined)
      throw new UsageError('--model applies to --url only; --model-dir names the model itself');
    const model = await loadModelDir(modelDir!);
    checkTopK(k, model.manifest.labels.length);
    io.log(`model ${model.manifest.name}@${model.manifest.version} from ${modelDir}`);
    for (const file of files) {
      const bytes = await readImage(file);
      try {
        results.push({ file, ...classify(bytes, model, k) });
      } catch (error) {
        if (error instanceof ImageError) throw new CommandError(error.code, `${file}: ${error.message}`);
        throw error;
      }
    }
    return { source: { modelDir: modelDir! }, results };
  },
  render: ({ results }) =>
    results
      .map((r) =>
        [
          `${r.file}  (${r.model.name}@${r.model.version}, infer ${r.timing.infer_ms.toFixed(1)} ms)`,
          ...r.predictions.map(
            (p) =>
              `  ${p.label.padEnd(20)} ${(p.score * 100).toFixed(2).padStart(6)}%  ${'█'.repeat(Math.round(p.score * 20))}`,
          ),
        ].join('\n'),
      )
      .join('\n\n'),
});

export default classifyCommand;
