// Failures of the compiled WebGPU step carry a stable code and a message naming the cause and what to do,
// like every trainer error (the CLI prints the code and exits 1).
import { TrainError } from '../errors.ts';

export type GpuStepErrorCode =
  | 'gpu_no_adapter'
  | 'gpu_device_lost'
  | 'gpu_out_of_memory'
  | 'gpu_too_large'
  | 'gpu_unsupported_model'
  | 'gpu_shader_error';

export class GpuStepError extends TrainError {
  override name = 'GpuStepError';
  constructor(
    override readonly code: GpuStepErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

export const WHAT_TO_DO = 'use a smaller --batch-size, --gpu-step tfjs, or another --backend (wasm)';
