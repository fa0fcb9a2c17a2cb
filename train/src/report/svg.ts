// Tiny SVG chart builders for the self-contained report: no scripts, no external assets, so the
// file opens offline in any browser and survives being mailed around.

export interface Series {
  name: string;
  points: [number, number][];
  color: string;
  dashed?: boolean;
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

function niceTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!(hi > lo)) return [lo];
  const raw = Math.max((hi - lo) / count, integer ? 1 : 0);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 || Number.isInteger(v)
    ? String(Math.round(v * 100) / 100)
    : v.toPrecision(3).replace(/\.?0+$/, '');
}

export function lineChart(
  series: Series[],
  opts: {
    title: string;
    xLabel: string;
    yLabel: string;
    yMin?: number;
    yMax?: number;
    width?: number;
    height?: number;
  },
): string {
  const W = opts.width ?? 520;
  const H = opts.height ?? 300;
  const m = { left: 56, right: 16, top: 30, bottom: 64 };
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, 1);
  const yMin = opts.yMin ?? Math.min(...ys, 0);
  let yMax = opts.yMax ?? Math.max(...ys, 1e-9);
  if (yMax === yMin) yMax = yMin + 1;
  const px = (x: number) => m.left + ((x - xMin) / (xMax - xMin || 1)) * (W - m.left - m.right);
  const py = (y: number) => H - m.bottom - ((y - yMin) / (yMax - yMin)) * (H - m.top - m.bottom);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<title>${escapeXml(opts.title)}</title>`);
  parts.push(
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(opts.title)}</text>`,
  );
  for (const t of niceTicks(yMin, yMax)) {
    parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${py(t)}" y2="${py(t)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${py(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  // x is the epoch in every chart of the reports: whole numbers only.
  for (const t of niceTicks(xMin, xMax, 6, true)) {
    parts.push(`<text x="${px(t)}" y="${H - m.bottom + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="#333"/>`);
  parts.push(
    `<text x="${(m.left + W - m.right) / 2}" y="${H - m.bottom + 32}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(opts.yLabel)}</text>`,
  );
  series.forEach((s) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length === 0) return;
    const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join('');
    parts.push(
      `<path class="series" data-name="${escapeXml(s.name)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
    );
    for (const [x, y] of pts)
      parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
  });
  // Legend under the axis label, left to right.
  let lx = m.left;
  const ly = H - 14;
  for (const s of series) {
    parts.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
    );
    parts.push(`<text x="${lx + 22}" y="${ly}">${escapeXml(s.name)}</text>`);
    lx += 30 + s.name.length * 6.5;
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** Confusion matrix as a heat-map: rows = actual, columns = predicted, shaded by row share. */
export function confusionHeatmap(
  confusion: number[][],
  labels: string[],
  title = 'Confusion matrix (validation)',
): string {
  const k = labels.length;
  const cell = Math.max(22, Math.min(44, Math.floor(440 / Math.max(k, 1))));
  const labelW = Math.min(140, 12 + Math.max(...labels.map((l) => l.length), 4) * 7);
  const W = labelW + k * cell + 20;
  const H = labelW + k * cell + 40;
  const top = labelW + 20;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" role="img" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<title>${escapeXml(title)}</title>`);
  parts.push(
    `<text x="${labelW}" y="14" font-size="13" font-weight="bold">${escapeXml(title)} — rows: actual, columns: predicted</text>`,
  );
  labels.forEach((l, j) => {
    const x = labelW + j * cell + cell / 2;
    parts.push(
      `<text transform="translate(${x + 4} ${top - 6}) rotate(-60)" text-anchor="start">${escapeXml(l)}</text>`,
    );
  });
  confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    const y = top + i * cell;
    parts.push(
      `<text x="${labelW - 6}" y="${y + cell / 2 + 4}" text-anchor="end">${escapeXml(labels[i] ?? String(i))}</text>`,
    );
    row.forEach((v, j) => {
      const share = v / total;
      const light = Math.round(97 - share * 62);
      const hue = i === j ? 210 : 5;
      const fill = v === 0 ? '#fafafa' : `hsl(${hue} 70% ${light}%)`;
      const x = labelW + j * cell;
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff"><title>actual ${escapeXml(labels[i] ?? '')}, predicted ${escapeXml(labels[j] ?? '')}: ${v}</title></rect>`,
      );
      if (v > 0)
        parts.push(
          `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${light < 60 ? '#fff' : '#222'}">${v}</text>`,
        );
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}
