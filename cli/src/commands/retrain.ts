// `resnet-edge retrain`: the scheduled job's entry point (the trainer image's ENTRYPOINT). Every setting has
// a flag and, for the job container, an environment variable; all the work is in train/src/retrain/.
import { join } from 'node:path';
import { datasetOptionSpecs, datasetOptionsFromArgs } from '../dataset-flags.ts';
import type { RetrainReport } from '@resnet-edge/train/retrain/retrain';
import { defineCommand, UsageError, type ParsedArgs } from '../command.ts';
import { choiceOpt, numberOpt, stringOpt } from '../options.ts';
import { fineTuneFromArgs, fineTuneOptionSpecs } from '../transfer-options.ts';
import { actor, storeOptionSpecs, withStore } from '../store-flags.ts';
import { ioSink, recipeFromArgs, trainingOptionSpecs } from './train.ts';
import { FINE_TUNE_DEFAULTS } from '@resnet-edge/train/training/recipe';

/** Flag, else environment variable (how AWS Batch configures the container), else undefined. */
function setting(args: ParsedArgs, flag: string, env: string): string | undefined {
  return stringOpt(args, flag) ?? (process.env[env] || undefined);
}

function datasetFrom(args: ParsedArgs, path: string | undefined, what: string) {
  if (!path) throw new UsageError(`retrain needs ${what}`);
  return datasetOptionsFromArgs({ ...args, values: { ...args.values, data: path } })!;
}

