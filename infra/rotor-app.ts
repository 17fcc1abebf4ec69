// Builds the kms-rotor CDK app from its context: validates the options, adds the KmsRotor stack, the
// KmsRotorGuardrails stack(s) when asked for, and registers the cdk-nag AwsSolutions checks. app.ts
// runs it; tests call it with their own context.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ContextError, parseRotorContext, readContext } from './context';
import { GUARDRAILS_STACK_NAME, GuardrailsStack, regionalGuardrailsStackName } from './guardrails-stack';
import { ORCHESTRATOR_STACK_NAME, OrchestratorStack } from './orchestrator-stack';

export interface RotorAppOptions {
  handlersDir?: string;
  aslPath?: string;
  /**
   * The Region the env-agnostic stacks deploy to, when known (the CDK CLI's CDK_DEFAULT_REGION):
   * an extra conformance pack Region may not repeat it.
   */
  defaultRegion?: string;
}

export interface RotorStacks {
  orchestrator: OrchestratorStack;
  /** With guardrails=true: the SCP and the conformance pack of the deployment's Region. */
  guardrails?: GuardrailsStack;
  /** With conformancePackRegions: one pack-only stack per extra Region. */
  regionalGuardrails: GuardrailsStack[];
}

/** Throws a ContextError naming every bad context value before any construct exists. */
export function buildRotorApp(app: App, options: RotorAppOptions = {}): RotorStacks {
  const settings = parseRotorContext(readContext((key) => app.node.tryGetContext(key)));
  const extraRegions = settings.conformancePackRegions ?? [];
  if (options.defaultRegion && extraRegions.includes(options.defaultRegion)) {
    throw new ContextError([
      {
        key: 'conformancePackRegions',
        value: extraRegions.join(','),
        message: `names ${options.defaultRegion}, where ${GUARDRAILS_STACK_NAME} already deploys the pack: list only the other Regions`,
      },
    ]);
  }
  const orchestrator = new OrchestratorStack(app, ORCHESTRATOR_STACK_NAME, {
    settings,
    handlersDir: options.handlersDir,
    aslPath: options.aslPath,
  });
  let guardrails: GuardrailsStack | undefined;
  const regionalGuardrails: GuardrailsStack[] = [];
  if (settings.guardrails) {
    guardrails = new GuardrailsStack(app, GUARDRAILS_STACK_NAME, { settings, withScp: true });
    for (const region of extraRegions) {
      const stackName = regionalGuardrailsStackName(region);
      regionalGuardrails.push(new GuardrailsStack(app, stackName, { settings, withScp: false, env: { region } }));
    }
  }
  // cdk-nag v3 is a policy validation plugin: any unacknowledged finding stops synth with its report.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { orchestrator, guardrails, regionalGuardrails };
}
