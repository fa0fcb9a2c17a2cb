// torchvision's ResNet state dict (torchvision/models/resnet.py) in our names and layouts. Their module tree is
// conv1/bn1 → layer1..layer4 of blocks with conv{k}/bn{k} and `downsample.0/1` → fc; ours follows Keras
// applications: conv1_conv/conv1_bn → conv2..conv5 stages, `<stage>_block<b>_<k>_conv|bn`, `_0_` for the
// shortcut → predictions. Conv weights go OIHW → HWIO, Linear [out, in] → Dense [in, out]; BatchNorm's
// weight/bias/running_mean/running_var are gamma/beta/moving_mean/moving_variance (both use ε = 1e-5).
import { TransferError } from './errors.ts';
import { transpose, type StateDict } from './tensors.ts';

const BN: Record<string, string> = {
  weight: 'gamma',
  bias: 'beta',
  running_mean: 'moving_mean',
  running_var: 'moving_variance',
};

/** Our name for one torchvision key; null for bookkeeping tensors (num_batches_tracked). */
export function torchvisionName(key: string): string | null {
  const parts = key.split('.');
  const leaf = parts.at(-1)!;
  if (leaf === 'num_batches_tracked') return null;
  const bn = (prefix: string) => {
    const w = BN[leaf];
    if (!w) throw unknownKey(key);
    return `${prefix}/${w}`;
  };
  if (parts[0] === 'conv1' && leaf === 'weight' && parts.length === 2) return 'conv1_conv/kernel';
  if (parts[0] === 'bn1' && parts.length === 2) return bn('conv1_bn');
  if (parts[0] === 'fc' && parts.length === 2) {
    if (leaf === 'weight') return 'predictions/kernel';
    if (leaf === 'bias') return 'predictions/bias';
  }
  const m = /^layer(\d)$/.exec(parts[0]!);
  const block = Number(parts[1]);
  if (m && Number.isInteger(block)) {
    const prefix = `conv${Number(m[1]) + 1}_block${block + 1}`;
    const sub = parts.slice(2, -1).join('.');
    const conv = /^conv(\d)$/.exec(sub);
    if (conv && leaf === 'weight') return `${prefix}_${conv[1]}_conv/kernel`;
    const bnm = /^bn(\d)$/.exec(sub);
    if (bnm) return bn(`${prefix}_${bnm[1]}_bn`);
    if (sub === 'downsample.0' && leaf === 'weight') return `${prefix}_0_conv/kernel`;
    if (sub === 'downsample.1') return bn(`${prefix}_0_bn`);
  }
  throw unknownKey(key);
}

const unknownKey = (key: string) =>
  new TransferError(
    'weights_mismatch',
    `tensor '${key}' is not part of a torchvision ResNet (resnet18 … resnet152); is this another architecture?`,
  );

/** Renamed and re-laid-out; `origin` maps each of our names back to the file's key, for error messages. */
export function fromTorchvision(dict: StateDict): { weights: StateDict; origin: Map<string, string> } {
  const weights: StateDict = new Map();
  const origin = new Map<string, string>();
  for (const [key, t] of dict) {
    const name = torchvisionName(key);
    if (name === null) continue;
    let value = t;
    if (t.shape.length === 4) value = transpose(t, [2, 3, 1, 0]);
    else if (t.shape.length === 2) value = transpose(t, [1, 0]);
    weights.set(name, value);
    origin.set(name, key);
  }
  return { weights, origin };
}

/** Which torchvision depth a state dict is (from its blocks per stage and block kind), or null. */
export function torchvisionArch(dict: StateDict): string | null {
  const blocks = [0, 0, 0, 0];
  let bottleneck = false;
  for (const key of dict.keys()) {
    const m = /^layer(\d)\.(\d+)\.conv(\d)\./.exec(key);
    if (!m) continue;
    const s = Number(m[1]) - 1;
    if (s >= 0 && s < 4) blocks[s] = Math.max(blocks[s]!, Number(m[2]) + 1);
    if (m[3] === '3') bottleneck = true;
  }
  const table: Record<string, string> = {
    'b2-2-2-2': 'resnet18',
    'b3-4-6-3': 'resnet34',
    'B3-4-6-3': 'resnet50',
    'B3-4-23-3': 'resnet101',
    'B3-8-36-3': 'resnet152',
  };
  return table[`${bottleneck ? 'B' : 'b'}${blocks.join('-')}`] ?? null;
}
