// No option here has a `default` in its spec (main.ts would fill it in and make every flag look given); the
// defaults live in fineTuneFromArgs. The fine-tuning flags shared by `train --init` and `retrain --from champion` (train/src/transfer/).
import type { FineTuneRecipe } from '@resnet-edge/train/transfer/recipe';
import { UsageError, type OptionSpec, type ParsedArgs } from './command.ts';
import { choiceOpt, intOpt, numberOpt, stringOpt } from './options.ts';

export const fineTuneOptionSpecs: Record<string, OptionSpec> = {
  freeze: { type: 'string', valueName: 'PART', description: 'with pretrained weights: none | stem | stages:N | backbone (frozen until --unfreeze-at; default backbone)' },
  'unfreeze-at': { type: 'string', valueName: 'E', description: 'epoch from which frozen layers train too (0 = never; default: a third of the way in)' },
  'backbone-lr': { type: 'string', valueName: 'F', description: 'learning-rate factor of the pretrained layers once they train (the new head gets 1; default 0.1)' },
  bn: { type: 'string', valueName: 'MODE', description: 'BatchNorm when fine-tuning: frozen (moving statistics, fixed γ/β; default) | train' },
};

export const initOptionSpecs: Record<string, OptionSpec> = {
  init: { type: 'string', valueName: 'PATH|URL', description: 'start from pretrained weights: torchvision .pth/.safetensors, a TF.js model.json (Keras ResNet), a run folder or a version folder' },
  'init-head': { type: 'string', valueName: 'MODE', description: 'auto (keep the head only when the labels are the same) | keep | replace' },
  ...fineTuneOptionSpecs,
};

/** Default: the first third of the epochs trains the new head alone, then everything trains. */
export function defaultUnfreezeAt(epochs: number): number {
  return epochs < 2 ? 0 : Math.max(2, Math.round(epochs / 3) + 1);
}

export async function fineTuneFromArgs(args: ParsedArgs, epochs: number): Promise<FineTuneRecipe> {
  const { parseFreeze } = await import('@resnet-edge/train/transfer/recipe');
  let freeze;
  try {
    freeze = parseFreeze(stringOpt(args, 'freeze') ?? 'backbone');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    freeze,
    unfreezeAt: intOpt(args, 'unfreeze-at', defaultUnfreezeAt(epochs), { min: 0 }),
    backboneLr: numberOpt(args, 'backbone-lr', 0.1, { min: 0, max: 10 }),
    batchNorm: choiceOpt(args, 'bn', ['frozen', 'train'] as const, 'frozen'),
  };
}

export function assertNoFineTuneFlagsWithout(args: ParsedArgs, what: string): void {
  for (const flag of [...Object.keys(fineTuneOptionSpecs), 'init-head']) {
    if (args.values[flag] !== undefined) throw new UsageError(`--${flag} applies only ${what}`);
  }
}
