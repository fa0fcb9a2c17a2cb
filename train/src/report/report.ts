// report.html for a run and for the degradation experiment: one self-contained page (inline CSS
// and SVG) that a browser opens offline.
import type { MetricsDocument } from '../training/metrics-doc.ts';
import type { EvalMetrics } from '../training/metrics.ts';
import { confusionHeatmap, escapeXml, lineChart, PALETTE, type Series } from './svg.ts';

const STYLE = `body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1120px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
.charts{display:flex;flex-wrap:wrap;gap:16px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.meta{color:#555;font-size:13px}`;

function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${STYLE}</style></head>\n<body>\n${body}\n</body></html>\n`;
}

const pct = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)} %`;

export function perClassTable(m: EvalMetrics): string {
  const rows = m.perClass
    .map(
      (c) =>
        `<tr><td>${escapeXml(c.label)}</td><td>${pct(c.precision)}</td><td>${pct(c.recall)}</td><td>${c.support}</td></tr>`,
    )
    .join('\n');
  return `<table class="per-class"><thead><tr><th>class</th><th>precision</th><th>recall</th><th>images</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function summaryTable(doc: MetricsDocument): string {
  const row = (name: string, m: EvalMetrics | null) =>
    m
      ? `<tr><td>${name}</td><td>${m.count}</td><td>${m.loss.toFixed(4)}</td><td>${pct(m.top1)}</td><td>${m.top5 === undefined ? '—' : pct(m.top5)}</td></tr>`
      : '';
  return `<table class="summary"><thead><tr><th>set</th><th>images</th><th>loss</th><th>top-1</th><th>top-5</th></tr></thead><tbody>${row('validation', doc.final.validation)}${row('test', doc.final.test)}</tbody></table>`;
}

export function renderRunReport(doc: MetricsDocument): string {
  const ep = doc.epochs;
  const lossSeries: Series[] = [
    { name: 'training loss', color: PALETTE[0]!, points: ep.map((e) => [e.epoch, e.train.loss]) },
    {
      name: 'validation loss',
      color: PALETTE[1]!,
      dashed: true,
      points: ep.filter((e) => e.validation).map((e) => [e.epoch, e.validation!.loss]),
    },
  ];
  const accSeries: Series[] = [
    { name: 'training top-1', color: PALETTE[0]!, points: ep.map((e) => [e.epoch, e.train.top1 * 100]) },
    {
      name: 'validation top-1',
      color: PALETTE[1]!,
      dashed: true,
      points: ep.filter((e) => e.validation).map((e) => [e.epoch, e.validation!.top1 * 100]),
    },
  ];
  const evalForMatrix = doc.final.test ?? doc.final.validation;
  const matrixTitle = doc.final.test ? 'Confusion matrix (test)' : 'Confusion matrix (validation)';
  const body = `<h1>resnet-edge run: ${escapeXml(doc.arch)}</h1>
<p class="meta">backend ${escapeXml(doc.backend.name)} (${escapeXml(doc.backend.detail)}) · ${ep.length} epoch(s), ${doc.stopped.replace('_', ' ')} ·
best epoch ${doc.best?.epoch ?? '—'} · ${doc.trainImagesPerSecond.toFixed(1)} training images/s · ${escapeXml(doc.finishedAt)}</p>
<h2>Summary (best model)</h2>
${summaryTable(doc)}
<h2>Curves</h2>
<div class="charts">
${lineChart(lossSeries, { title: 'Loss', xLabel: 'epoch', yLabel: 'loss' })}
${lineChart(accSeries, { title: 'Top-1 accuracy', xLabel: 'epoch', yLabel: 'accuracy (%)', yMin: 0, yMax: 100 })}
</div>
${evalForMatrix ? `<h2>${matrixTitle}</h2>\n${confusionHeatmap(evalForMatrix.confusion, doc.labels, matrixTitle)}\n<h2>Per class</h2>\n${perClassTable(evalForMatrix)}` : ''}
<h2>Recipe</h2>
<pre>${escapeXml(JSON.stringify(doc.recipe, null, 2))}</pre>`;
  return page(`resnet-edge ${doc.arch}`, body);
}

export interface DegradationEntry {
  arch: string;
  doc: MetricsDocument;
}

/** Training error (1 − training top-1) per epoch for each architecture, as in He et al.'s Figure 1. */
export function renderDegradationReport(entries: DegradationEntry[], budget: string): string {
  const trainErr: Series[] = entries.map((e, i) => ({
    name: e.arch,
    color: PALETTE[i % PALETTE.length]!,
    dashed: e.arch.startsWith('plain'),
    points: e.doc.epochs.map((r) => [r.epoch, (1 - r.train.top1) * 100]),
  }));
  const trainLoss: Series[] = entries.map((e, i) => ({
    name: e.arch,
    color: PALETTE[i % PALETTE.length]!,
    dashed: e.arch.startsWith('plain'),
    points: e.doc.epochs.map((r) => [r.epoch, r.train.loss]),
  }));
  const valErr: Series[] = entries.map((e, i) => ({
    name: e.arch,
    color: PALETTE[i % PALETTE.length]!,
    dashed: e.arch.startsWith('plain'),
    points: e.doc.epochs.filter((r) => r.validation).map((r) => [r.epoch, (1 - r.validation!.top1) * 100]),
  }));
  const rows = entries
    .map((e) => {
      const last = e.doc.epochs.at(-1);
      return `<tr><td>${escapeXml(e.arch)}</td><td>${last ? pct(1 - last.train.top1) : '—'}</td><td>${last ? last.train.loss.toFixed(4) : '—'}</td><td>${last?.validation ? pct(1 - last.validation.top1) : '—'}</td><td>${e.doc.trainImagesPerSecond.toFixed(1)}</td></tr>`;
    })
    .join('\n');
  const body = `<h1>Degradation experiment: plain vs residual networks</h1>
<p class="meta">He et al. (2015), Figure 1: a deeper plain network trains to a <em>higher</em> training error than a shallower one; with
shortcuts the deeper network trains better. Budget: ${escapeXml(budget)}. Backend: ${escapeXml(entries[0]?.doc.backend.name ?? '—')}.</p>
<div class="charts">
${lineChart(trainErr, { title: 'Training error', xLabel: 'epoch', yLabel: 'training error (%)', yMin: 0 })}
${lineChart(trainLoss, { title: 'Training loss', xLabel: 'epoch', yLabel: 'loss' })}
${lineChart(valErr, { title: 'Validation error', xLabel: 'epoch', yLabel: 'validation error (%)', yMin: 0 })}
</div>
<h2>After the last epoch</h2>
<table><thead><tr><th>architecture</th><th>training error</th><th>training loss</th><th>validation error</th><th>images/s</th></tr></thead><tbody>
${rows}
</tbody></table>`;
  return page('resnet-edge degradation experiment', body);
}
