// A restricted unpickler for torch.save's data.pkl. It interprets the opcodes a state dict uses and builds
// plain values; it never imports or calls anything. The only globals it accepts are the four kinds of thing a
// state dict is made of — OrderedDict, torch._utils._rebuild_tensor_v2 (and _rebuild_parameter), and the
// storage classes named in persistent ids — each mapped to a JS stand-in. Any other global (os.system,
// builtins.eval, a model class…), and any opcode outside this subset, is refused with `unsafe_pickle`.
import { TransferError } from './errors.ts';

export type StorageDtype =
  'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

const STORAGES: Record<string, StorageDtype> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** A storage reference from a persistent id: the tensor bytes live in the zip at `data/<key>`. */
export interface StorageRef {
  kind: 'storage';
  dtype: StorageDtype;
  key: string;
}

/** What _rebuild_tensor_v2 was asked to build; pth.ts reads the bytes. */
export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  size: number[];
  stride: number[];
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleDict
  | TensorRef
  | StorageRef
  | Callable
  | StorageClass;

export class PickleDict extends Map<PickleValue, PickleValue> {}

interface Callable {
  kind: 'callable';
  name: string;
  call(args: PickleValue[]): PickleValue;
}

interface StorageClass {
  kind: 'storage-class';
  dtype: StorageDtype;
}

const unsafe = (what: string) =>
  new TransferError(
    'unsafe_pickle',
    `refusing to unpickle ${what}: a weights file may hold only tensors in (Ordered)dicts; nothing in it is executed`,
  );

const asInts = (v: PickleValue, what: string): number[] => {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x)))
    throw unsafe(`${what} that is not a tuple of ints`);
  return v as number[];
};

function rebuildTensor(args: PickleValue[]): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!storage || typeof storage !== 'object' || (storage as StorageRef).kind !== 'storage')
    throw unsafe('a tensor without a storage');
  if (typeof offset !== 'number') throw unsafe('a tensor with a non-integer storage offset');
  return {
    kind: 'tensor',
    storage: storage as StorageRef,
    offset,
    size: asInts(size!, 'a tensor size'),
    stride: asInts(stride!, 'a tensor stride'),
  };
}

function resolveGlobal(module: string, name: string): PickleValue {
  const full = `${module}.${name}`;
  if (full === 'collections.OrderedDict') return { kind: 'callable', name: full, call: () => new PickleDict() };
  if (full === 'torch._utils._rebuild_tensor_v2') return { kind: 'callable', name: full, call: rebuildTensor };
  if (full === 'torch._utils._rebuild_parameter') {
    return {
      kind: 'callable',
      name: full,
      call: (args) => {
        const t = args[0];
        if (!t || typeof t !== 'object' || (t as TensorRef).kind !== 'tensor')
          throw unsafe('a parameter that is not a tensor');
        return t;
      },
    };
  }
  if (module === 'torch' && STORAGES[name]) return { kind: 'storage-class', dtype: STORAGES[name]! };
  throw unsafe(`the global ${full}`);
}

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

export function unpickle(bytes: Uint8Array): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8', { fatal: true });
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > bytes.byteLength)
      throw new TransferError('bad_weights_file', `the pickle is truncated at byte ${pos}`);
  };
  const u8 = () => (need(1), bytes[pos++]!);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new TransferError('bad_weights_file', 'the pickle is truncated inside a GLOBAL');
    const s = text.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK)
      throw new TransferError('bad_weights_file', `the pickle's stack underflows at byte ${pos}`);
    return v;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK)
      throw new TransferError('bad_weights_file', `the pickle's stack underflows at byte ${pos}`);
    return v;
  };
  const popMark = (): PickleValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new TransferError('bad_weights_file', 'the pickle has no MARK');
    const items = stack.splice(i) as PickleValue[];
    items.shift();
    return items;
  };
  const setItems = (target: PickleValue, items: PickleValue[]) => {
    if (!(target instanceof PickleDict)) throw unsafe('items set on something that is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i]!, items[i + 1]!);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80:
        u8();
        break; // PROTO
      case 0x95:
        take(8);
        break; // FRAME
      case 0x2e:
        return pop(); // STOP
      case 0x28:
        stack.push(MARK);
        break;
      case 0x7d:
        stack.push(new PickleDict());
        break; // EMPTY_DICT
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x29:
        stack.push([]);
        break; // EMPTY_TUPLE
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4b:
        stack.push(u8());
        break; // BININT1
      case 0x4d:
        stack.push(u16());
        break; // BININT2
      case 0x4a:
        stack.push(i32());
        break; // BININT
      case 0x8a: {
        // LONG1
        const b = take(u8());
        let v = 0n;
        for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        if (b.length && b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
        stack.push(Number.isSafeInteger(Number(v)) ? Number(v) : v);
        break;
      }
      case 0x47:
        stack.push((need(8), (pos += 8), view.getFloat64(pos - 8, false)));
        break; // BINFLOAT
      case 0x58:
        stack.push(text.decode(take(u32())));
        break; // BINUNICODE
      case 0x8c:
        stack.push(text.decode(take(u8())));
        break; // SHORT_BINUNICODE
      case 0x43:
        stack.push(take(u8()).slice());
        break; // SHORT_BINBYTES
      case 0x42:
        stack.push(take(u32()).slice());
        break; // BINBYTES
      case 0x71:
        memo.set(u8(), top());
        break; // BINPUT
      case 0x72:
        memo.set(u32(), top());
        break; // LONG_BINPUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x68:
      case 0x6a: {
        // BINGET, LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) throw new TransferError('bad_weights_file', `the pickle reads memo ${k} before writing it`);
        stack.push(memo.get(k)!);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(resolveGlobal(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw unsafe('a STACK_GLOBAL without string names');
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x51: {
        // BINPERSID: ('storage', storage_type, key, location, numel)
        const pid = pop();
        if (!Array.isArray(pid) || pid[0] !== 'storage') throw unsafe('a persistent id that is not a tensor storage');
        const cls = pid[1] as StorageClass | undefined;
        if (!cls || cls.kind !== 'storage-class' || typeof pid[2] !== 'string')
          throw unsafe('a storage of an unknown type');
        stack.push({ kind: 'storage', dtype: cls.dtype, key: pid[2] });
        break;
      }
      case 0x74:
        stack.push(popMark());
        break; // TUPLE
      case 0x85:
        stack.push([pop()]);
        break;
      case 0x86: {
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!fn || typeof fn !== 'object' || (fn as Callable).kind !== 'callable' || !Array.isArray(args))
          throw unsafe('a call to something that is not an allowed constructor');
        stack.push((fn as Callable).call(args));
        break;
      }
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      } // SETITEM
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      } // SETITEMS
      case 0x61: {
        const v = pop();
        const l = top();
        if (!Array.isArray(l)) throw unsafe('APPEND to a non-list');
        l.push(v);
        break;
      }
      case 0x65: {
        const items = popMark();
        const l = top();
        if (!Array.isArray(l)) throw unsafe('APPENDS to a non-list');
        l.push(...items);
        break;
      }
      case 0x62: {
        // BUILD: only an OrderedDict's attributes (a state dict's `_metadata`), which we drop
        const state = pop();
        if (!(top() instanceof PickleDict) || !(state instanceof PickleDict || state === null))
          throw unsafe('object state (BUILD) on something that is not a dict');
        break;
      }
      default:
        throw unsafe(`pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${pos - 1}`);
    }
  }
}
