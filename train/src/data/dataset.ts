// The Dataset abstraction: a named list of labelled samples whose bytes are read lazily. Loaders (one module
// per source kind) build it; splitDataset, materialize and fingerprint work on any Dataset alike.
//
// DatasetOptions is plain JSON: it is stored in run.json so a run records exactly which data trained it.
import type { RawImage } from '@resnet-edge/shared/image/types';

export { loadDataset } from './load.ts';
export { DatasetError, type DatasetErrorCode } from './errors.ts';
export { splitDataset } from './split.ts';
export { materialize, type Materialized } from './materialize.ts';
export { fingerprint } from './fingerprint.ts';
export { emptySkipped, recordSkip, SKIPPED_EXAMPLES } from './skipped.ts';
export { summarize, describeDataset, type DatasetSummary } from './summary.ts';

/** Encoded samples are files read on demand; raw samples (IDX) already hold their pixels. */
export type SampleSource = { kind: 'encoded'; read(): Promise<Uint8Array> } | { kind: 'raw'; image: RawImage };

export interface Sample {
  /** Stable and unique within the dataset: the path relative to the dataset root, or `file#index` for IDX. */
  id: string;
  /** Index into Dataset.labels. */
  label: number;
  source: SampleSource;
}

/** Things left out, with the first few examples so a user can find them. */
export interface SkippedReport {
  count: number;
  examples: { id: string; reason: string }[];
}

export interface Dataset {
  name: string;
  /** Class names; a sample's label indexes this list (the model's output order). */
  labels: string[];
  samples: Sample[];
  skipped: SkippedReport;
}

/** `DIR/<class>/*.{png,jpg,jpeg,webp}`; label order = `labels` if given, else the sorted class folder names. */
export interface FolderDatasetOptions {
  kind: 'folder';
  path: string;
  labels?: string[];
}

/**
 * A CSV manifest: one row per image. Paths are relative to `imageRoot` if given, else to the CSV's folder.
 * Label cells are class names, or (when `labels` is given and a cell is not one of them) an integer index into `labels`.
 */
export interface CsvDatasetOptions {
  kind: 'csv';
  path: string;
  pathColumn: string;
  labelColumn: string;
  imageRoot?: string;
  labels?: string[];
}

/** The first rule whose regex matches the file name (not the folder) names the label. */
export interface LabelRule {
  pattern: string;
  label: string;
}

/** Every image under `path` (recursively); label from the file name. Label order = first appearance in `rules`. */
export interface FileNameRuleDatasetOptions {
  kind: 'filename-rule';
  path: string;
  rules: LabelRule[];
}

/** MNIST-format IDX files, gzipped or not. `labels` names the classes 0..n-1 (default: the digits as strings). */
export interface IdxDatasetOptions {
  kind: 'idx';
  path: string;
  labelsPath: string;
  labels?: string[];
}

/** A folder per class under an S3 prefix: `s3://bucket/prefix/<class>/<image>`. Credentials: the standard AWS chain. */
export interface S3DatasetOptions {
  kind: 's3';
  uri: string;
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  labels?: string[];
}

/**
 * Several datasets as one (e.g. the base data plus user feedback for `retrain`), indexed by `labels`: every
 * part's classes must be among them; ids are prefixed with the part's position so they stay unique.
 */
export interface UnionDatasetOptions {
  kind: 'union';
  parts: DatasetOptions[];
  labels: string[];
}

export type DatasetOptions =
  | UnionDatasetOptions
  | FolderDatasetOptions
  | CsvDatasetOptions
  | FileNameRuleDatasetOptions
  | IdxDatasetOptions
  | S3DatasetOptions;
