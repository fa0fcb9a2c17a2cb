// A decoded image as every preprocessing stage sees it: 8-bit samples, row-major, channels interleaved (HWC).
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export type ImageFormat = 'jpeg' | 'png' | 'webp';

/** What a file's header says, read without decoding any pixels. */
export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}
