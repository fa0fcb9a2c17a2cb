// The degradation experiment of seed 000 / He et al. (2015) Figure 1: plain-20 and plain-56 (no
// shortcuts) against ResNet-20 and ResNet-56, same data, same recipe, one report of the training-
// error curves. Each network gets its own run folder under OUT; the report sits at OUT/report.html.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderDegradationReport } from '../report/report.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import type { MetricsDocument } from '../training/metrics-doc.ts';
import { RUN_FILES } from './run-folder.ts';
import { train, type TrainIO, type TrainOptions, type TrainResult } from './trainer.ts';

export const DEGRADATION_ARCHS = ['plain20', 'plain56', 'resnet20', 'resnet56'] as const;

export interface DegradationResult {
  out: string;
  report: string;
  budget: string;
  runs: {
    arch: string;
    run: string;
    finalTrainError: number;
    finalTrainLoss: number;
    validationTop1: number | null;
    imagesPerSecond: number;
  }[];
}

export function describeBudget(o: Omit<TrainOptions, 'arch' | 'out'>, trainImages: number): string {
  const warm = o.warmupEpochs > 0 ? `, ${o.warmupEpochs} warm-up epoch(s)` : '';
  return `${o.epochs} epoch(s) × ${trainImages} training images, batch ${o.batchSize}, ${o.optimizer} lr ${o.lr} (${o.schedule}${warm}), augment ${o.augment.join('+') || 'none'}, seed ${o.seed}`;
}

export async function runDegradation(
  base: Omit<TrainOptions, 'arch' | 'out'>,
  out: string,
  io: TrainIO,
  archs: readonly string[] = DEGRADATION_ARCHS,
): Promise<DegradationResult> {
  const entries: { arch: string; doc: MetricsDocument; result: TrainResult }[] = [];
  for (const arch of archs) {
    io.log(`— degradation: training ${arch} —`);
    const result = await train({ ...base, arch, out: join(out, arch) }, io);
    const doc = JSON.parse(await readFile(join(out, arch, RUN_FILES.metrics), 'utf8')) as MetricsDocument;
    entries.push({ arch, doc, result });
  }
  const trainImages = entries[0]?.doc.epochs[0]?.train.images ?? 0;
  const budget = describeBudget(base, trainImages);
  const report = join(out, RUN_FILES.report);
  await writeFileAtomic(report, renderDegradationReport(entries, budget));
  return {
    out,
    report,
    budget,
    runs: entries.map(({ arch, doc, result }) => {
      const last = doc.epochs.at(-1)!;
      return {
        arch,
        run: result.run,
        finalTrainError: 1 - last.train.top1,
        finalTrainLoss: last.train.loss,
        validationTop1: last.validation?.top1 ?? null,
        imagesPerSecond: doc.trainImagesPerSecond,
      };
    }),
  };
}
