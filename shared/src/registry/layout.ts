// Where things live in the object store. Every reader and writer (trainer, CLI, worker) builds keys here.
//
//   models/<name>/<version>/model.tflite     immutable, written once (conditional create)
//   models/<name>/<version>/manifest.json    immutable; lists sha256 + size of every file of the version
//   models/<name>/<version>/report.html      immutable, optional
//   models/<name>/current.json               the pointer: the only mutable object, moved by conditional write
//   models/<name>/history/<iso-time>-<version>.json   one object per pointer move (append-only audit trail)
//   models/<name>/retrain/<version>.json                     one report per `retrain` run (champion vs challenger)
//   feedback/<model>/<yyyy-mm-dd>/<id>.{json,bin}      user feedback for retraining; ids sort by arrival time
//   retrain/<model>/cron-state.json                    the worker's cron: the last feedback key a job was submitted for

export const MODELS_PREFIX = 'models/';

/** The file names of a version (in the store and in a model folder on disk). */
export const MODEL_FILE = 'model.tflite';
export const MANIFEST_FILE = 'manifest.json';
export const REPORT_FILE = 'report.html';
/** The float weights beside the int8 model (train/src/transfer/float-weights.ts): what `retrain --from champion` starts from. */
export const FLOAT_WEIGHTS_FILE = 'weights.safetensors';
export const POINTER_FILE = 'current.json';
export const FEEDBACK_PREFIX = 'feedback/';

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const VERSION_RE = /^\d+\.\d+\.\d+(?:-[0-9a-z.-]+)?$/;

export function assertModelName(name: string): string {
  if (!NAME_RE.test(name))
    throw new Error(`invalid model name '${name}': use lowercase letters, digits, '.', '_' or '-'`);
  return name;
}

export function assertVersion(version: string): string {
  if (!VERSION_RE.test(version)) throw new Error(`invalid version '${version}': expected semantic version like 1.2.0`);
  return version;
}

export const modelPrefix = (name: string) => `${MODELS_PREFIX}${assertModelName(name)}/`;
export const versionPrefix = (name: string, version: string) => `${modelPrefix(name)}${assertVersion(version)}/`;
export const versionFileKey = (name: string, version: string, file: string) => `${versionPrefix(name, version)}${file}`;
export const manifestKey = (name: string, version: string) => versionFileKey(name, version, MANIFEST_FILE);
export const modelFileKey = (name: string, version: string) => versionFileKey(name, version, MODEL_FILE);
export const pointerKey = (name: string) => `${modelPrefix(name)}${POINTER_FILE}`;
export const historyPrefix = (name: string) => `${modelPrefix(name)}history/`;
export const retrainReportKey = (name: string, version: string) =>
  `${modelPrefix(name)}retrain/${assertVersion(version)}.json`;

export const feedbackPrefix = (model: string) => `${FEEDBACK_PREFIX}${assertModelName(model)}/`;
/** A feedback id: arrival time first (so keys sort by time, and list-after-key finds what is new), then randomness. */
export const FEEDBACK_ID_RE = /^\d{8}T\d{9}Z-[0-9a-f]{12}$/;
export function feedbackKeys(model: string, id: string): { meta: string; image: string } {
  if (!FEEDBACK_ID_RE.test(id)) throw new Error(`invalid feedback id '${id}'`);
  const day = `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}`;
  const base = `${feedbackPrefix(model)}${day}/${id}`;
  return { meta: `${base}.json`, image: `${base}.bin` };
}
/** Is this key a feedback record (the .json half of a pair)? */
export const isFeedbackMetaKey = (key: string) => /\/\d{4}-\d{2}-\d{2}\/\d{8}T\d{9}Z-[0-9a-f]{12}\.json$/.test(key);
export const cronStateKey = (model: string) => `retrain/${assertModelName(model)}/cron-state.json`;
