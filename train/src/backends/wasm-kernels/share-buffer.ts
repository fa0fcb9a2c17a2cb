// Identity, and Cast to the dtype a tensor already has, as a shared reference instead of a copy.
// The engine clones every tensor it saves for the backward pass, and the Relu gradient casts a float32
// mask to float32; on the wasm backend each of those was a full memcpy (≈235 activation-sized copies per
// ResNet-20 step). Tensor data is immutable, so sharing the buffer under a reference count — which is
// what the shipped Reshape kernel does — is safe.
import { Cast, Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

function share(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function makeIdentityConfig(shipped: KernelFunc): KernelConfig {
  const identity: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    return x.dtype === 'string' ? shipped(args) : share(args.backend as BackendWasm, x);
  };
  return { kernelName: Identity, backendName: 'wasm', kernelFunc: identity };
}

export function makeCastConfig(shipped: KernelFunc): KernelConfig {
  const cast: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    const { dtype } = args.attrs as unknown as { dtype: string };
    return x.dtype === dtype && dtype !== 'string' ? share(args.backend as BackendWasm, x) : shipped(args);
  };
  return { kernelName: Cast, backendName: 'wasm', kernelFunc: cast };
}
