// The model has no alpha channel, so transparent pixels are composited over white — what a viewer shows
// for a transparent PNG on a page — with integer rounding: out = floor((c·a + 255·(255 − a) + 127) / 255).
export function compositeOverWhite(c: number, a: number): number {
  return Math.floor((c * a + 255 * (255 - a) + 127) / 255);
}
