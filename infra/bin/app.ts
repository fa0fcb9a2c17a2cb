// CDK app entry: `npx cdk deploy --app 'npx tsx infra/bin/app.ts'`.
import { buildStack } from '../src/stack.ts';
buildStack().app.synth();
