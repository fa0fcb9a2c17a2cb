// The Server-Timing header the classify route sends: phases between marks, phases added from elsewhere, a total,
// and the parser the benchmark reads it back with (a fake clock: no timing here).
import { describe, expect, it } from 'vitest';
import { parseServerTiming, startPhaseTimer } from '../../edge/src/server-timing.ts';

describe('startPhaseTimer', () => {
  it('names the time between marks, keeps added phases in order and ends with the total', () => {
    const ticks = [100, 100.4, 103, 110.25];
    const timer = startPhaseTimer(() => ticks.shift()!);
    timer.mark('upload');
    timer.mark('model');
    timer.add('decode', 1.234);
    expect(timer.header()).toBe('upload;dur=0.40, model;dur=2.60, decode;dur=1.23, total;dur=10.25');
  });

  it('never writes a negative duration (a clock that steps back)', () => {
    const ticks = [5, 4, 4];
    const timer = startPhaseTimer(() => ticks.shift()!);
    timer.mark('upload');
    expect(timer.header()).toBe('upload;dur=0.00, total;dur=0.00');
  });
});

describe('parseServerTiming', () => {
  it('reads back what the timer writes, and skips entries without a duration', () => {
    expect(parseServerTiming('upload;dur=0.40, cache;desc="hit", model;dur=2.6, total;dur=10.25')).toEqual({
      upload: 0.4,
      model: 2.6,
      total: 10.25,
    });
    expect(parseServerTiming(null)).toEqual({});
  });
});
