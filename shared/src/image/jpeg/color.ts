// Component planes → 8-bit gray or RGB. YCbCr uses JFIF's equations in 16-bit fixed point (as libjpeg's
// jdcolor.c); chroma planes are upsampled by replication. Four components are Adobe CMYK or YCCK, stored
// inverted as Photoshop writes them, so R = C·K / 255 on the stored values (YCCK's YCC decodes to 255 − C).
const ONE_HALF = 1 << 15;
const fix = (x: number): number => Math.round(x * 65536);
const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (fix(1.402) * x + ONE_HALF) >> 16;
  CB_B[i] = (fix(1.772) * x + ONE_HALF) >> 16;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + ONE_HALF;
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

export type ColorModel = 'gray' | 'rgb' | 'ycbcr' | 'cmyk' | 'ycck';

export interface Plane {
  data: Uint8Array;
  stride: number;
  /** Output column → plane column, and output row → plane row (the upsampling). */
  columnOf: Int32Array;
  rowOf: Int32Array;
}

/** Writes output row `y` (width × channels samples) from the planes. */
export function convertRow(
  model: ColorModel,
  planes: Plane[],
  y: number,
  width: number,
  out: Uint8Array,
  at: number,
): void {
  const rows = planes.map((p) => p.rowOf[y]! * p.stride);
  if (model === 'gray') {
    const p = planes[0]!;
    for (let x = 0; x < width; x++) out[at + x] = p.data[rows[0]! + p.columnOf[x]!]!;
    return;
  }
  if (model === 'ycbcr') {
    ycbcrRow(planes[0]!, planes[1]!, planes[2]!, rows[0]!, rows[1]!, rows[2]!, width, out, at);
    return;
  }
  const [p0, p1, p2, p3] = planes as [Plane, Plane, Plane, Plane?];
  const [r0, r1, r2, r3] = rows as [number, number, number, number?];
  for (let x = 0, o = at; x < width; x++, o += 3) {
    const a = p0.data[r0 + p0.columnOf[x]!]!;
    const b = p1.data[r1 + p1.columnOf[x]!]!;
    const c = p2.data[r2 + p2.columnOf[x]!]!;
    let r: number, g: number, bl: number;
    if (model === 'rgb' || model === 'cmyk') {
      r = a;
      g = b;
      bl = c;
    } else {
      r = clamp(a + CR_R[c]!);
      g = clamp(a + ((CB_G[b]! + CR_G[c]!) >> 16));
      bl = clamp(a + CB_B[b]!);
    }
    if (model === 'ycck') {
      // YCC carries the inverted C, M, Y: back to the stored (Adobe-inverted) values first.
      r = 255 - r;
      g = 255 - g;
      bl = 255 - bl;
    }
    if (model === 'cmyk' || model === 'ycck') {
      const k = p3!.data[r3! + p3!.columnOf[x]!]!;
      r = Math.floor((r * k + 127) / 255);
      g = Math.floor((g * k + 127) / 255);
      bl = Math.floor((bl * k + 127) / 255);
    }
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = bl;
  }
}

/** The common case (photos) on its own, with every lookup hoisted: the same arithmetic as convertRow's general loop. */
function ycbcrRow(
  py: Plane,
  pb: Plane,
  pr: Plane,
  ry: number,
  rb: number,
  rr: number,
  width: number,
  out: Uint8Array,
  at: number,
): void {
  const yData = py.data,
    bData = pb.data,
    rData = pr.data;
  const yCol = py.columnOf,
    bCol = pb.columnOf,
    rCol = pr.columnOf;
  for (let x = 0, o = at; x < width; x++, o += 3) {
    const a = yData[ry + yCol[x]!]!;
    const b = bData[rb + bCol[x]!]!;
    const c = rData[rr + rCol[x]!]!;
    const r = a + CR_R[c]!;
    const g = a + ((CB_G[b]! + CR_G[c]!) >> 16);
    const bl = a + CB_B[b]!;
    out[o] = r < 0 ? 0 : r > 255 ? 255 : r;
    out[o + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
    out[o + 2] = bl < 0 ? 0 : bl > 255 ? 255 : bl;
  }
}
