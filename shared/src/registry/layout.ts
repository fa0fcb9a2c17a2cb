// Where things live in the object store. Every reader and writer (trainer, CLI, worker) builds keys here.
//
//   models/<name>/<version>/model.tflite     immutable, written once (conditional create)
//   models/<name>/<version>/manifest.json    immutable; lists sha256 + size of every file of the version
//   models/<name>/<version>/report.html      immutable, optional
//   models/<name>/current.json               the pointer: the only mutable object, moved by conditional write
//   models/<name>/history/<iso-time>-<version>.json   one object per pointer move (append-only audit trail)
//   feedback/<model>/<yyyy-mm-dd>/<id>.{json,bin}      user feedback for retraining

export const MODELS_PREFIX = 'models/';
export const FEEDBACK_PREFIX = 'feedback/';

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const VERSION_RE = /^\d+\.\d+\.\d+(?:-[0-9a-z.-]+)?$/;

export function assertModelName(name: string): string {
  if (!NAME_RE.test(name)) throw new Error(`invalid model name '${name}': use lowercase letters, digits, '.', '_' or '-'`);
  return name;
}

export function assertVersion(version: string): string {
  if (!VERSION_RE.test(version)) throw new Error(`invalid version '${version}': expected semantic version like 1.2.0`);
  return version;
}

export const modelPrefix = (name: string) => `${MODELS_PREFIX}${assertModelName(name)}/`;
export const versionPrefix = (name: string, version: string) => `${modelPrefix(name)}${assertVersion(version)}/`;
export const versionFileKey = (name: string, version: string, file: string) => `${versionPrefix(name, version)}${file}`;
export const manifestKey = (name: string, version: string) => versionFileKey(name, version, 'manifest.json');
export const modelFileKey = (name: string, version: string) => versionFileKey(name, version, 'model.tflite');
export const pointerKey = (name: string) => `${modelPrefix(name)}current.json`;
export const historyPrefix = (name: string) => `${modelPrefix(name)}history/`;
