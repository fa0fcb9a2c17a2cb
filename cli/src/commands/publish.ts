import { defineCommand } from '../command.ts';
import { boolOpt, positional, stringOpt } from '../options.ts';
import { actor, storeOptionSpecs, withStore } from '../store-flags.ts';
import { publishModel, type PublishResult } from '@resnet-edge/registry/publish';

export const publishCommand = defineCommand<PublishResult & { store: string }>({
  usage: 'publish DIR [--name NAME] [--version X.Y.Z] [--store URL] [--no-promote]',
  details: `DIR is what \`resnet-edge quantize\` wrote: manifest.json and the files it lists. Files are uploaded
create-only and verified by reading them back; the pointer models/<name>/current.json moves last, by a
conditional write, so a publish that fails part-way leaves the previous version served.`,
  positionals: [{ name: 'DIR', description: 'model folder with manifest.json + model.tflite', required: true }],
  options: {
    ...storeOptionSpecs,
    name: { type: 'string', description: "publish under this model name instead of the manifest's" },
    version: { type: 'string', valueName: 'X.Y.Z', description: "publish as this version instead of the manifest's" },
    'no-promote': { type: 'boolean', description: 'upload the version but leave the pointer where it is' },
  },
  async run(args, io) {
    const dir = positional(args, 0, 'DIR');
    return withStore(args, async (store) => {
      io.log(`publishing ${dir} to ${store.describe}`);
      const name = stringOpt(args, 'name');
      const version = stringOpt(args, 'version');
      const result = await publishModel(store, dir, {
        by: actor(),
        promote: !boolOpt(args, 'no-promote'),
        ...(name ? { name } : {}),
        ...(version ? { version } : {}),
      });
      return { ...result, store: store.describe };
    });
  },
  render: (r) =>
    [
      `published ${r.name}@${r.version} to ${r.store}`,
      ...r.files.map((f) => `  ${f.key}  ${f.size} bytes  sha256 ${f.sha256.slice(0, 12)}…`),
      r.promoted
        ? `current → ${r.version} (was ${r.pointer?.previousVersion ?? 'none'})`
        : `not promoted; current stays ${r.pointer?.version ?? 'none'}`,
    ].join('\n'),
});

export default publishCommand;
