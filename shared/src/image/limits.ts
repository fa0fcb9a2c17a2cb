// Phone photos are 12–50 MP; with DCT-scaled JPEG decoding and row-streamed PNG their cost follows the
// model's input size, so the header limit only stops absurd sizes. The preprocess spec's `maxPixels`
// defaults to this; the decoder owns it because it is the decoder that refuses.
export const DEFAULT_MAX_PIXELS = 50_000_000;
