// Building SkippedReports: a count plus the first few examples, so a user can find the bad files.
import type { SkippedReport } from './dataset.ts';

/** How many examples a SkippedReport keeps: enough to see the pattern, short enough to print. */
export const SKIPPED_EXAMPLES = 5;

export function emptySkipped(): SkippedReport {
  return { count: 0, examples: [] };
}

export function recordSkip(report: SkippedReport, id: string, reason: string): void {
  report.count++;
  if (report.examples.length < SKIPPED_EXAMPLES) report.examples.push({ id, reason });
}
