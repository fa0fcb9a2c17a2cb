// The worker isolate's JS heap, read over the DevTools protocol from wrangler dev's inspector proxy
// (Runtime.getHeapUsage), sampled once a second so a benchmark can record it beside workerd's RSS: it tells
// memory the worker's own JavaScript holds from memory workerd holds outside the isolate.
import WebSocket from 'ws';

export interface HeapSampler {
  /** The latest sample, MiB; null before the first answer. */
  latest(): { used: number; total: number } | null;
  close(): void;
}

/** `path`: wrangler's inspector proxy serves the isolate at /ws; bare workerd at /<service name>. */
export async function sampleIsolateHeap(inspectorPort: number, everyMs = 1000, path = 'ws'): Promise<HeapSampler> {
  const ws = new WebSocket(`ws://127.0.0.1:${inspectorPort}/${path}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let sample: { used: number; total: number } | null = null;
  let id = 0;
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw)) as { id?: number; result?: { usedSize?: number; totalSize?: number } };
    if (msg.id !== undefined && msg.result?.usedSize !== undefined) {
      sample = { used: msg.result.usedSize / 2 ** 20, total: (msg.result.totalSize ?? 0) / 2 ** 20 };
    }
  });
  const timer = setInterval(() => ws.send(JSON.stringify({ id: ++id, method: 'Runtime.getHeapUsage' })), everyMs);
  return {
    latest: () => sample,
    close: () => {
      clearInterval(timer);
      ws.close();
    },
  };
}
