// Logits → scores → top-k, the pure part shared by the worker and the CLI.
import { describe, expect, it } from 'vitest';
import { scoresFromLogits, softmax, topK } from '../../shared/src/classify/scores.ts';

describe('scores', () => {
  it('softmax matches its definition and is stable for large logits', () => {
    expect(softmax([0, Math.log(3)])).toEqual([expect.closeTo(0.25, 12), expect.closeTo(0.75, 12)]);
    const big = softmax(new Float32Array([1000, 1000, 1000, 1000]));
    expect(big.every((s) => Math.abs(s - 0.25) < 1e-12)).toBe(true);
  });

  it('a one-logit sigmoid head scores [1 − p, p]', () => {
    const [no, yes] = scoresFromLogits([Math.log(4)], 'sigmoid', 2); // sigmoid(ln 4) = 4/5
    expect(yes).toBeCloseTo(0.8, 12);
    expect(no).toBeCloseTo(0.2, 12);
  });

  it('refuses logits that do not fit the labels', () => {
    expect(() => scoresFromLogits([1, 2, 3], 'softmax', 2)).toThrow(/3 logits for 2 labels/);
    expect(() => scoresFromLogits([1, 2], 'sigmoid', 2)).toThrow(/sigmoid head needs 1 logit/);
  });

  it('topK sorts by score and keeps label order on ties', () => {
    expect(topK([0.1, 0.4, 0.1, 0.4], ['a', 'b', 'c', 'd'], 3)).toEqual([
      { label: 'b', score: 0.4 },
      { label: 'd', score: 0.4 },
      { label: 'a', score: 0.1 },
    ]);
    expect(topK([0.5, 0.5], ['a', 'b'], 5)).toHaveLength(2);
  });
});
