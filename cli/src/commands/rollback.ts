import type { Pointer } from '@resnet-edge/shared/registry/manifest';
import { defineCommand } from '../command.ts';
import { positional } from '../options.ts';
import { actor, storeOptionSpecs, withStore } from '../store-flags.ts';
import { rollback } from '@resnet-edge/registry/promote';

export const rollbackCommand = defineCommand<Pointer>({
  usage: 'rollback NAME [--store URL]',
  positionals: [{ name: 'NAME', description: 'model name', required: true }],
  options: { ...storeOptionSpecs },
  async run(args) {
    const name = positional(args, 0, 'NAME');
    return withStore(args, (store) => rollback(store, name, actor()));
  },
  render: (p) => `${p.name}: current → ${p.version} (rolled back from ${p.previousVersion ?? 'none'})`,
});

export default rollbackCommand;
