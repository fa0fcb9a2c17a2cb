// Logits → scores → top-k. Pure functions shared by the worker and `resnet-edge classify --model-dir`, so both
// compute every score with the same float64 arithmetic and agree to the last bit on the same logits.
export type OutputActivation = 'softmax' | 'sigmoid';

export interface Prediction {
  label: string;
  score: number;
}

export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  // Subtracting the max keeps exp() finite for large logits without changing the result.
  const exps = Array.from({ length: logits.length }, (_, i) => Math.exp(logits[i]! - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** One score per label. A sigmoid head has a single logit p for the second label: scores are [1 − p, p]. */
export function scoresFromLogits(
  logits: ArrayLike<number>,
  activation: OutputActivation,
  labelCount: number,
): number[] {
  if (activation === 'sigmoid') {
    if (logits.length !== 1 || labelCount !== 2) {
      throw new Error(
        `a sigmoid head needs 1 logit and 2 labels, got ${logits.length} logits and ${labelCount} labels`,
      );
    }
    const p = sigmoid(logits[0]!);
    return [1 - p, p];
  }
  if (logits.length !== labelCount) throw new Error(`model gives ${logits.length} logits for ${labelCount} labels`);
  return softmax(logits);
}

/** The k best labels, highest score first; equal scores keep label order so the answer is deterministic. */
export function topK(scores: readonly number[], labels: readonly string[], k: number): Prediction[] {
  return scores
    .map((score, index) => ({ score, index }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, Math.max(0, k))
    .map(({ score, index }) => ({ label: labels[index]!, score }));
}
