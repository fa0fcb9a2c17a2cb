// The int8 convolution's inner product in WebAssembly SIMD (AssemblyScript; built by `npm run build:wasm` into
// dot.wasm, which is committed). Only the int32 accumulation is here: patch (int16, zero-point corrected) ·
// filter rows (int8, widened on load), eight products per i32x4.dot_i16x8_s. Integer sums are exact, so the
// results equal the TypeScript kernel's bit for bit; requantization stays in TypeScript, shared by both paths.
// Memory is laid out by the host (shared/src/tflite/wasm-dot.ts): rows and the patch are padded to 8 values.

/** acc[oc] = Σₖ patch[k] · filter[oc · depth8 + k] for oc < outC; depth8 is a multiple of 8. */
export function dot(patch: usize, filter: usize, depth8: i32, outC: i32, acc: usize): void {
  let oc = 0;
  for (; oc + 4 <= outC; oc += 4) {
    const f0 = filter + <usize>(oc * depth8);
    const f1 = f0 + <usize>depth8;
    const f2 = f1 + <usize>depth8;
    const f3 = f2 + <usize>depth8;
    let s0 = i32x4.splat(0);
    let s1 = i32x4.splat(0);
    let s2 = i32x4.splat(0);
    let s3 = i32x4.splat(0);
    for (let k = 0; k < depth8; k += 8) {
      const x = v128.load(patch + (<usize>k << 1));
      const o = <usize>k;
      s0 = i32x4.add(s0, i32x4.dot_i16x8_s(x, v128.load8x8_s(f0 + o)));
      s1 = i32x4.add(s1, i32x4.dot_i16x8_s(x, v128.load8x8_s(f1 + o)));
      s2 = i32x4.add(s2, i32x4.dot_i16x8_s(x, v128.load8x8_s(f2 + o)));
      s3 = i32x4.add(s3, i32x4.dot_i16x8_s(x, v128.load8x8_s(f3 + o)));
    }
    const a = acc + (<usize>oc << 2);
    store<i32>(a, horizontal(s0));
    store<i32>(a, horizontal(s1), 4);
    store<i32>(a, horizontal(s2), 8);
    store<i32>(a, horizontal(s3), 12);
  }
  for (; oc < outC; oc++) {
    const f = filter + <usize>(oc * depth8);
    let s = i32x4.splat(0);
    for (let k = 0; k < depth8; k += 8) {
      s = i32x4.add(s, i32x4.dot_i16x8_s(v128.load(patch + (<usize>k << 1)), v128.load8x8_s(f + <usize>k)));
    }
    store<i32>(acc + (<usize>oc << 2), horizontal(s));
  }
}

@inline
function horizontal(s: v128): i32 {
  return i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) + i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);
}
