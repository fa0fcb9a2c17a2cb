// ADD on WebAssembly (shared/wasm/conv.ts's `add`): the optimized kernel's table of reference outputs, copied once
// into the op's own block of wasm memory; one lookup per element.
import type { WasmOp } from '../../wasm-arena.ts';
import { prepareAdd } from '../add.ts';
import { wasmArenaOf, type Kernel } from '../kernel.ts';
import { ADD_TABLE_BYTES, addTable } from '../optimized/add.ts';

export const addWasm: Kernel<WasmOp> = {
  op: 'ADD',
  path: 'wasm',
  prepare(op, ctx) {
    const d = prepareAdd(op, ctx);
    const table = addTable(d);
    const { size, input1, input2, output } = d;
    return wasmArenaOf(op, ctx).request(
      { persistent: [ADD_TABLE_BYTES], scratch: { input: size, input2: size, output: size } },
      ({ buffer, exports, blocks, scratch }) => {
        const tableAt = blocks[0]!;
        new Int8Array(buffer, tableAt, ADD_TABLE_BYTES).set(table);
        const view1 = new Int8Array(buffer, scratch.input, size);
        const view2 = new Int8Array(buffer, scratch.input2, size);
        const outputView = new Int8Array(buffer, scratch.output, size);
        const addFn = exports.add;
        return () => {
          view1.set(input1);
          view2.set(input2);
          addFn(scratch.input, scratch.input2, scratch.output, size, tableAt);
          output.set(outputView);
        };
      },
    );
  },
  evaluate: (w) => w.run(),
};
