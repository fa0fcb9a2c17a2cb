// BatchNorm folding: in inference BN is y = gamma · (x − mean) / sqrt(var + eps) + beta, an affine map per
// channel, so it can be absorbed into the preceding convolution's weights and bias:
//   w'[…, o] = w[…, o] · s[o],  b'[o] = (b[o] − mean[o]) · s[o] + beta[o],  s[o] = gamma[o] / sqrt(var[o] + eps).
// This is what TFLite's converter does before quantizing, so the int8 conv quantizes the folded weights.

export interface BatchNormParams {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/**
 * Folds BN into a conv kernel in HWIO layout (TF.js' layout; the output channel is the fastest-varying
 * index) and its bias (zeros when the conv had none). Returns new arrays; the inputs are not modified.
 */
export function foldBatchNorm(
  kernelHWIO: Float32Array,
  bias: Float32Array | null,
  bn: BatchNormParams,
): { kernel: Float32Array; bias: Float32Array } {
  const out = bn.gamma.length;
  if (kernelHWIO.length % out !== 0)
    throw new Error(`kernel of ${kernelHWIO.length} values does not end in ${out} output channels`);
  // Computed in float64 and rounded once, so folding adds no error beyond float32 storage.
  const scale = new Float64Array(out);
  for (let o = 0; o < out; o++) scale[o] = bn.gamma[o]! / Math.sqrt(bn.variance[o]! + bn.epsilon);
  const kernel = new Float32Array(kernelHWIO.length);
  for (let i = 0; i < kernel.length; i++) kernel[i] = kernelHWIO[i]! * scale[i % out]!;
  const folded = new Float32Array(out);
  for (let o = 0; o < out; o++) folded[o] = ((bias ? bias[o]! : 0) - bn.mean[o]!) * scale[o]! + bn.beta[o]!;
  return { kernel, bias: folded };
}
