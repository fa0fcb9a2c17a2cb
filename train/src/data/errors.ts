// Dataset problems a user can fix (a wrong path, a one-class folder, a bad IDX file). The stable `code`
// lets the CLI and tests tell them apart without parsing messages.
export type DatasetErrorCode =
  | 'not_found'
  | 'no_images'
  | 'single_class'
  | 'empty_class'
  | 'unknown_label'
  | 'bad_csv'
  | 'bad_label_rule'
  | 'bad_idx_magic'
  | 'idx_count_mismatch'
  | 'idx_truncated'
  | 'bad_split';

export class DatasetError extends Error {
  override name = 'DatasetError';
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
  ) {
    super(message);
  }
}
