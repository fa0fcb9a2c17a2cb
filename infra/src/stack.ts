import { App, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { defaultConfig, type InfraConfig } from './config.ts';
import { RetrainSchedule } from './schedule.ts';
import { ModelStorage } from './storage.ts';
import { TrainingJob } from './training-job.ts';

export class ResnetEdgeStack extends Stack {
  constructor(scope: Construct, id: string, config: InfraConfig, props?: StackProps) {
    super(scope, id, props);
    const storage = config.store === 's3' ? new ModelStorage(this, 'Storage') : undefined;
    const job = new TrainingJob(this, 'Training', { config, bucket: storage?.bucket });
    new RetrainSchedule(this, 'Schedule', { config, job });
  }
}

/** Build the stack env-agnostically (no account/region → offline synth) into outdir. */
export function buildStack(
  overrides: Partial<InfraConfig> = {},
  outdir?: string,
): { app: App; stack: ResnetEdgeStack } {
  const app = new App(outdir ? { outdir } : {});
  // From cdk.json's "context" or `--context resnetEdge='{"image": …}'` (which arrives as a JSON string).
  const raw: unknown = app.node.tryGetContext('resnetEdge') ?? {};
  const ctx = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Partial<InfraConfig>;
  const stack = new ResnetEdgeStack(app, 'ResnetEdge', { ...defaultConfig, ...ctx, ...overrides });
  return { app, stack };
}

/** CloudFormation template JSON of the stack. */
export function synthesize(overrides: Partial<InfraConfig> = {}, outdir?: string): Record<string, unknown> {
  const { app, stack } = buildStack(overrides, outdir);
  return app.synth().getStackByName(stack.stackName).template as Record<string, unknown>;
}
