// `resnet-edge quantize --run DIR`: int8 post-training quantization with an accuracy gate.
import { BACKEND_CHOICES } from '@resnet-edge/train/backends/names';
import { QUANTIZE_DEFAULTS as Q } from '@resnet-edge/train/quantize/defaults';
import type { QuantizeRunResult } from '@resnet-edge/train/quantize/quantize-run';
import { CommandError, defineCommand } from '../command.ts';
import { choiceOpt, intOpt, numberOpt, requiredString, stringOpt } from '../options.ts';

const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

function summary(r: QuantizeRunResult): string[] {
  const c = r.comparison;
  return [
    `${r.arch} on ${r.heldOut} (${c.samples} images), int8 measured with ${r.int8Runtime}`,
    `top-1  float ${pct(c.floatTop1)}  int8 ${pct(c.int8Top1)}  drop ${c.dropPoints.toFixed(2)} points  agreement ${pct(c.agreement)}`,
    `size   int8 .tflite ${mb(r.sizes.int8Bytes)}: ${r.sizes.ratio.toFixed(2)}× smaller than the TF.js model (${mb(r.sizes.floatBytes)}), ` +
      `${r.sizes.weightsRatio.toFixed(2)}× than the folded float32 weights (${mb(r.sizes.float32WeightBytes)})`,
    `calibration ${r.calibration.method}${r.calibration.percentile ? ` p${r.calibration.percentile}` : ''} on ${r.calibration.samples} training images`,
  ];
}

export default defineCommand<QuantizeRunResult>({
  usage:
    'quantize --run DIR [--calibration-samples 200] [--calibration minmax|percentile] [--max-drop 1.0] [--out DIR]',
  details: `Folds BatchNorm, calibrates activation ranges on training images, and writes model.tflite + manifest.json
to --out (default DIR/quantized) only if int8 top-1 on the held-out set is at most --max-drop points below float.
Otherwise it exits 1 with code accuracy_gate and writes nothing.`,
  options: {
    run: { type: 'string', valueName: 'DIR', description: 'run folder written by `resnet-edge train`' },
    'calibration-samples': {
      type: 'string',
      valueName: 'N',
      description: 'training images used to calibrate activation ranges',
      default: String(Q.calibrationSamples),
    },
    calibration: { type: 'string', valueName: 'METHOD', description: 'minmax | percentile', default: Q.calibration },
    percentile: {
      type: 'string',
      valueName: 'P',
      description: 'upper percentile kept by --calibration percentile',
      default: String(Q.percentile),
    },
    'max-drop': {
      type: 'string',
      valueName: 'POINTS',
      description: 'largest accepted top-1 drop, in percentage points',
      default: Q.maxDrop.toFixed(1),
    },
    out: {
      type: 'string',
      valueName: 'DIR',
      description: 'where model.tflite and manifest.json go (default DIR/quantized)',
    },
    name: { type: 'string', valueName: 'NAME', description: 'model name in the manifest (default: the architecture)' },
    version: { type: 'string', valueName: 'SEMVER', description: 'model version in the manifest', default: Q.version },
    backend: { type: 'string', valueName: 'NAME', description: BACKEND_CHOICES.join(' | '), default: 'auto' },
  },
  async run(args, io) {
    // Flags first, so bad usage exits 2 before anything heavy loads.
    const opts = {
      run: requiredString(args, 'run'),
      calibrationSamples: intOpt(args, 'calibration-samples', Q.calibrationSamples, { min: 1 }),
      calibration: choiceOpt(args, 'calibration', ['minmax', 'percentile'] as const, Q.calibration),
      percentile: numberOpt(args, 'percentile', Q.percentile, { min: 50, max: 100 }),
      maxDrop: numberOpt(args, 'max-drop', Q.maxDrop, { min: 0 }),
      out: stringOpt(args, 'out'),
      name: stringOpt(args, 'name'),
      version: stringOpt(args, 'version') ?? Q.version,
      backend: choiceOpt(args, 'backend', BACKEND_CHOICES, 'auto'),
    };
    const { quantizeRun } = await import('@resnet-edge/train/quantize/quantize-run');
    const { writeTflite } = await import('@resnet-edge/shared/tflite/writer');
    const result = await quantizeRun({ ...opts, writeTflite }, { log: (m) => io.log(m) });
    if (!result.passed) {
      for (const line of summary(result)) io.log(line);
      throw new CommandError(
        'accuracy_gate',
        `int8 top-1 is ${result.comparison.dropPoints.toFixed(2)} points below float (allowed: --max-drop ${opts.maxDrop}); nothing was written`,
      );
    }
    return result;
  },
  render: (r) => [...summary(r), `wrote ${r.files!.model} and ${r.files!.manifest}`].join('\n'),
});
