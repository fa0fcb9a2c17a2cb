// What the retrain tests share: a small folder-per-class copy of the bundled data, its spec, and a tiny recipe.
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PreprocessSpec } from '../../shared/src/preprocess/spec.ts';
import { recipeWith, type Recipe } from '../../train/src/training/recipe.ts';
import { FASHION_TEST_SPEC } from '../helpers/fashion-spec.ts';

const MINI = join(process.cwd(), 'data', 'fashion-mnist-mini');

export const MINI_SPEC: PreprocessSpec = FASHION_TEST_SPEC;

/** One epoch of batch 16 at lr 0.05, no augmentation, one worker: seconds, not minutes. */
export function tinyRecipe(changes: Partial<Recipe>): Recipe {
  return recipeWith({ epochs: 1, batchSize: 16, lr: 0.05, weightDecay: 1e-4, augment: [], workers: 1, ...changes });
}

/** `perClass` images of each of `classes` from the bundled data's `split`, copied into `into`. */
export function miniSubset(
  classes: readonly string[],
  split: 'train' | 'test',
  perClass: number,
  into: string,
): string {
  for (const cls of classes) {
    mkdirSync(join(into, cls), { recursive: true });
    for (const f of readdirSync(join(MINI, split, cls))
      .sort()
      .slice(0, perClass))
      cpSync(join(MINI, split, cls, f), join(into, cls, f));
  }
  return into;
}
