// The project holds itself to its own prevention: its synthesized cloud assembly passes
// `rotor check-template`, and the KeyRotationAspect finds nothing in the app.
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { KeyRotationAspect } from '../../infra/aspects';
import { buildRotorApp } from '../../infra/rotor-app';
import { checkPaths, exitCodeFor } from '../../prevention';
import { buildApp } from './support';

test('the synthesized cdk.out (default and with guardrails) passes check-template', async () => {
  for (const context of [{}, { guardrails: 'true' }]) {
    const built = buildApp(context, { bundle: false });
    const assembly = built.app.synth();
    const report = await checkPaths([assembly.directory]);
    expect(report.errors).toEqual([]);
    expect(report.keys.length).toBeGreaterThan(0);
    expect(report.keys.every((k) => k.status === 'COMPLIANT')).toBe(true);
    expect(exitCodeFor(report)).toBe(0);
  }
});

test('the KeyRotationAspect finds no key without rotation in the app, guardrail stacks included', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], guardrails: 'true', conformancePackRegions: 'eu-west-1' } });
  Aspects.of(app).add(new KeyRotationAspect({ level: 'error' }));
  const { orchestrator, guardrails, regionalGuardrails } = buildRotorApp(app);
  for (const stack of [orchestrator, guardrails!, ...regionalGuardrails]) {
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('rotation'))).toEqual([]);
  }
});
