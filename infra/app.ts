// The CDK app entry (cdk.json: `node --import tsx infra/app.ts`). A bad context value ends synth
// with the message naming it, not a stack trace.
import { App } from 'aws-cdk-lib';
import { ContextError } from './context';
import { buildRotorApp } from './rotor-app';

const app = new App();
try {
  buildRotorApp(app, { defaultRegion: process.env.CDK_DEFAULT_REGION });
} catch (error) {
  if (!(error instanceof ContextError)) throw error;
  console.error(error.message);
  process.exit(1);
}
