// Centre crop; when the margin is odd the extra pixel is dropped on the right/bottom: offset = floor((in − out) / 2).
// The spec check guarantees the image is at least as large as the crop (resizeShorter ≥ both crop sides).
import type { RawImage } from '../image/types.ts';

export function centerCrop(image: RawImage, outWidth: number, outHeight: number): RawImage {
  const { width, height, channels: c, data } = image;
  if (outWidth > width || outHeight > height) {
    throw new RangeError(`cannot crop ${outWidth}×${outHeight} out of a ${width}×${height} image`);
  }
  if (outWidth === width && outHeight === height) return image;
  const left = Math.floor((width - outWidth) / 2);
  const top = Math.floor((height - outHeight) / 2);
  const out = new Uint8Array(outWidth * outHeight * c);
  const rowLength = outWidth * c;
  for (let y = 0; y < outHeight; y++) {
    const start = ((top + y) * width + left) * c;
    out.set(data.subarray(start, start + rowLength), y * rowLength);
  }
  return { width: outWidth, height: outHeight, channels: c, data: out };
}
