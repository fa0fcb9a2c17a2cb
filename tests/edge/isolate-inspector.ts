// The worker isolate's JS heap, read over the DevTools protocol (Runtime.getHeapUsage) from wrangler dev's inspector
// proxy or bare workerd's `--inspector-addr`. Benchmarks sample it once a second beside workerd's RSS, to tell memory
// the worker's own JavaScript holds from memory workerd holds outside the isolate. A test reads it once from a worker
// that collects all garbage after every answer (startBareWorker's collectGarbageEvery): what is left is what the
// worker keeps from one request to the next. (workerd does not answer HeapProfiler.collectGarbage, so the collection
// cannot be asked for over the inspector.)
import WebSocket from 'ws';

type Usage = { used: number; total: number };

interface Inspector {
  call(method: string): Promise<Record<string, unknown>>;
  close(): void;
}

/** `path`: wrangler's inspector proxy serves the isolate at /ws; bare workerd at /<service name>. */
async function connectInspector(inspectorPort: number, path: string): Promise<Inspector> {
  const ws = new WebSocket(`ws://127.0.0.1:${inspectorPort}/${path}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let id = 0;
  const waiting = new Map<number, (result: Record<string, unknown>) => void>();
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw)) as { id?: number; result?: Record<string, unknown> };
    if (msg.id === undefined) return; // an event, not an answer
    waiting.get(msg.id)?.(msg.result ?? {});
    waiting.delete(msg.id);
  });
  return {
    call: (method) =>
      new Promise((resolve) => {
        waiting.set(++id, resolve);
        ws.send(JSON.stringify({ id, method }));
      }),
    close: () => ws.close(),
  };
}

const usageOf = (result: Record<string, unknown>): Usage => ({
  used: Number(result.usedSize) / 2 ** 20,
  total: Number(result.totalSize ?? 0) / 2 ** 20,
});

export interface HeapSampler {
  /** The latest sample, MiB; null before the first answer. */
  latest(): Usage | null;
  close(): void;
}

export async function sampleIsolateHeap(inspectorPort: number, everyMs = 1000, path = 'ws'): Promise<HeapSampler> {
  const inspector = await connectInspector(inspectorPort, path);
  let sample: Usage | null = null;
  const timer = setInterval(() => {
    void inspector.call('Runtime.getHeapUsage').then((result) => {
      if (result.usedSize !== undefined) sample = usageOf(result);
    });
  }, everyMs);
  return {
    latest: () => sample,
    close: () => {
      clearInterval(timer);
      inspector.close();
    },
  };
}

/** The isolate's JS heap in use now, MiB. */
export async function heapUsedMiB(inspectorPort: number, path: string): Promise<number> {
  const inspector = await connectInspector(inspectorPort, path);
  try {
    return usageOf(await inspector.call('Runtime.getHeapUsage')).used;
  } finally {
    inspector.close();
  }
}
