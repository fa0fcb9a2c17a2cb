// metrics.json: the per-epoch history and the final evaluation of the best model, plus which
// backend produced them. report.html is rendered from exactly this document.
import type { EvalMetrics } from '../training/metrics.ts';
import type { EpochRecord, StopReason } from '../training/loop.ts';
import type { PhaseSeconds } from '../training/phases.ts';

export interface MetricsDocument {
  version: 1;
  arch: string;
  labels: string[];
  backend: { name: string; tfBackend: string; detail: string };
  recipe: Record<string, unknown>;
  epochs: EpochRecord[];
  best: { epoch: number; top1: number; loss: number } | null;
  stopped: StopReason;
  /** The best model evaluated once more at the end: on the validation split and on the test set when given. */
  final: { validation: EvalMetrics | null; test: EvalMetrics | null };
  trainImagesPerSecond: number;
  finishedAt: string;
  /** Wall seconds per phase of the run (absent in files written before 2026-12-02). */
  phases?: PhaseSeconds & { total: number };
}
