import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStack } from '../../infra/src/stack.ts';

describe('ResnetEdgeStack (offline synth)', () => {
  let t: Template;
  let synthMs = 0;
  beforeAll(() => {
    const start = Date.now();
    t = Template.fromStack(buildStack().stack);
    synthMs = Date.now() - start;
  }, 60_000);

  it('synthesises in under 30 s', () => expect(synthMs).toBeLessThan(30_000));

  it('bucket: encrypted, public access blocked, versioned, TLS enforced', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('Batch compute environment on GPU instances, scaling from 0', () => {
    t.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({
        MinvCpus: 0,
        InstanceTypes: ['g5.xlarge', 'g4dn.xlarge'],
      }),
    });
    t.resourceCountIs('AWS::Batch::JobQueue', 1);
  });

  it('job definition requests one GPU and runs resnet-edge retrain, its training bounded inside the timeout', () => {
    t.hasResourceProperties('AWS::Batch::JobDefinition', {
      ContainerProperties: Match.objectLike({
        // Appended to the image's ENTRYPOINT `node bin/resnet-edge.js` (infra/docker/Dockerfile).
        Command: ['retrain', '--time-limit', '300'],
        ResourceRequirements: Match.arrayWith([{ Type: 'GPU', Value: '1' }]),
        Environment: Match.arrayWith([
          Match.objectLike({ Name: 'RESNET_EDGE_STORE' }),
          Match.objectLike({ Name: 'RESNET_EDGE_DATA' }),
          Match.objectLike({ Name: 'RESNET_EDGE_TEST_DATA' }),
        ]),
      }),
    });
  });

  it('the job times out an hour after its training time limit', () => {
    t.hasResourceProperties('AWS::Batch::JobDefinition', { Timeout: { AttemptDurationSeconds: 6 * 3600 } });
  });

  it('EventBridge cron rule targets the Batch queue', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 3 ? * SUN *)',
      Targets: [Match.objectLike({ BatchParameters: Match.objectLike({ JobName: 'resnet-edge-retrain' }) })],
    });
  });

  it('log group keeps 30 days', () => t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 }));

  it('job role policy is scoped to data/, feedback/ (read) and models/ (read+write)', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes('JobRole'),
    );
    expect(policies).toHaveLength(1);
    const stmts = (policies[0] as any).Properties.PolicyDocument.Statement as any[];
    const flat = JSON.stringify(stmts);
    expect(flat).not.toContain('s3:*');
    expect(stmts.map((s) => s.Action)).toEqual(['s3:GetObject', 's3:ListBucket', ['s3:GetObject', 's3:PutObject']]);
    const suffixes = (s: any) =>
      [s.Resource].flat().map((r: any) => JSON.stringify(r).match(/"(\/[^"]*)"\]/)?.[1] ?? 'bucket');
    expect(suffixes(stmts[0])).toEqual(['/data/*', '/feedback/*']);
    expect(suffixes(stmts[1])).toEqual(['bucket']);
    expect(stmts[1].Condition).toEqual({ StringLike: { 's3:prefix': ['data/*', 'feedback/*', 'models/*'] } });
    expect(suffixes(stmts[2])).toEqual(['/models/*']);
    for (const s of stmts) for (const r of [s.Resource].flat()) expect(r).not.toBe('*');
  });

  it('r2 mode: no bucket, job gets endpoint + secret name', () => {
    const r2 = Template.fromStack(
      buildStack({ store: 'r2', r2Endpoint: 'https://acct.r2.cloudflarestorage.com', r2SecretName: 'resnet-edge/r2' })
        .stack,
    );
    r2.resourceCountIs('AWS::S3::Bucket', 0);
    r2.hasResourceProperties('AWS::Batch::JobDefinition', {
      ContainerProperties: Match.objectLike({
        Environment: Match.arrayWith([
          { Name: 'RESNET_EDGE_STORE', Value: 'https://acct.r2.cloudflarestorage.com' },
          { Name: 'RESNET_EDGE_STORE_SECRET', Value: 'resnet-edge/r2' },
        ]),
      }),
    });
  }, 60_000);
});
