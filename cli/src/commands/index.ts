// The command table, in the order `resnet-edge --help` lists it. Each command lives in its own file.
import type { Command } from '../command.ts';
import { demoCommand } from './demo.ts';
import { serveCommand } from './serve.ts';
import { rollbackCommand } from './rollback.ts';
import { promoteCommand } from './promote.ts';
import { modelsCommand } from './models.ts';
import { publishCommand } from './publish.ts';
import archs from './archs.ts';
import quantize from './quantize.ts';
import { trainCommand } from './train.ts';
import { evalCommand } from './eval.ts';
import { experimentCommand } from './experiment.ts';
import { preprocessCommand } from './preprocess.ts';
import { classifyCommand } from './classify.ts';
import { retrainCommand } from './retrain.ts';

export const commands: Command<any>[] = [
  archs,
  trainCommand,
  evalCommand,
  experimentCommand,
  quantize,
  publishCommand,
  modelsCommand,
  promoteCommand,
  rollbackCommand,
  serveCommand,
  classifyCommand,
  retrainCommand,
  demoCommand,
  preprocessCommand,
];
