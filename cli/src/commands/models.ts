import { defineCommand } from '../command.ts';
import { storeOptionSpecs, withStore } from '../store-flags.ts';
import { listModels, type ModelSummary } from '@resnet-edge/registry/list';

export const modelsCommand = defineCommand<{ store: string; models: ModelSummary[] }>({
  usage: 'models [NAME] [--store URL]',
  positionals: [{ name: 'NAME', description: 'only this model' }],
  options: { ...storeOptionSpecs },
  async run(args) {
    return withStore(args, async (store) => ({
      store: store.describe,
      models: await listModels(store, args.positionals[0]),
    }));
  },
  render: ({ store, models }) => {
    if (models.length === 0) return `no models in ${store}`;
    const pct = (x: number | undefined) => (x === undefined ? '—' : `${(x * 100).toFixed(2)}%`);
    const lines = [`models in ${store}`];
    for (const m of models) {
      // Versions such as 1.0.0-demo.20261124183921 are long: size the column to the longest one.
      const width = Math.max(12, ...m.versions.map((v) => v.version.length + 1));
      lines.push(
        '',
        `${m.name} (current: ${m.current ?? 'none'})`,
        `    ${'version'.padEnd(width)} arch         float top-1  int8 top-1   size        created`,
      );
      for (const v of m.versions) {
        lines.push(
          `  ${v.current ? '*' : ' '} ${v.version.padEnd(width)} ${v.arch.padEnd(12)} ${pct(v.top1Float).padEnd(12)} ${pct(v.top1Int8).padEnd(12)} ${`${(v.modelBytes / 1024).toFixed(1)} KiB`.padEnd(11)} ${v.createdAt}`,
        );
      }
    }
    return lines.join('\n');
  },
});

export default modelsCommand;
