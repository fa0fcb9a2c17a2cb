// Progress display: a redrawn one-line bar with images/s and ETA on a terminal, and plain log
// lines (one per epoch plus a few per epoch for long epochs) when stderr is not a TTY, so CI logs
// stay readable.
import type { EpochRecord, Progress } from './loop.ts';

export interface ProgressSink {
  isTTY: boolean;
  log(message: string): void;
  /** Raw write without newline for the TTY bar; falls back to log when absent. */
  write?(text: string): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export function progressBar(p: Progress, width = 24): string {
  const done = Math.round((p.batch / p.batches) * width);
  return `epoch ${p.epoch}/${p.epochs} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)} · ${p.imagesPerSecond.toFixed(1)} img/s · ETA ${formatDuration(p.etaSeconds)}`;
}

export function epochLine(r: EpochRecord, epochs: number, improved: boolean): string {
  const v = r.validation;
  const val = v
    ? ` · val loss ${v.loss.toFixed(4)} top-1 ${(v.top1 * 100).toFixed(1)} %${v.top5 !== undefined ? ` top-5 ${(v.top5 * 100).toFixed(1)} %` : ''}`
    : '';
  return `epoch ${r.epoch}/${epochs} · lr ${r.lr.toPrecision(3)} · train loss ${r.train.loss.toFixed(4)} top-1 ${(r.train.top1 * 100).toFixed(1)} %${val} · ${r.imagesPerSecond.toFixed(1)} img/s · ${formatDuration(r.seconds)}${improved && v ? ' · best' : ''}`;
}

export function createProgressReporter(sink: ProgressSink): {
  onProgress(p: Progress): void;
  onEpoch(r: EpochRecord, improved: boolean, epochs: number): void;
} {
  let lastLog = 0;
  return {
    onProgress(p) {
      if (sink.isTTY && sink.write) {
        sink.write(`\r\x1b[2K${progressBar(p)}`);
        return;
      }
      // Plain mode: at most one line every 10 s within an epoch.
      const now = Date.now();
      if (now - lastLog >= 10_000 && p.batch < p.batches) {
        lastLog = now;
        sink.log(
          `epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)} · ${p.imagesPerSecond.toFixed(1)} img/s · ETA ${formatDuration(p.etaSeconds)}`,
        );
      }
    },
    onEpoch(r, improved, epochs) {
      if (sink.isTTY && sink.write) sink.write('\r\x1b[2K');
      lastLog = Date.now();
      sink.log(epochLine(r, epochs, improved));
    },
  };
}
