import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { InfraConfig } from './config.ts';
import type { TrainingJob } from './training-job.ts';

/** EventBridge cron rule that submits the retrain job to the Batch queue. */
export class RetrainSchedule extends Construct {
  readonly rule: events.Rule;
  constructor(scope: Construct, id: string, props: { config: InfraConfig; job: TrainingJob }) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', { schedule: events.Schedule.cron(props.config.schedule) });
    this.rule.addTarget(
      new targets.BatchJob(
        props.job.queue.jobQueueArn,
        props.job.queue,
        props.job.definition.jobDefinitionArn,
        props.job.definition,
        { jobName: 'resnet-edge-retrain' },
      ),
    );
  }
}
