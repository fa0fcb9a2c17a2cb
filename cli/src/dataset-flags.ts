// The dataset flags shared by `train`, `eval` and `quantize`, and their translation into DatasetOptions.
// What --data points at decides the loader: a folder (a folder per class, or any folder with --label-rule),
// a .csv manifest, or an IDX images file. Every refusal is a UsageError that names the flag.
import { resolve } from 'node:path';
import { UsageError, type OptionSpec, type ParsedArgs } from './command.ts';
import type { DatasetOptions, LabelRule } from '@resnet-edge/train/data/dataset';
import { DatasetError } from '@resnet-edge/train/data/errors';
import { parseLabelRule } from '@resnet-edge/train/data/filename-rule';
import { LABEL_PRESETS } from '@resnet-edge/train/data/presets';

export const datasetOptionSpecs: Record<string, OptionSpec> = {
  data: {
    type: 'string',
    valueName: 'PATH',
    description:
      'dataset: a folder per class (DIR/<class>/*.png|jpg|webp), a .csv manifest, an IDX images file (.gz or not), or s3://bucket/prefix (a folder per class)',
  },
  'csv-path-col': {
    type: 'string',
    valueName: 'NAME',
    description: 'CSV column holding the image path',
    default: 'path',
  },
  'csv-label-col': { type: 'string', valueName: 'NAME', description: 'CSV column holding the label', default: 'label' },
  'image-root': {
    type: 'string',
    valueName: 'DIR',
    description: "folder CSV paths are relative to (default: the CSV's folder)",
  },
  'label-rule': {
    type: 'string',
    valueName: 'REGEX=LABEL',
    multiple: true,
    description:
      "label images in --data by file name, first match wins; repeat per rule, e.g. --label-rule '^[NH]=normal' --label-rule '^P=myopia'",
  },
  'idx-labels': {
    type: 'string',
    valueName: 'PATH',
    description: 'IDX labels file (default: the images file name with images-idx3 → labels-idx1)',
  },
  labels: {
    type: 'string',
    valueName: 'LIST',
    description: `class names in output order, comma-separated, or a preset (${Object.keys(LABEL_PRESETS).join(', ')})`,
  },
};

const IDX_IMAGES = /-idx[34]-ubyte(\.gz)?$/i;

/** DatasetOptions from the flags, or undefined when --data is absent (the caller picks its default). */
export function datasetOptionsFromArgs(args: ParsedArgs): DatasetOptions | undefined {
  const data = stringValue(args, 'data');
  const labels = labelList(stringValue(args, 'labels'));
  const rules = labelRules(args);
  const given = (name: string) => args.values[name] !== undefined && !isDefault(name, args.values[name]);

  if (data === undefined) {
    const stray = Object.keys(datasetOptionSpecs).find((name) => name !== 'data' && given(name));
    if (stray) throw new UsageError(`--${stray} needs --data PATH`);
    return undefined;
  }
  const refuse = (flags: string[], kind: string) => {
    const bad = flags.find(given);
    if (bad) throw new UsageError(`--${bad} does not apply to ${kind} ('${data}')`);
  };
  if (/^s3:\/\//i.test(data)) {
    // Endpoint, region and credentials come from the standard AWS environment (AWS_ENDPOINT_URL, AWS_REGION, …).
    refuse(
      ['csv-path-col', 'csv-label-col', 'image-root', 'idx-labels', 'label-rule'],
      'an S3 prefix (folder per class)',
    );
    return { kind: 's3', uri: data, ...(labels && { labels }) };
  }
  const path = resolve(data);

  if (rules.length > 0) {
    refuse(
      ['csv-path-col', 'csv-label-col', 'image-root', 'idx-labels', 'labels'],
      'a dataset labelled by --label-rule (the rules name the labels)',
    );
    return { kind: 'filename-rule', path, rules };
  }
  if (/\.csv$/i.test(data)) {
    refuse(['idx-labels'], 'a CSV manifest');
    const imageRoot = stringValue(args, 'image-root');
    return {
      kind: 'csv',
      path,
      pathColumn: stringValue(args, 'csv-path-col') ?? 'path',
      labelColumn: stringValue(args, 'csv-label-col') ?? 'label',
      ...(imageRoot !== undefined && { imageRoot: resolve(imageRoot) }),
      ...(labels && { labels }),
    };
  }
  refuse(['csv-path-col', 'csv-label-col', 'image-root'], 'a non-CSV dataset');
  const idxLabels = stringValue(args, 'idx-labels');
  if (idxLabels !== undefined || IDX_IMAGES.test(data)) {
    const labelsPath =
      idxLabels ?? (/images-idx3/i.test(data) ? data.replace(/images-idx3/i, 'labels-idx1') : undefined);
    if (labelsPath === undefined) throw new UsageError(`--idx-labels PATH is required for the IDX file '${data}'`);
    return { kind: 'idx', path, labelsPath: resolve(labelsPath), ...(labels && { labels }) };
  }
  return { kind: 'folder', path, ...(labels && { labels }) };
}

function stringValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} expects a value`);
  if (v.trim() === '') throw new UsageError(`--${name} expects a non-empty value`);
  return v;
}

function isDefault(name: string, value: unknown): boolean {
  return datasetOptionSpecs[name]?.default !== undefined && datasetOptionSpecs[name]?.default === value;
}

function labelList(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const preset = LABEL_PRESETS[raw];
  if (preset) return [...preset];
  const names = raw.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new UsageError(`--labels: empty class name in '${raw}'`);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`--labels: class '${dup}' is listed twice`);
  if (names.length < 2) throw new UsageError(`--labels needs at least two classes, got '${raw}'`);
  return names;
}

function labelRules(args: ParsedArgs): LabelRule[] {
  const v = args.values['label-rule'];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((text) => {
    if (typeof text !== 'string') throw new UsageError('--label-rule expects REGEX=LABEL');
    try {
      return parseLabelRule(text);
    } catch (e) {
      if (e instanceof DatasetError) throw new UsageError(`--label-rule: ${e.message}`);
      throw e;
    }
  });
}
