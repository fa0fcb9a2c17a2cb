import type { Pointer } from '@resnet-edge/shared/registry/manifest';
import { defineCommand } from '../command.ts';
import { positional } from '../options.ts';
import { actor, storeOptionSpecs, withStore } from '../store-flags.ts';
import { promote } from '@resnet-edge/registry/promote';

export const promoteCommand = defineCommand<Pointer>({
  usage: 'promote NAME VERSION [--store URL]',
  positionals: [
    { name: 'NAME', description: 'model name', required: true },
    { name: 'VERSION', description: 'published version to serve', required: true },
  ],
  options: { ...storeOptionSpecs },
  async run(args) {
    const name = positional(args, 0, 'NAME');
    const version = positional(args, 1, 'VERSION');
    return withStore(args, (store) => promote(store, name, version, actor()));
  },
  render: (p) => `${p.name}: current → ${p.version} (was ${p.previousVersion ?? 'none'})`,
});

export default promoteCommand;
