/** Stack configuration, read from CDK context; every field has an offline-safe default. */
export interface InfraConfig {
  /** 's3' creates a bucket; 'r2' uses Cloudflare R2 through its S3 API (endpoint + secret name). */
  readonly store: 's3' | 'r2';
  readonly r2Endpoint?: string;
  readonly r2SecretName?: string;
  readonly modelName: string;
  readonly image: string;
  readonly instanceTypes: readonly string[];
  readonly maxvCpus: number;
  /** EventBridge cron expression fields. */
  readonly schedule: { minute: string; hour: string; weekDay?: string };
}

export const defaultConfig: InfraConfig = {
  store: 's3',
  // The model the worker serves (MODEL_NAME in edge/wrangler.toml): the job retrains the same one.
  modelName: 'fashion-mnist',
  image: 'public.ecr.aws/resnet-edge/trainer:latest',
  instanceTypes: ['g5.xlarge', 'g4dn.xlarge'],
  maxvCpus: 16,
  schedule: { minute: '0', hour: '3', weekDay: 'SUN' },
};
