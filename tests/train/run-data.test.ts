import { describe, expect, it } from 'vitest';
import { alignLabels, blackValueOf, simpleSpec } from '../../train/src/run/data-source.ts';

describe('data for a run', () => {
  const ds = (labels: string[], sampleLabels: number[]) => ({
    name: 'd',
    labels,
    samples: sampleLabels.map((label, i) => ({
      id: `s${i}`,
      label,
      source: { kind: 'encoded' as const, read: async () => new Uint8Array() },
    })),
    skipped: { count: 0, examples: [] },
  });
  it("re-indexes a dataset whose classes are a reordered subset of the model's", () => {
    const aligned = alignLabels(ds(['coat', 'bag'], [0, 1, 1]), ['bag', 'trouser', 'coat']);
    expect(aligned.labels).toEqual(['bag', 'trouser', 'coat']);
    expect(aligned.samples.map((s) => s.label)).toEqual([2, 0, 0]);
  });
  it("refuses classes the model does not know with 'labels_mismatch'", () => {
    expect(() => alignLabels(ds(['coat', 'hat'], [0, 1]), ['coat', 'bag'])).toThrow(
      expect.objectContaining({ code: 'labels_mismatch' }),
    );
  });
  it('pads crops with the normalised value of black', () => {
    expect(blackValueOf(simpleSpec(32, 'rgb'))).toBe(-1);
    expect(
      blackValueOf({ ...simpleSpec(32, 'grayscale'), normalize: { kind: 'mean_std', mean: [0.5], std: [0.25] } }),
    ).toBe(-2);
  });
});
