// `auto` between GPU backends: when more than one can start (tfjs-node-gpu, webgpu), a few training steps of a
// small ResNet-20 on each decide, and the log line says what was measured. The measuring itself
// (run/backend-probe.ts) trains a model, so it is passed in: backends/ stays below models/, training/ and gpu/.
import { activate } from './activate.ts';
import { describeError } from './errors.ts';
import type { BackendName } from './names.ts';

export interface Contender {
  name: BackendName;
  tfBackend: string;
  detail: string;
}

export interface RaceResult {
  name: BackendName;
  /** What was measured ("compiled step", "tfjs step"). */
  what: string;
  imgPerSec?: number;
  error?: string;
}

export interface Probe {
  size: number;
  batch: number;
  steps: number;
}

/** The start-up probe: ResNet-20 on 16×16 images, batch 16, one warm-up step and 3 timed ones. */
export const PROBE: Probe = { size: 16, batch: 16, steps: 3 };

/** Training img/s of the probe on a contender (whose backend it activates). */
export type Measure = (c: Contender, probe: Probe) => Promise<number>;

/** Measures every contender (a failed probe loses, with its reason) and activates the fastest. */
export async function raceBackends(
  contenders: readonly Contender[],
  measure: Measure,
  probe: Probe = PROBE,
): Promise<{ winner: Contender; results: RaceResult[]; line: string }> {
  const results: RaceResult[] = [];
  for (const c of contenders) {
    const what = c.name === 'webgpu' ? 'compiled step' : 'tfjs step';
    try {
      results.push({ name: c.name, what, imgPerSec: await measure(c, probe) });
    } catch (err) {
      results.push({ name: c.name, what, error: describeError(err) });
    }
  }
  const ranked = results.filter((r) => r.imgPerSec !== undefined).sort((a, b) => b.imgPerSec! - a.imgPerSec!);
  const best = ranked[0] ?? results[0]!;
  const winner = contenders.find((c) => c.name === best.name)!;
  await activate(winner.tfBackend);
  return { winner, results, line: describeRace(best, results, probe) };
}

const rate = (r: RaceResult) =>
  r.imgPerSec !== undefined ? `${r.what} ${r.imgPerSec.toFixed(1)} img/s` : `${r.what} failed: ${r.error}`;

/** e.g. "backend auto → webgpu (compiled step 412.0 img/s vs tfjs-node-gpu: tfjs step 300.0 img/s)". */
export function describeRace(best: RaceResult, results: readonly RaceResult[], probe: Probe = PROBE): string {
  const others = results.filter((r) => r !== best).map((r) => `${r.name}: ${rate(r)}`);
  return `backend auto → ${best.name} (${rate(best)}${others.length ? ` vs ${others.join(', ')}` : ''}; ResNet-20 ${probe.size}×${probe.size}, batch ${probe.batch})`;
}
