import { Duration, Size } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { InfraConfig } from './config.ts';

export interface TrainingJobProps {
  readonly config: InfraConfig;
  /** Absent when the store is R2 (reached by its S3 API with a secret). */
  readonly bucket?: s3.IBucket;
}

/** Batch kills a job at its timeout, published or not. */
const JOB_TIMEOUT_HOURS = 6;
/**
 * The trainer stops at an epoch boundary within this many minutes, leaving the last hour of the timeout for loading the
 * data, judging challenger against champion, quantizing and publishing: a long run ends in a published (or gated) model
 * instead of a killed job.
 */
export const TRAINING_TIME_LIMIT_MINUTES = (JOB_TIMEOUT_HOURS - 1) * 60;

/** GPU Batch environment + queue + job definition running `resnet-edge retrain` in the trainer image. */
export class TrainingJob extends Construct {
  readonly queue: batch.JobQueue;
  readonly definition: batch.EcsJobDefinition;
  readonly jobRole: iam.Role;

  constructor(scope: Construct, id: string, props: TrainingJobProps) {
    super(scope, id);
    const { config, bucket } = props;
    // Own small VPC: a lookup of the default VPC would need credentials at synth time.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
    });
    const compute = new batch.ManagedEc2EcsComputeEnvironment(this, 'GpuCompute', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      instanceTypes: config.instanceTypes.map((t) => new ec2.InstanceType(t)),
      useOptimalInstanceClasses: false,
      minvCpus: 0,
      maxvCpus: config.maxvCpus,
    });
    this.queue = new batch.JobQueue(this, 'Queue', {
      computeEnvironments: [{ computeEnvironment: compute, order: 1 }],
    });

    this.jobRole = new iam.Role(this, 'JobRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    const environment: Record<string, string> = { RESNET_EDGE_MODEL: config.modelName };
    if (bucket) {
      environment.RESNET_EDGE_STORE = `s3://${bucket.bucketName}`;
      // `retrain` trains on data/train/ (+ feedback/) and judges champion and challenger on the frozen data/test/.
      environment.RESNET_EDGE_DATA = `s3://${bucket.bucketName}/data/train/`;
      environment.RESNET_EDGE_TEST_DATA = `s3://${bucket.bucketName}/data/test/`;
      grantTrainerAccess(this.jobRole, bucket);
    } else {
      environment.RESNET_EDGE_STORE = config.r2Endpoint ?? '';
      environment.RESNET_EDGE_STORE_SECRET = config.r2SecretName ?? '';
    }
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    this.definition = new batch.EcsJobDefinition(this, 'Retrain', {
      timeout: Duration.hours(JOB_TIMEOUT_HOURS),
      container: new batch.EcsEc2ContainerDefinition(this, 'Trainer', {
        image: ecs.ContainerImage.fromRegistry(config.image),
        // Appended to the image's ENTRYPOINT (node bin/resnet-edge.js).
        command: ['retrain', '--time-limit', String(TRAINING_TIME_LIMIT_MINUTES)],
        cpu: 4,
        memory: Size.gibibytes(14),
        gpu: 1,
        jobRole: this.jobRole,
        environment,
        logging: ecs.LogDriver.awsLogs({ logGroup, streamPrefix: 'retrain' }),
      }),
    });
  }
}

/** Least privilege: read data/ and feedback/, read+write models/, nothing else. */
function grantTrainerAccess(role: iam.Role, bucket: s3.IBucket): void {
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects('data/*'), bucket.arnForObjects('feedback/*')],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': ['data/*', 'feedback/*', 'models/*'] } },
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [bucket.arnForObjects('models/*')],
    }),
  );
}
