// Loader (c): labels from the file name by regex rules, e.g. seed 003's `^[NH]=normal`, `^P=myopia`.
// Files no rule matches are skipped and reported, not guessed.
import { basename, resolve } from 'node:path';
import type { Dataset, FileNameRuleDatasetOptions, LabelRule, Sample } from './dataset.ts';
import { emptySkipped, recordSkip } from './skipped.ts';
import { DatasetError } from './errors.ts';
import { fileSource, listImages, relativeId, requireDirectory } from './files.ts';
import { checkClasses } from './labels.ts';

/** Parses the CLI form `REGEX=LABEL`; the last '=' separates them, so the regex may contain '='. */
export function parseLabelRule(text: string): LabelRule {
  const at = text.lastIndexOf('=');
  const pattern = at > 0 ? text.slice(0, at) : '';
  const label = at > 0 ? text.slice(at + 1).trim() : '';
  if (pattern === '' || label === '') {
    throw new DatasetError('bad_label_rule', `label rule '${text}' must look like REGEX=LABEL, e.g. '^P=myopia'`);
  }
  compileRule({ pattern, label });
  return { pattern, label };
}

function compileRule(rule: LabelRule): RegExp {
  try {
    return new RegExp(rule.pattern);
  } catch (e) {
    throw new DatasetError('bad_label_rule', `label rule '${rule.pattern}=${rule.label}': invalid regex (${(e as Error).message})`);
  }
}

export async function loadFileNameRuleDataset(options: FileNameRuleDatasetOptions): Promise<Dataset> {
  if (options.rules.length === 0) throw new DatasetError('bad_label_rule', 'a file-name-rule dataset needs at least one rule');
  const root = resolve(options.path);
  await requireDirectory(root, 'image folder');
  const labels = [...new Set(options.rules.map((r) => r.label))];
  const compiled = options.rules.map((r) => ({ regex: compileRule(r), label: labels.indexOf(r.label) }));

  const skipped = emptySkipped();
  const samples: Sample[] = [];
  for (const file of await listImages(root)) {
    const id = relativeId(root, file);
    const rule = compiled.find((r) => r.regex.test(basename(file)));
    if (rule) samples.push({ id, label: rule.label, source: fileSource(file) });
    else recordSkip(skipped, id, 'no label rule matches the file name');
  }
  checkClasses(`'${options.path}' (labels by file name)`, labels, samples);
  return { name: basename(root), labels, samples, skipped };
}
