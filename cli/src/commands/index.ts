// The command table, in the order `resnet-edge --help` lists it. Each command lives in its own file.
import type { Command } from '../command.ts';
import { pendingCommand } from './pending.ts';

export const commands: Command<any>[] = [
  pendingCommand('archs', 'list the model architectures with their parameter counts', 4),
  pendingCommand('train', 'train a model on a dataset and write a run folder', 4),
  pendingCommand('eval', 'evaluate a trained run or a .tflite on a dataset', 4),
  pendingCommand('experiment', 'run a named experiment (degradation: plain vs residual)', 4),
  pendingCommand('quantize', 'quantize a trained run to an int8 .tflite and check its accuracy', 5),
  pendingCommand('publish', 'publish a quantized model version to the store', 6),
  pendingCommand('models', 'list published models and versions', 6),
  pendingCommand('promote', 'make a published version the current one', 6),
  pendingCommand('rollback', 'move a model back to its previous current version', 6),
  pendingCommand('serve', 'start the local store and the edge worker', 7),
  pendingCommand('classify', 'classify images with a local model or a running worker', 7),
  pendingCommand('retrain', 'retrain from base data + feedback and promote only if better', 8),
  pendingCommand('demo', 'run the whole chain on the bundled data (what `npm start` runs)', 7),
  pendingCommand('preprocess', 'run the shared preprocessing on an image and describe the tensor', 3),
  pendingCommand('bench', 'run benchmarks (train, infer, edge) and print a table', 4),
];
