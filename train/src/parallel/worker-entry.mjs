// Worker threads start as plain Node: register tsx's loader inside the worker, then load the TypeScript
// worker. (`execArgv: ['--import', 'tsx']` does not reach a worker's entry module on Node 20.)
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
