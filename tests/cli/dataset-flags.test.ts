// The dataset flags → DatasetOptions, parsed the way the CLI parses them (node:util parseArgs with our specs).
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, type ParsedArgs } from '../../cli/src/command.ts';
import { datasetOptionSpecs, datasetOptionsFromArgs } from '../../cli/src/dataset-flags.ts';
import { FASHION_MNIST_LABELS } from '../../train/src/data/presets.ts';
import { loadDataset } from '../../train/src/data/load.ts';

function args(argv: string[]): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries(datasetOptionSpecs).map(([name, s]) => [
      name,
      { type: s.type, ...(s.multiple && { multiple: true }), ...(s.default !== undefined && { default: s.default }) },
    ]),
  );
  const { values, positionals } = parseArgs({
    args: argv,
    options: options as never,
    allowPositionals: true,
    strict: true,
  });
  return { values: values as ParsedArgs['values'], positionals };
}

const SEED003 = 'tests/fixtures/datasets/seed003';

describe('datasetOptionsFromArgs', () => {
  it('returns undefined without --data, so the command uses its default', () => {
    expect(datasetOptionsFromArgs(args([]))).toBeUndefined();
  });

  it('picks the loader from what --data points at', () => {
    expect(datasetOptionsFromArgs(args(['--data', 'data/fashion-mnist-mini/train']))).toEqual({
      kind: 'folder',
      path: resolve('data/fashion-mnist-mini/train'),
    });
    expect(
      datasetOptionsFromArgs(
        args([
          '--data',
          `${SEED003}/Fovea_Location_validation.csv`,
          '--csv-path-col',
          'imgName',
          '--csv-label-col',
          'Label',
          '--labels',
          'normal,myopia',
        ]),
      ),
    ).toEqual({
      kind: 'csv',
      path: resolve(SEED003, 'Fovea_Location_validation.csv'),
      pathColumn: 'imgName',
      labelColumn: 'Label',
      labels: ['normal', 'myopia'],
    });
    expect(
      datasetOptionsFromArgs(args(['--data', SEED003, '--label-rule', '^[NH]=normal', '--label-rule', '^P=myopia'])),
    ).toEqual({
      kind: 'filename-rule',
      path: resolve(SEED003),
      rules: [
        { pattern: '^[NH]', label: 'normal' },
        { pattern: '^P', label: 'myopia' },
      ],
    });
    expect(
      datasetOptionsFromArgs(args(['--data', '/d/train-images-idx3-ubyte.gz', '--labels', 'fashion-mnist'])),
    ).toEqual({
      kind: 'idx',
      path: '/d/train-images-idx3-ubyte.gz',
      labelsPath: '/d/train-labels-idx1-ubyte.gz',
      labels: [...FASHION_MNIST_LABELS],
    });
    expect(datasetOptionsFromArgs(args(['--data', '/d/imgs', '--idx-labels', '/d/lbls']))).toMatchObject({
      kind: 'idx',
      labelsPath: '/d/lbls',
    });
  });

  it('builds options the loaders accept (seed 003 CSV via flags)', async () => {
    const options = datasetOptionsFromArgs(
      args([
        '--data',
        `${SEED003}/Fovea_Location_validation.csv`,
        '--csv-path-col',
        'imgName',
        '--csv-label-col',
        'Label',
      ]),
    );
    const ds = await loadDataset(options!);
    expect(ds.samples).toHaveLength(6);
  });

  it('refuses bad flag combinations with a UsageError naming the flag', () => {
    const cases: [string[], RegExp][] = [
      [['--labels', 'a,b'], /--labels needs --data/],
      [['--data', 'x.csv', '--idx-labels', 'y'], /--idx-labels does not apply/],
      [['--data', 'dir', '--csv-path-col', 'p'], /--csv-path-col does not apply/],
      [['--data', 'dir', '--label-rule', '^P'], /--label-rule: .*REGEX=LABEL/],
      [['--data', 'dir', '--label-rule', '^P=a', '--labels', 'a,b'], /--labels does not apply/],
      [['--data', 'dir', '--labels', 'a'], /--labels needs at least two/],
      [['--data', 'dir', '--labels', 'a,,b'], /--labels: empty class name/],
      [['--data', 'dir', '--labels', 'a,b,a'], /--labels: class 'a' is listed twice/],
      [['--data', 'images.bin', '--idx-labels', ''], /--idx-labels expects a non-empty value/],
      [['--data', 's3://bucket/prefix/', '--csv-path-col', 'p'], /--csv-path-col does not apply to an S3 prefix/],
      [['--data', '/d/digits-idx3-ubyte.gz'], /--idx-labels PATH is required/],
    ];
    for (const [argv, message] of cases) {
      let err: unknown;
      try {
        datasetOptionsFromArgs(args(argv));
      } catch (e) {
        err = e;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(UsageError);
      expect((err as Error).message, argv.join(' ')).toMatch(message);
    }
  });
});
