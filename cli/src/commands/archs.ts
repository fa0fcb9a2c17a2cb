// `resnet-edge archs`: every architecture of the model zoo with its parameter count for one input size
// and class count (counted from Table 1, nothing is built, so it is instant even for VGG-16 or ResNet-152).
import type { ArchInfo } from '@resnet-edge/train/models/index';
import { defineCommand, UsageError } from '../command.ts';
import { intOpt, stringOpt } from '../options.ts';

export interface ArchRow extends ArchInfo {
  /** Parameters as torchvision counts them; null when the input is smaller than the architecture accepts. */
  params: number | null;
  unavailable?: string;
}

export interface ArchsResult {
  inputShape: [number, number, number];
  numClasses: number;
  architectures: ArchRow[];
}

/** Parses `HxWxC` (e.g. `224x224x3`). */
export function parseInputShape(raw: string): [number, number, number] {
  const m = /^(\d+)x(\d+)x(\d+)$/i.exec(raw.trim());
  const dims = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (!m || dims.some((d) => d < 1))
    throw new UsageError(`--input expects HxWxC with positive integers (e.g. 224x224x3), got '${raw}'`);
  return dims as [number, number, number];
}

export default defineCommand<ArchsResult>({
  usage: 'archs [--input 224x224x3] [--classes 1000] [--json]',
  details:
    'Parameters are counted as torchvision does: weights, biases and BatchNorm gamma/beta; BatchNorm moving statistics are buffers, not parameters.',
  options: {
    input: { type: 'string', valueName: 'HxWxC', description: 'input height x width x channels', default: '224x224x3' },
    classes: { type: 'string', valueName: 'N', description: 'number of classes', default: '1000' },
  },
  async run(args) {
    const inputShape = parseInputShape(stringOpt(args, 'input') ?? '224x224x3');
    const numClasses = intOpt(args, 'classes', 1000, { min: 2 });
    // Loaded on use: TF.js layers is heavy and most commands never need it.
    const { ARCHITECTURES, countParams, ModelError } = await import('@resnet-edge/train/models/index');
    const architectures = ARCHITECTURES.map((a): ArchRow => {
      try {
        return { ...a, params: countParams(a.name, { inputShape, numClasses }) };
      } catch (err) {
        if (err instanceof ModelError && err.code === 'input_too_small')
          return { ...a, params: null, unavailable: err.message };
        throw err;
      }
    });
    return { inputShape, numClasses, architectures };
  },
  render({ inputShape, numClasses, architectures }) {
    const rows = architectures.map((a) => [
      a.name,
      a.family,
      a.params === null ? `— (needs ≥ ${a.minInputSize}×${a.minInputSize})` : a.params.toLocaleString('en-US'),
      a.description,
    ]);
    const header = ['ARCH', 'FAMILY', 'PARAMS', 'DESCRIPTION'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) =>
      r
        .map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd();
    return [`Input ${inputShape.join('×')}, ${numClasses} classes`, '', line(header), ...rows.map(line)].join('\n');
  },
});
