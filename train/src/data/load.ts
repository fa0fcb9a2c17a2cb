// One entry point over the loaders: DatasetOptions.kind picks the module that reads the source.
import type { Dataset, DatasetOptions } from './dataset.ts';
import { loadFolderDataset } from './folder.ts';
import { loadCsvDataset } from './csv.ts';
import { loadFileNameRuleDataset } from './filename-rule.ts';
import { loadIdxDataset } from './idx.ts';
import { loadS3Dataset } from './s3-source.ts';
import { loadUnionDataset } from './union.ts';

export async function loadDataset(options: DatasetOptions): Promise<Dataset> {
  switch (options.kind) {
    case 'union':
      return loadUnionDataset(options);
    case 'folder':
      return loadFolderDataset(options);
    case 'csv':
      return loadCsvDataset(options);
    case 'filename-rule':
      return loadFileNameRuleDataset(options);
    case 'idx':
      return loadIdxDataset(options);
    case 's3':
      return loadS3Dataset(options);
  }
}
