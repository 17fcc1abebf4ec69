// Shared helpers for the CDK app tests: build the app for a context, read IAM policies out of
// templates (including the member template inside the StackSet), run cdk-nag and cfn-lint.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildRotorApp, type RotorStacks } from '../../infra/rotor-app';
import type { OrchestratorStack } from '../../infra/orchestrator-stack';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface BuiltApp {
  app: App;
  stacks: RotorStacks;
  /** The KmsRotor stack and its template. */
  stack: OrchestratorStack;
  template: Template;
  json: Record<string, any>;
  /** Every stack's template by stack name (KmsRotor, KmsRotorGuardrails, KmsRotorGuardrails-<region>). */
  templates: Record<string, Record<string, any>>;
}

/** Builds the app as `cdk synth -c ...` would; `bundle: false` skips esbuild for speed. */
export function buildApp(
  context: Record<string, unknown> = {},
  options: { bundle?: boolean; defaultRegion?: string } = {},
): BuiltApp {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-rotor-cdk-'));
  const app = new App({
    outdir,
    context: { ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}), ...context },
  });
  const stacks = buildRotorApp(app, { defaultRegion: options.defaultRegion });
  const template = Template.fromStack(stacks.orchestrator);
  const all = [stacks.orchestrator, ...(stacks.guardrails ? [stacks.guardrails] : []), ...stacks.regionalGuardrails];
  const templates = Object.fromEntries(all.map((stack) => [stack.stackName, Template.fromStack(stack).toJSON()]));
  return { app, stacks, stack: stacks.orchestrator, template, json: template.toJSON(), templates };
}

export type Json = Record<string, any>;

export interface PolicyDocumentAt {
  /** Where the document is, for messages. */
  where: string;
  /** The role(s) the document applies to (logical ids), when known. */
  roles: string[];
  document: { Statement: Json[] };
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Every identity policy of a template: AWS::IAM::Policy/ManagedPolicy and the roles' inline policies. */
export function identityPolicies(template: Json, label = 'template'): PolicyDocumentAt[] {
  const found: PolicyDocumentAt[] = [];
  for (const [id, resource] of Object.entries<Json>(template.Resources ?? {})) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      const roles = asArray<Json>(props.Roles).map((role) => role.Ref ?? JSON.stringify(role));
      found.push({ where: `${label}:${id}`, roles, document: props.PolicyDocument });
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of asArray<Json>(props.Policies)) {
        found.push({ where: `${label}:${id}/${policy.PolicyName}`, roles: [id], document: policy.PolicyDocument });
      }
    }
  }
  return found;
}

/** The member template the StackSet carries, parsed. */
export function memberTemplateOf(template: Json): Json {
  const stackSets = Object.values<Json>(template.Resources).filter((r) => r.Type === 'AWS::CloudFormation::StackSet');
  if (stackSets.length !== 1) throw new Error(`expected one StackSet, found ${stackSets.length}`);
  return JSON.parse(stackSets[0].Properties.TemplateBody);
}

/** The allowed actions of a role: its inline policies and the policies attached to it. */
export function roleActions(template: Json, roleLogicalId: string): string[] {
  const actions = identityPolicies(template)
    .filter((p) => p.roles.includes(roleLogicalId))
    .flatMap((p) => p.document.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => asArray<string>(s.Action)));
  return [...new Set(actions)].sort();
}

/** The statements of a role's policies. */
export function roleStatements(template: Json, roleLogicalId: string): Json[] {
  return identityPolicies(template)
    .filter((p) => p.roles.includes(roleLogicalId))
    .flatMap((p) => p.document.Statement);
}

/** Glob match as IAM does for action names (case-insensitive, `*` and `?`). */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(action);
}

export interface NagResult {
  /** Findings that stop synth (not acknowledged). */
  violations: { ruleName: string; paths: string[] }[];
  /** Every finding, acknowledged or not. */
  allFindings: { ruleName: string; path: string }[];
  acknowledgments: { path: string; id: string; reason: string }[];
}

/** Runs the AwsSolutions pack over the app twice: as synth does, and blind to acknowledgments. */
export function runNag(app: App): NagResult {
  const violations = new AwsSolutionsChecks(undefined, { verbose: true })
    .validateScope(app)
    .violations.map((v) => ({ ruleName: v.ruleName, paths: v.violatingResources.map((r) => r.constructPath ?? '') }));
  const blind = new AwsSolutionsChecks(undefined, { verbose: false });
  (blind as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  const allFindings = blind
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => ({ ruleName: v.ruleName, path: r.constructPath ?? '' })));
  const acknowledgments = app.node
    .findAll()
    .flatMap((construct: IConstruct) =>
      construct.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) =>
          Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
            path: construct.node.path,
            id: id.replace(/^annotation::/i, ''),
            reason,
          })),
        ),
    );
  return { violations, allFindings, acknowledgments };
}

export interface LintResult {
  status: number | null;
  output: string;
}

/** cfn-lint (the machine's Python package) over files, from the repo root so .cfnlintrc applies. */
export function cfnLint(files: string[]): LintResult {
  const result = spawnSync('cfn-lint', ['--', ...files], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Writes every stack's template, the member template and each conformance pack template to files. */
export function templatesToLint(built: BuiltApp, label: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kms-rotor-lint-${label}-`));
  const write = (name: string, body: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body, null, 1));
    return file;
  };
  const files = [write('member.template.json', memberTemplateOf(built.json))];
  for (const [stackName, template] of Object.entries(built.templates)) {
    files.push(write(`${stackName}.template.json`, template));
    for (const pack of Object.values<Json>(template.Resources).filter((r) => r.Type === 'AWS::Config::OrganizationConformancePack')) {
      files.push(write(`${stackName}.conformance-pack.template.json`, pack.Properties.TemplateBody));
    }
  }
  return files;
}

/**
 * What every built app must pass: cdk-nag leaves no finding unacknowledged (synth would stop on
 * one) and cfn-lint passes on every template written for it. Returns the files linted.
 */
export function expectNagAndLintClean(built: BuiltApp, label: string): string[] {
  expect(runNag(built.app).violations).toEqual([]);
  const files = templatesToLint(built, label);
  expect(cfnLint(files)).toEqual({ status: 0, output: '' });
  return files;
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(construct: IConstruct): string {
  const child = construct.node.defaultChild as unknown as { logicalId: string } | undefined;
  if (!child) throw new Error(`${construct.node.path} has no default child`);
  return Stack.of(construct).resolve(child.logicalId) as string;
}
