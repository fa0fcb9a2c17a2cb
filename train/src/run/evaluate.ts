// `resnet-edge eval`: the run's best model, re-evaluated on any dataset with the run's own
// preprocessing. Dataset labels are matched to the run's labels by name, so a test folder that
// holds only some classes (or lists them in another order) still evaluates correctly.
import { writeFile } from 'node:fs/promises';
import type { BackendChoice } from '../backends/index.ts';
import { evaluate, type EvalMetrics } from '../training/metrics.ts';
import { loadEvalData, type DataOptions } from './data-source.ts';
import { readRun } from './run-folder.ts';
import { ensureBackend } from './trainer.ts';

export interface EvalResult {
  run: string;
  arch: string;
  dataset: string;
  backend: string;
  metrics: EvalMetrics;
}

export async function evaluateRun(
  opts: { run: string; data: DataOptions | null; backend: BackendChoice; out?: string | undefined },
  io: { log(m: string): void },
): Promise<EvalResult> {
  const backend = await ensureBackend(opts.backend, io.log);
  const { info, model } = await readRun(opts.run);
  const data = await loadEvalData(info, opts.data, io.log);
  io.log(`evaluating ${info.arch} from ${opts.run} on ${data.name} (${data.arrays.count} images)`);
  const metrics = await evaluate(model, data.arrays, info.labels, info.head);
  model.dispose();
  const result: EvalResult = { run: opts.run, arch: info.arch, dataset: data.name, backend: backend.name, metrics };
  if (opts.out) await writeFile(opts.out, JSON.stringify(result, null, 2) + '\n');
  return result;
}