export const retrainCommand = defineCommand<RetrainReport>({
  usage:
    'retrain --model NAME --data PATH --test-data PATH [--store URL] [--margin 0.5] [--max-drop 1.0] [training flags]',
  details: `Reads the champion (the model's current version) from the store, trains a challenger with the champion's
architecture, preprocessing and labels on --data plus every feedback image stored under feedback/<model>/,
quantizes it (refused past --max-drop), then runs champion and challenger int8 on the same frozen --test-data.
The challenger is published; it becomes current only if it beats the champion by --margin points of top-1.
A report (both accuracies, the decision, data counts) is written to models/<model>/retrain/<version>.json
and to --workdir. Environment (for the job container): RESNET_EDGE_STORE, RESNET_EDGE_MODEL, RESNET_EDGE_DATA,
RESNET_EDGE_TEST_DATA, RESNET_EDGE_MARGIN, RESNET_EDGE_FEEDBACK_UNTIL. --from champion fine-tunes the champion's float weights (weights.safetensors, published beside model.tflite) instead
of starting from random ones; --freeze/--unfreeze-at/--backbone-lr/--bn shape that fine-tuning (default: everything
trains at the full rate, BatchNorm too). The report says which start was used.`,
  options: {
    model: { type: 'string', valueName: 'NAME', description: 'the model to retrain (env RESNET_EDGE_MODEL)' },
    ...storeOptionSpecs,
    ...datasetOptionSpecs,
    'test-data': {
      type: 'string',
      valueName: 'PATH',
      description: 'the frozen held-out set both models are judged on, read like --data (env RESNET_EDGE_TEST_DATA)',
    },
    margin: {
      type: 'string',
      valueName: 'POINTS',
      description: 'top-1 points the challenger must gain to be promoted (env RESNET_EDGE_MARGIN)',
      default: '0.5',
    },
    'max-drop': {
      type: 'string',
      valueName: 'POINTS',
      description: 'quantization gate: largest accepted int8 top-1 drop',
      default: '1.0',
    },
    version: {
      type: 'string',
      valueName: 'X.Y.Z',
      description: 'challenger version (default: next minor after the highest published)',
    },
    'feedback-until': {
      type: 'string',
      valueName: 'KEY',
      description: 'use feedback records up to this key only (env RESNET_EDGE_FEEDBACK_UNTIL; set by the cron)',
    },
    workdir: {
      type: 'string',
      valueName: 'DIR',
      description: 'where the run, the feedback and the report go (default runs/retrain-<model>-<time>)',
    },
    ...trainingOptionSpecs,
    from: {
      type: 'string',
      valueName: 'START',
      description: "scratch (random weights) | champion (fine-tune the champion's float weights)",
      default: 'scratch',
    },
    ...fineTuneOptionSpecs,
  },
  async run(args, io) {
    const model = setting(args, 'model', 'RESNET_EDGE_MODEL');
    if (!model) throw new UsageError('retrain needs --model NAME (or RESNET_EDGE_MODEL)');
    const data = datasetFrom(
      args,
      setting(args, 'data', 'RESNET_EDGE_DATA'),
      '--data PATH (or RESNET_EDGE_DATA): the base training data',
    );
    const heldOut = datasetFrom(
      args,
      setting(args, 'test-data', 'RESNET_EDGE_TEST_DATA'),
      '--test-data PATH (or RESNET_EDGE_TEST_DATA): the frozen held-out set',
    );
    const marginRaw = setting(args, 'margin', 'RESNET_EDGE_MARGIN');
    const margin = numberOpt({ ...args, values: { ...args.values, margin: marginRaw } }, 'margin', 0.5, {
      min: -100,
      max: 100,
    });
    const maxDrop = numberOpt(args, 'max-drop', 1.0, { min: 0 });
    const recipe = recipeFromArgs(args);
    const version = stringOpt(args, 'version');
    const feedbackUntil = setting(args, 'feedback-until', 'RESNET_EDGE_FEEDBACK_UNTIL');
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const workdir = stringOpt(args, 'workdir') ?? join('runs', `retrain-${model}-${stamp}`);
    const from = choiceOpt(args, 'from', ['scratch', 'champion'] as const, 'scratch');
    const tuned = Object.keys(fineTuneOptionSpecs).some((f) => args.values[f] !== undefined);
    if (from === 'scratch' && tuned)
      throw new UsageError('--freeze/--unfreeze-at/--backbone-lr/--bn apply only with --from champion');
    const fineTune = from === 'champion' && tuned ? await fineTuneFromArgs(args, FINE_TUNE_DEFAULTS) : undefined;
    const { retrain } = await import('@resnet-edge/train/retrain/retrain');
    const { writeTflite } = await import('@resnet-edge/shared/tflite/writer');
    return withStore(args, (store) =>
      retrain(
        {
          store,
          model,
          data,
          heldOut,
          recipe,
          margin,
          maxDrop,
          workdir,
          by: actor(),
          writeTflite,
          from,
          ...(fineTune ? { fineTune } : {}),
          ...(version ? { version } : {}),
          ...(feedbackUntil ? { feedbackUntil } : {}),
        },
        ioSink(io),
      ),
    );
  },
  render: (r) => {
    const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(2)} %`);
    return [
      `${r.model}: ${r.decision.replace(/_/g, ' ')} — ${r.reason}`,
      `  champion   ${r.champion.version.padEnd(12)} int8 top-1 ${pct(r.champion.int8Top1)}`,
      `  challenger ${r.challenger.version.padEnd(12)} int8 top-1 ${pct(r.challenger.int8Top1)} (float ${pct(r.challenger.floatTop1)})`,
      `  held-out   ${r.heldOut.name}: ${r.heldOut.samples} images, fingerprint ${r.heldOut.fingerprint.slice(0, 12)}…`,
      `  start      ${r.challenger.start.from === 'champion' ? `fine-tuned from the champion ${r.challenger.start.version}'s float weights (freeze ${r.challenger.start.freeze}, BatchNorm ${r.challenger.start.batchNorm})` : 'random initialisation'}`,
      `  data       ${r.data.baseImages} base + ${r.data.feedbackImages} feedback images${r.data.feedbackSkipped.length ? ` (${r.data.feedbackSkipped.length} feedback skipped)` : ''}`,
      `  report     ${r.reportKey}`,
    ].join('\n');
  },
});

export default retrainCommand;
