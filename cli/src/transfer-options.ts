// The fine-tuning flags shared by `train --init` and `retrain --from champion` (train/src/transfer/). No option here
// has a `default` in its spec (main.ts would fill it in and make every flag look given); the defaults are
// FINE_TUNE_DEFAULTS, applied in fineTuneFromArgs.
import type { FineTuneRecipe } from '@resnet-edge/train/transfer/recipe';
import { FINE_TUNE_DEFAULTS } from '@resnet-edge/train/training/recipe';
import { UsageError, type OptionSpec, type ParsedArgs } from './command.ts';
import { choiceOpt, intOpt, numberOpt, stringOpt } from './options.ts';

const D = FINE_TUNE_DEFAULTS;
const freezeDefault = D.freeze.kind === 'stages' ? `stages:${D.freeze.count}` : D.freeze.kind;

// The defaults shown are FINE_TUNE_DEFAULTS (train/src/training/recipe.ts), the values used when a flag is absent.
export const fineTuneOptionSpecs: Record<string, OptionSpec> = {
  freeze: {
    type: 'string',
    valueName: 'PART',
    description: `with pretrained weights: none | stem | stages:N | backbone (frozen until --unfreeze-at; default ${freezeDefault})`,
  },
  'unfreeze-at': {
    type: 'string',
    valueName: 'E',
    description: `epoch from which frozen layers train too (0 = never; default ${D.unfreezeAt})`,
  },
  'backbone-lr': {
    type: 'string',
    valueName: 'F',
    description: `learning-rate factor of the pretrained layers once they train (the new head gets 1; default ${D.backboneLr})`,
  },
  bn: {
    type: 'string',
    valueName: 'MODE',
    description: `BatchNorm when fine-tuning: frozen (moving statistics, fixed γ/β) | train (default ${D.batchNorm})`,
  },
};

/** `--init model:NAME[@VERSION]` (train/src/transfer/published.ts); the text again here so --help loads no trainer. */
export const PUBLISHED_INIT_PREFIX = 'model:';

export const initOptionSpecs: Record<string, OptionSpec> = {
  init: {
    type: 'string',
    valueName: 'SOURCE',
    description:
      'start from pretrained weights: torchvision .pth/.safetensors, a TF.js model.json (Keras ResNet), a run ' +
      'folder, a version folder, an http(s) URL of one of those, or model:NAME[@VERSION] (a published version in ' +
      '--store; no version = current)',
  },
  'init-head': {
    type: 'string',
    valueName: 'MODE',
    description: 'auto (keep the head only when the labels are the same) | keep | replace',
  },
  ...fineTuneOptionSpecs,
};

/** The flags given, each missing one taken from `defaults` (train/src/transfer/recipe.ts holds them). */
export async function fineTuneFromArgs(args: ParsedArgs, defaults: FineTuneRecipe): Promise<FineTuneRecipe> {
  const { parseFreeze } = await import('@resnet-edge/train/transfer/recipe');
  let freeze;
  try {
    freeze = stringOpt(args, 'freeze') === undefined ? defaults.freeze : parseFreeze(stringOpt(args, 'freeze')!);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    freeze,
    unfreezeAt: intOpt(args, 'unfreeze-at', defaults.unfreezeAt, { min: 0 }),
    backboneLr: numberOpt(args, 'backbone-lr', defaults.backboneLr, { min: 0, max: 10 }),
    batchNorm: choiceOpt(args, 'bn', ['frozen', 'train'] as const, defaults.batchNorm),
  };
}

export function assertNoFineTuneFlagsWithout(args: ParsedArgs, what: string): void {
  for (const flag of [...Object.keys(fineTuneOptionSpecs), 'init-head']) {
    if (args.values[flag] !== undefined) throw new UsageError(`--${flag} applies only ${what}`);
  }
}
