// The spec's JPEG scale rule, in one place for the trainer and the worker. 'dct' (the default, also for
// manifests written before the field existed): the largest DCT-domain reduction 1/2, 1/4 or 1/8 — libjpeg's
// scale_denom — whose output's shorter side, ceil(side / scale), is still ≥ resizeShorter; 'full': never
// reduce. An image whose shorter side is under 2 × resizeShorter is decoded at full size either way, so
// models trained on small images see the same pixels under both rules.
import type { JpegScale } from '../image/jpeg/decode.ts';

export type JpegScaleRule = 'dct' | 'full';

export function jpegScaleFor(width: number, height: number, resizeShorter: number, rule: JpegScaleRule): JpegScale {
  if (rule === 'full') return 1;
  const shorter = Math.min(width, height);
  for (const scale of [8, 4, 2] as const) if (Math.ceil(shorter / scale) >= resizeShorter) return scale;
  return 1;
}
