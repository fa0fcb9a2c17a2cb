// Consistency rules the schema's field types cannot express. Checked by the schema (so a bad spec file is
// refused with a path) and again by preprocess() (so a spec built in code cannot slip past).
import type { PreprocessSpec } from './spec.ts';

export class PreprocessSpecError extends Error {
  override name = 'PreprocessSpecError';
  readonly code = 'invalid_spec';
}

export interface SpecProblem {
  path: (string | number)[];
  message: string;
}

export function specProblems(
  spec: Pick<PreprocessSpec, 'colorMode' | 'resizeShorter' | 'crop' | 'normalize'>,
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const channels = spec.colorMode === 'rgb' ? 3 : 1;
  const largestCropSide = Math.max(spec.crop.height, spec.crop.width);
  if (spec.resizeShorter < largestCropSide) {
    problems.push({
      path: ['resizeShorter'],
      message: `resizeShorter ${spec.resizeShorter} is smaller than the crop (${spec.crop.width}×${spec.crop.height}); it must be at least ${largestCropSide}`,
    });
  }
  if (spec.normalize.kind === 'mean_std') {
    for (const key of ['mean', 'std'] as const) {
      const length = spec.normalize[key].length;
      if (length !== 1 && length !== channels) {
        problems.push({
          path: ['normalize', key],
          message: `normalize.${key} has ${length} values; ${spec.colorMode} needs 1 or ${channels}`,
        });
      }
    }
  }
  return problems;
}

export function assertSpecConsistent(spec: PreprocessSpec): void {
  const problems = specProblems(spec);
  if (problems.length > 0)
    throw new PreprocessSpecError(`invalid preprocess spec: ${problems.map((p) => p.message).join('; ')}`);
}
