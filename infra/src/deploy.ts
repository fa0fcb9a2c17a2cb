// `npm run deploy -- --dry-run`: synth the CDK stack into infra/cdk.out, bundle the worker offline, print a summary.
// Without --dry-run: preflight credentials, then `cdk deploy` and `wrangler deploy`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { synthesize } from './stack.ts';

const root = join(import.meta.dirname, '../..');

export class DeployError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DryRunSummary {
  resources: Record<string, number>;
  iamStatements: unknown[];
  worker?: { bytes: number; gzipBytes: number; outdir: string };
}

export function summarize(template: Record<string, unknown>): Omit<DryRunSummary, 'worker'> {
  const resources: Record<string, number> = {};
  const iamStatements: unknown[] = [];
  for (const r of Object.values(
    (template.Resources ?? {}) as Record<
      string,
      { Type: string; Properties?: { PolicyDocument: { Statement: unknown[] } } }
    >,
  )) {
    resources[r.Type] = (resources[r.Type] ?? 0) + 1;
    if (r.Type === 'AWS::IAM::Policy') iamStatements.push(...(r.Properties?.PolicyDocument.Statement ?? []));
  }
  return { resources, iamStatements };
}

/** Bundle the worker with wrangler's offline dry run; undefined when edge/ has no wrangler config. */
export function bundleWorker(outdir: string, env = 'production'): DryRunSummary['worker'] {
  const edge = join(root, 'edge');
  if (!existsSync(join(edge, 'wrangler.toml'))) return undefined;
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--env', env, '--outdir', outdir], {
    cwd: edge,
    stdio: 'pipe',
  });
  const files = readdirSync(outdir).filter((f) => f.endsWith('.js'));
  const bytes = Buffer.concat(files.map((f) => readFileSync(join(outdir, f))));
  return { bytes: bytes.length, gzipBytes: gzipSync(bytes).length, outdir };
}

export function dryRun(outdir = join(root, 'infra/cdk.out'), env = 'production'): DryRunSummary {
  const template = synthesize({}, outdir);
  return { ...summarize(template), worker: bundleWorker(join(outdir, 'worker'), env) };
}

/** `--env staging|production` (the wrangler environment; default production). */
export function workerEnv(argv: string[]): string {
  const i = argv.indexOf('--env');
  const env = i >= 0 ? argv[i + 1] : 'production';
  if (env !== 'staging' && env !== 'production')
    throw new DeployError('BAD_USAGE', `--env must be staging or production, got '${env ?? ''}'`);
  return env;
}

export function preflight(env: NodeJS.ProcessEnv): void {
  if (!env.CDK_DEFAULT_ACCOUNT && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE)
    throw new DeployError(
      'AWS_CREDENTIALS_MISSING',
      'set AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID) and CDK_DEFAULT_ACCOUNT',
    );
  for (const name of ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ACCOUNT_ID'])
    if (!env[name]) throw new DeployError('CLOUDFLARE_CREDENTIALS_MISSING', `${name} is not set`);
}

function main(argv: string[]): void {
  const env = workerEnv(argv);
  if (argv.includes('--dry-run')) {
    console.log(JSON.stringify(dryRun(undefined, env), null, 2));
    return;
  }
  preflight(process.env);
  // aws-cdk CLI is not a dependency (not installable offline here): npx fetches it on a machine with internet.
  execFileSync('npx', ['aws-cdk@2', 'deploy', '--app', 'npx tsx infra/bin/app.ts'], { cwd: root, stdio: 'inherit' });
  execFileSync('npx', ['wrangler', 'deploy', '--env', env], { cwd: join(root, 'edge'), stdio: 'inherit' });
}

if (process.argv[1] && statSync(process.argv[1]).isFile() && process.argv[1].endsWith('deploy.ts')) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    if (e instanceof DeployError) {
      console.error(`deploy: ${e.code}: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}
