// Sends fuzz cases to a worker on 127.0.0.1 and judges every answer by the API's contract: a JSON body
// `{error: {code, message}}` (or a 2xx JSON result), never a 5xx, never workerd's plain-text "Your worker
// restarted", never a hang. Also probes /healthz, and samples workerd's RSS and the latency per thousand.
import { readFileSync, readdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { FuzzCase } from './cases.ts';

export type Verdict = 'ok' | 'non_json' | 'server_error' | 'restart' | 'timeout' | 'connection';

export interface Outcome {
  case: FuzzCase;
  verdict: Verdict;
  status: number;
  ms: number;
  detail: string;
}

export interface Block {
  /** Requests 1000·i+1 … 1000·(i+1) (or the configured block size). */
  requests: number;
  p50: number;
  p99: number;
  max: number;
  failures: number;
  /** workerd's resident memory at the end of the block, summed over its processes (MiB). */
  rssMiB: number | null;
  /** The worker isolate's JS heap (used / reserved, MiB) last sampled before the block ended, when sampled. */
  heapMiB: { used: number; total: number } | null;
}

export interface FuzzReport {
  outcomes: Outcome[];
  failures: Outcome[];
  byVerdict: Record<Verdict, number>;
  blocks: Block[];
  healthFailures: string[];
  seconds: number;
}

export interface RunOptions {
  url: string;
  concurrency: number;
  timeoutMs: number;
  /** Stop issuing new cases after this long (the run stays bounded in time as well as count). */
  budgetMs: number;
  blockSize?: number;
  healthEvery?: number;
  /** The wrangler process: workerd's memory is read from its descendants in /proc. */
  wranglerPid?: number;
  /** Latest sample of the isolate's JS heap (tests/edge/isolate-inspector.ts), recorded with each block. */
  isolateHeapMiB?: () => { used: number; total: number } | null;
}

interface Answer {
  status: number;
  type: string;
  text: string;
}

function send(url: URL, c: FuzzCase, agent: Agent, timeoutMs: number, mayReuse = true): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...c.headers };
    let answered = false;
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: c.method,
        path: c.path,
        headers,
        // The retry below goes on a socket of its own.
        agent: mayReuse ? agent : false,
        timeout: timeoutMs,
      },
      (res) => {
        answered = true;
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(parts).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: 'TIMEOUT' })));
    req.on('error', (error: Error & { code?: string }) => {
      // A kept-alive socket the server closed while it sat idle (workerd closes one after a few idle seconds, which a
      // loaded CI box reaches) fails the next write on it with ECONNRESET before any answer: the request never
      // reached the worker, so it is sent again on a fresh socket, as Node's docs advise (`request.reusedSocket`).
      if (req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE') && !answered)
        send(url, c, agent, timeoutMs, false).then(resolve, reject);
      else reject(error);
    });
    if (c.chunks) {
      for (const chunk of c.chunks) req.write(chunk);
      req.end();
    } else if (c.body && c.method !== 'GET' && c.method !== 'HEAD') {
      if (headers['content-length'] === undefined) req.setHeader('content-length', c.body.byteLength);
      req.end(c.body);
    } else req.end();
  });
}

export function judge(c: FuzzCase, a: Answer): { verdict: Verdict; detail: string } {
  const detail = `${a.status} ${a.type} ${a.text.slice(0, 160)}`;
  if (a.status === 503 && /restarted/i.test(a.text)) return { verdict: 'restart', detail };
  if (a.status >= 500) return { verdict: 'server_error', detail };
  // HEAD and 204 carry no body by definition.
  if (c.method === 'HEAD' || a.status === 204) return { verdict: 'ok', detail };
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    return { verdict: 'non_json', detail };
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
  const refusalShaped = typeof error?.code === 'string' && typeof error.message === 'string';
  if (a.status >= 400 ? !refusalShaped : a.status < 200 || a.status >= 300) return { verdict: 'non_json', detail };
  return { verdict: 'ok', detail };
}

/** RSS of every workerd process below `pid`, in MiB (Linux /proc). */
export function workerdRssMiB(pid: number): number | null {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  let kib = 0,
    found = false;
  const walk = (p: number) => {
    for (const child of children.get(p) ?? []) {
      if (names.get(child) === 'workerd') {
        try {
          kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child}/status`, 'utf8'))?.[1] ?? 0);
          found = true;
        } catch {
          /* gone */
        }
      }
      walk(child);
    }
  };
  walk(pid);
  return found ? kib / 1024 : null;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;

export async function runFuzz(cases: Iterable<FuzzCase>, opts: RunOptions): Promise<FuzzReport> {
  const url = new URL(opts.url);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const blockSize = opts.blockSize ?? 1000,
    healthEvery = opts.healthEvery ?? 250;
  const outcomes: Outcome[] = [],
    blocks: Block[] = [],
    healthFailures: string[] = [];
  const iterator = cases[Symbol.iterator]();
  const start = performance.now();
  let blockTimes: number[] = [],
    blockFailures = 0;

  const closeBlock = () => {
    const sorted = [...blockTimes].sort((a, b) => a - b);
    blocks.push({
      requests: sorted.length,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted.at(-1) ?? 0,
      failures: blockFailures,
      rssMiB: opts.wranglerPid ? workerdRssMiB(opts.wranglerPid) : null,
      heapMiB: opts.isolateHeapMiB?.() ?? null,
    });
    blockTimes = [];
    blockFailures = 0;
  };

  async function health(): Promise<void> {
    try {
      const a = await send(
        url,
        { id: 'health', family: 'framing', what: 'GET /healthz', method: 'GET', path: '/healthz', headers: {} },
        agent,
        opts.timeoutMs,
      );
      if (a.status !== 200) healthFailures.push(`after ${outcomes.length}: ${a.status} ${a.text.slice(0, 120)}`);
    } catch (error) {
      healthFailures.push(`after ${outcomes.length}: ${(error as Error).message}`);
    }
  }

  async function lane(): Promise<void> {
    for (;;) {
      if (performance.now() - start > opts.budgetMs) return;
      const next = iterator.next();
      if (next.done) return;
      const c = next.value;
      const t = performance.now();
      let outcome: Outcome;
      try {
        const a = await send(url, c, agent, opts.timeoutMs);
        outcome = { case: c, status: a.status, ms: performance.now() - t, ...judge(c, a) };
      } catch (error) {
        const e = error as Error & { code?: string };
        outcome = {
          case: c,
          status: 0,
          ms: performance.now() - t,
          verdict: e.code === 'TIMEOUT' ? 'timeout' : 'connection',
          detail: `${e.code ?? ''} ${e.message}`,
        };
      }
      outcomes.push(outcome);
      blockTimes.push(outcome.ms);
      if (outcome.verdict !== 'ok') blockFailures++;
      if (outcomes.length % healthEvery === 0) await health();
      if (blockTimes.length >= blockSize) closeBlock();
    }
  }

  await Promise.all(Array.from({ length: opts.concurrency }, lane));
  if (blockTimes.length > 0) closeBlock();
  await health();
  agent.destroy();
  const byVerdict = { ok: 0, non_json: 0, server_error: 0, restart: 0, timeout: 0, connection: 0 } as Record<
    Verdict,
    number
  >;
  for (const o of outcomes) byVerdict[o.verdict]++;
  return {
    outcomes,
    failures: outcomes.filter((o) => o.verdict !== 'ok'),
    byVerdict,
    blocks,
    healthFailures,
    seconds: (performance.now() - start) / 1000,
  };
}
