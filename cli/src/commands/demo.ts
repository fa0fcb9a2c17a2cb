// `resnet-edge demo` (= `npm start`): the whole chain on the bundled data, each stage calling the function
// behind the CLI command a user would type (printed as it runs): train → quantize → publish → serve → classify
// over HTTP.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandError, defineCommand, type CommandIO } from '../command.ts';
import { boolOpt, intOpt, numberOpt, stringOpt } from '../options.ts';
import { startLocalWorker, untilAborted } from '../serve-worker.ts';
import { BUNDLED_DATA, REPO_ROOT } from '@resnet-edge/train/data/presets';
import { QUANTIZE_DEFAULTS } from '@resnet-edge/train/quantize/defaults';
import type { QuantizeRunResult } from '@resnet-edge/train/quantize/quantize-run';
import type { TrainResult } from '@resnet-edge/train/run/trainer';
import { ioSink } from './train.ts';

const MODEL_NAME = 'fashion-mnist';

interface Prediction {
  label: string;
  score: number;
}
interface DemoResult {
  runDir: string;
  modelDir: string;
  store: string;
  url: string;
  version: string;
  train: TrainResult;
  quantize: QuantizeRunResult;
  classified: { file: string; truth: string; predicted: string; score: number; predictions: Prediction[] }[];
  correct: number;
}

