// Counts the work a step hands the GPU: `dispatchWorkgroups` calls and `queue.submit` calls on one device,
// by wrapping them until `restore()`. The structural test and the benchmark use it on both the compiled step's
// device and tfjs-backend-webgpu's, so "dispatches per step" is counted on the device, not taken from a plan.
export interface GpuCallCounter {
  readonly counts: { submits: number; dispatches: number };
  reset(): void;
  restore(): void;
}

export function countGpuCalls(device: GPUDevice): GpuCallCounter {
  const counts = { submits: 0, dispatches: 0 };
  const queue = device.queue;
  const submit = queue.submit;
  const createEncoder = device.createCommandEncoder;
  queue.submit = (buffers) => {
    counts.submits++;
    submit.call(queue, buffers);
  };
  device.createCommandEncoder = (descriptor) => {
    const encoder = createEncoder.call(device, descriptor);
    const begin = encoder.beginComputePass;
    encoder.beginComputePass = (passDescriptor) => {
      const pass = begin.call(encoder, passDescriptor);
      const dispatch = pass.dispatchWorkgroups;
      pass.dispatchWorkgroups = (x, y, z) => {
        counts.dispatches++;
        dispatch.call(pass, x, y, z);
      };
      return pass;
    };
    return encoder;
  };
  return {
    counts,
    reset() {
      counts.submits = 0;
      counts.dispatches = 0;
    },
    restore() {
      queue.submit = submit;
      device.createCommandEncoder = createEncoder;
    },
  };
}
