// `resnet-edge experiment degradation`: plain-20/56 vs ResNet-20/56 on the bundled data, one report.
import type { DegradationResult } from '@resnet-edge/train/run/degradation';
import { defineCommand, UsageError } from '../command.ts';
import { stringOpt } from '../options.ts';
import { checkArch, ioSink, recipeFromArgs, trainingOptionSpecs } from './train.ts';

// Kept here (not imported from run/degradation.ts) so --help does not load TF.js.
const DEGRADATION_ARCHS = ['plain20', 'plain56', 'resnet20', 'resnet56'];

const EXPERIMENTS = ['degradation'] as const;

// A budget that fits a coffee break on the wasm backend; raise --epochs / --max-train-samples for a clearer gap.
const DEFAULT_EPOCHS = '3';
const DEFAULT_SAMPLES = '600';
const DEFAULT_BATCH = '32';
const DEFAULT_WARMUP = '1';

export const experimentCommand = defineCommand<DegradationResult>({
  usage: 'experiment degradation [--epochs N] [--max-train-samples N] [--out DIR]',
  details: `degradation — He et al. (2015) Figure 1 on the bundled Fashion-MNIST sample: trains ${DEGRADATION_ARCHS.join(', ')}
with the same recipe and writes OUT/report.html with their training-error curves, plus one run folder per network.
Default budget: ${DEFAULT_EPOCHS} epochs on ${DEFAULT_SAMPLES} training images, batch ${DEFAULT_BATCH}, SGD 0.1 cosine with
${DEFAULT_WARMUP} warm-up epoch; about 10 minutes on two cores with the wasm backend.`,
  positionals: [{ name: 'NAME', description: `experiment: ${EXPERIMENTS.join(', ')}`, required: true }],
  options: {
    ...trainingOptionSpecs,
    epochs: { ...trainingOptionSpecs.epochs!, default: DEFAULT_EPOCHS },
    'max-train-samples': { ...trainingOptionSpecs['max-train-samples']!, default: DEFAULT_SAMPLES },
    'batch-size': { ...trainingOptionSpecs['batch-size']!, default: DEFAULT_BATCH },
    'warmup-epochs': { ...trainingOptionSpecs['warmup-epochs']!, default: DEFAULT_WARMUP },
    out: { type: 'string', valueName: 'DIR', description: 'output folder', default: 'runs/degradation' },
    archs: {
      type: 'string',
      valueName: 'LIST',
      description: `comma list of networks to compare`,
      default: DEGRADATION_ARCHS.join(','),
    },
  },
  async run(args, io) {
    const name = args.positionals[0]!;
    if (!(EXPERIMENTS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown experiment '${name}'; available: ${EXPERIMENTS.join(', ')}`);
    }
    const recipe = recipeFromArgs(args);
    const archs = (stringOpt(args, 'archs') ?? DEGRADATION_ARCHS.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const a of archs) await checkArch(a, '--archs');
    const out = stringOpt(args, 'out') ?? 'runs/degradation';
    const { runDegradation } = await import('@resnet-edge/train/run/degradation');
    const { bundledDataRequest } = await import('@resnet-edge/train/run/data-source');
    return runDegradation(
      { ...recipe, head: 'softmax', data: bundledDataRequest(), resume: false },
      out,
      ioSink(io),
      archs,
    );
  },
  render: (r) =>
    [
      `degradation experiment (${r.budget})`,
      ...r.runs.map(
        (x) =>
          `  ${x.arch.padEnd(9)} training error ${(x.finalTrainError * 100).toFixed(1).padStart(5)} %  loss ${x.finalTrainLoss.toFixed(4)}  ${x.imagesPerSecond.toFixed(1)} img/s`,
      ),
      `report: ${r.report}`,
    ].join('\n'),
});

export default experimentCommand;