export const demoCommand = defineCommand<DemoResult>({
  usage: 'demo [--epochs 3] [--arch resnet20] [--port 8787] [--max-drop POINTS] [--once]',
  details: `Trains a small model on data/fashion-mnist-mini, quantizes it to int8, publishes it to a local R2 store,
starts the worker with wrangler dev on 127.0.0.1 and classifies held-out images through HTTP. Then it keeps
serving until Ctrl-C (--once stops after the check). Everything goes under --workdir (default .resnet-edge/demo).`,
  options: {
    arch: { type: 'string', valueName: 'NAME', description: 'architecture to train', default: 'resnet20' },
    epochs: {
      type: 'string',
      valueName: 'N',
      description: 'training epochs (small budget: this is a demo)',
      default: '3',
    },
    port: { type: 'string', valueName: 'N', description: 'worker port on 127.0.0.1', default: '8787' },
    workdir: { type: 'string', valueName: 'DIR', description: 'where the run, the model and the local store go' },
    'per-class': {
      type: 'string',
      valueName: 'N',
      description: 'held-out images per class sent to the worker',
      default: '2',
    },
    'max-drop': {
      type: 'string',
      valueName: 'POINTS',
      description: "int8 accuracy gate passed to quantize (default: quantize's 1.0)",
    },
    once: { type: 'boolean', description: 'exit after classifying instead of serving until Ctrl-C' },
  },
  async run(args, io) {
    const workdir = stringOpt(args, 'workdir') ?? join(REPO_ROOT, '.resnet-edge', 'demo');
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const runDir = join(workdir, 'runs', stamp);
    const modelDir = join(runDir, 'quantized');
    const state = join(workdir, 'wrangler-state');
    const store = `r2-local:${state}`;
    const version = `1.0.0-demo.${stamp}`;
    await mkdir(runDir, { recursive: true });

    const arch = stringOpt(args, 'arch') ?? 'resnet20';
    const epochs = intOpt(args, 'epochs', 3, { min: 1 });
    const maxDrop = stringOpt(args, 'max-drop');
    const { train } = await import('@resnet-edge/train/run/trainer');
    const { bundledDataRequest } = await import('@resnet-edge/train/run/data-source');
    const { recipeWith } = await import('@resnet-edge/train/training/recipe');
    const { quantizeRun } = await import('@resnet-edge/train/quantize/quantize-run');
    const { writeTflite } = await import('@resnet-edge/shared/tflite/writer');
    const { publishModel } = await import('@resnet-edge/registry/publish');
    const { openStore } = await import('@resnet-edge/registry/store-url');

    io.log('[1/5] train');
    say(io, ['train', '--arch', arch, '--epochs', String(epochs), '--out', runDir]);
    const trained = await train(
      { arch, head: 'softmax', data: bundledDataRequest(0.1), ...recipeWith({ epochs }), out: runDir, resume: false },
      ioSink(io),
    );
    io.log(`      ${describeTrain(trained)}`);

    io.log('[2/5] quantize');
    say(io, [
      'quantize',
      '--run',
      runDir,
      '--out',
      modelDir,
      '--name',
      MODEL_NAME,
      '--version',
      version,
      ...(maxDrop ? ['--max-drop', maxDrop] : []),
    ]);
    const gate =
      maxDrop === undefined
        ? QUANTIZE_DEFAULTS.maxDrop
        : numberOpt(args, 'max-drop', QUANTIZE_DEFAULTS.maxDrop, { min: 0 });
    const quantized = await quantizeRun(
      { ...QUANTIZE_DEFAULTS, run: runDir, out: modelDir, name: MODEL_NAME, version, maxDrop: gate, writeTflite },
      { log: (m) => io.log(m) },
    );
    if (!quantized.passed) {
      throw new CommandError(
        'accuracy_gate',
        `stage 'quantize' failed: int8 top-1 is ${quantized.comparison.dropPoints.toFixed(2)} points below float (allowed ${gate})`,
      );
    }
    io.log(`      ${describeQuantize(quantized)}`);

    io.log('[3/5] publish');
    say(io, ['publish', modelDir, '--store', store]);
    const target = await openStore(store);
    try {
      await publishModel(target, modelDir, { by: 'demo' });
    } finally {
      await target.close();
    }
    io.log('[4/5] serve');
    const worker = await startLocalWorker({
      port: intOpt(args, 'port', 8787, { min: 1, max: 65535 }),
      persistTo: state,
      modelName: MODEL_NAME,
    });
    io.log(`      worker on ${worker.url}`);
    try {
      io.log('[5/5] classify held-out images through HTTP');
      const classified = [];
      for (const { file, truth } of await heldOut(intOpt(args, 'per-class', 2, { min: 1, max: 50 }))) {
        const res = await fetch(`${worker.url}/v1/classify?top_k=3`, { method: 'POST', body: await readFile(file) });
        const body = (await res.json()) as { predictions?: Prediction[]; error?: { code: string; message: string } };
        if (!res.ok || !body.predictions)
          throw new CommandError('demo_failed', `worker answered ${res.status} for ${file}: ${JSON.stringify(body)}`);
        const top = body.predictions[0]!;
        classified.push({
          file: file.slice(REPO_ROOT.length + 1),
          truth,
          predicted: top.label,
          score: top.score,
          predictions: body.predictions,
        });
        io.log(
          `      ${truth.padEnd(12)} → ${top.label.padEnd(12)} ${(top.score * 100).toFixed(1).padStart(5)} %  ${top.label === truth ? 'ok' : 'wrong'}`,
        );
      }
      const correct = classified.filter((c) => c.predicted === c.truth).length;
      io.log(`      ${correct}/${classified.length} correct`);
      if (!boolOpt(args, 'once')) {
        io.log(`serving ${MODEL_NAME}@${version} on ${worker.url} (upload page at ${worker.url}/) — Ctrl-C stops`);
        await untilAborted(io.signal);
      }
      return {
        runDir,
        modelDir,
        store,
        url: worker.url,
        version,
        train: trained,
        quantize: quantized,
        classified,
        correct,
      };
    } finally {
      await worker.stop();
    }
  },
  render: (r) =>
    [
      `demo: trained ${r.runDir}`,
      `      published fashion-mnist@${r.version} to ${r.store}`,
      `      the worker classified ${r.correct}/${r.classified.length} held-out images correctly`,
    ].join('\n'),
});

/** Prints the CLI command that does what the next stage does, so the demo doubles as a walkthrough. */
function say(io: CommandIO, argv: string[]): void {
  io.log(`      $ resnet-edge ${argv.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`);
}

const pct = (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(1)} %` : '—');

function describeTrain(r: TrainResult): string {
  return `test top-1 ${pct(r.test?.top1)} (validation ${pct(r.validation?.top1)}), ${r.trainImagesPerSecond.toFixed(0)} images/s`;
}

function describeQuantize(r: QuantizeRunResult): string {
  const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
  return `top-1 float ${pct(r.comparison.floatTop1)} → int8 ${pct(r.comparison.int8Top1)} (agreement ${pct(r.comparison.agreement)}), ${kib(r.sizes.floatBytes)} → ${kib(r.sizes.int8Bytes)}`;
}

async function heldOut(perClass: number): Promise<{ file: string; truth: string }[]> {
  const out: { file: string; truth: string }[] = [];
  for (const cls of (await readdir(BUNDLED_DATA.test)).sort()) {
    const files = (await readdir(join(BUNDLED_DATA.test, cls))).sort().slice(0, perClass);
    for (const f of files) out.push({ file: join(BUNDLED_DATA.test, cls, f), truth: cls });
  }
  return out;
}

export default demoCommand;
