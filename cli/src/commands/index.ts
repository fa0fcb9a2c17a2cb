// The command table, in the order `resnet-edge --help` lists it. Each command lives in its own file, imported
// only when that command runs: `--help` and every light command never load TF.js, the AWS SDK or Miniflare.
import type { CommandEntry } from '../command.ts';

export const commands: CommandEntry[] = [
  {
    name: 'archs',
    summary: 'list the model architectures with their parameter counts',
    load: async () => (await import('./archs.ts')).default,
  },
  {
    name: 'train',
    summary: 'train a model on a dataset and write a run folder',
    load: async () => (await import('./train.ts')).default,
  },
  {
    name: 'eval',
    summary: 'evaluate a trained run on a dataset (metrics + confusion matrix)',
    load: async () => (await import('./eval.ts')).default,
  },
  {
    name: 'experiment',
    summary: 'run a named experiment (degradation: plain vs residual)',
    load: async () => (await import('./experiment.ts')).default,
  },
  {
    name: 'quantize',
    summary: 'quantize a trained run to an int8 .tflite and check its accuracy',
    load: async () => (await import('./quantize.ts')).default,
  },
  {
    name: 'publish',
    summary: 'publish a quantized model version to the store',
    load: async () => (await import('./publish.ts')).default,
  },
  {
    name: 'models',
    summary: 'list published models and versions',
    load: async () => (await import('./models.ts')).default,
  },
  {
    name: 'promote',
    summary: 'make a published version the current one',
    load: async () => (await import('./promote.ts')).default,
  },
  {
    name: 'rollback',
    summary: 'move a model back to its previous current version',
    load: async () => (await import('./rollback.ts')).default,
  },
  {
    name: 'serve',
    summary: 'start the edge worker locally (wrangler dev) over the local model store',
    load: async () => (await import('./serve.ts')).default,
  },
  {
    name: 'classify',
    summary: 'classify images with a local model or a running worker',
    load: async () => (await import('./classify.ts')).default,
  },
  {
    name: 'retrain',
    summary: 'retrain from base data + feedback and promote only if better',
    load: async () => (await import('./retrain.ts')).default,
  },
  {
    name: 'demo',
    summary: 'run the whole chain on the bundled data (what `npm start` runs)',
    load: async () => (await import('./demo.ts')).default,
  },
  {
    name: 'preprocess',
    summary: 'run the shared preprocessing on an image and describe the tensor',
    load: async () => (await import('./preprocess.ts')).default,
  },
];
