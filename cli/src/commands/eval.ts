// `resnet-edge eval --run DIR [dataset flags]`: the run's best model on any dataset.
import type { EvalResult } from '@resnet-edge/train/run/evaluate';
import { BACKEND_CHOICES } from '@resnet-edge/train/backends/names';
import { datasetOptionSpecs, datasetOptionsFromArgs } from '../dataset-flags.ts';
import { defineCommand } from '../command.ts';
import { choiceOpt, requiredString, stringOpt } from '../options.ts';

export const evalCommand = defineCommand<EvalResult>({
  usage: 'eval --run DIR [dataset flags] [--backend NAME] [--out FILE]',
  details: `Without dataset flags the run is evaluated on the test set it recorded (or its validation split).
The images are preprocessed with the run's own recipe (run.json); dataset labels are matched to the run's by name.`,
  options: {
    run: { type: 'string', valueName: 'DIR', description: 'run folder written by `resnet-edge train`' },
    ...datasetOptionSpecs,
    backend: { type: 'string', valueName: 'NAME', description: BACKEND_CHOICES.join(' | '), default: 'auto' },
    out: {
      type: 'string',
      valueName: 'FILE',
      description: 'also write the full result (with confusion matrix) as JSON here',
    },
  },
  async run(args, io) {
    const run = requiredString(args, 'run');
    const backend = choiceOpt(args, 'backend', BACKEND_CHOICES, 'auto');
    const dataset = datasetOptionsFromArgs(args);
    const data = dataset ? { data: dataset } : null;
    const { evaluateRun } = await import('@resnet-edge/train/run/evaluate');
    return evaluateRun({ run, data, backend, out: stringOpt(args, 'out') }, { log: (m) => io.log(m) });
  },
  render: (r) => {
    const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)} %`);
    const width = Math.max(...r.metrics.perClass.map((c) => c.label.length), 5);
    return [
      `${r.arch} on ${r.dataset} (${r.metrics.count} images, backend ${r.backend})`,
      `top-1 ${pct(r.metrics.top1)}${r.metrics.top5 !== undefined ? `  top-5 ${pct(r.metrics.top5)}` : ''}  loss ${r.metrics.loss.toFixed(4)}`,
      '',
      `${'class'.padEnd(width)}  precision  recall  images`,
      ...r.metrics.perClass.map(
        (c) =>
          `${c.label.padEnd(width)}  ${pct(c.precision).padStart(9)}  ${pct(c.recall).padStart(6)}  ${String(c.support).padStart(6)}`,
      ),
      '',
      'confusion matrix (rows: actual, columns: predicted):',
      ...r.metrics.confusion.map(
        (row, i) =>
          `${(r.metrics.perClass[i]?.label ?? '').padEnd(width)}  ${row.map((v) => String(v).padStart(4)).join('')}`,
      ),
    ].join('\n');
  },
});

export default evalCommand;
