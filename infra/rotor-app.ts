// Builds the kms-rotor CDK app from its context: validates the options, adds the KmsRotor stack and
// registers the cdk-nag AwsSolutions checks. app.ts runs it; tests call it with their own context.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseRotorContext, readContext } from './context';
import { OrchestratorStack } from './orchestrator-stack';

export interface RotorAppOptions {
  handlersDir?: string;
  aslPath?: string;
}

/** Throws a ContextError naming every bad context value before any construct exists. */
export function buildRotorApp(app: App, options: RotorAppOptions = {}): OrchestratorStack {
  const settings = parseRotorContext(readContext((key) => app.node.tryGetContext(key)));
  const stack = new OrchestratorStack(app, 'KmsRotor', {
    settings,
    handlersDir: options.handlersDir,
    aslPath: options.aslPath,
  });
  // cdk-nag v3 is a policy validation plugin: any unacknowledged finding stops synth with its report.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
