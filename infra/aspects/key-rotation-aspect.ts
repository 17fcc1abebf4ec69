// A CDK Aspect that stops a KMS key without rotation at synth time: it applies the template check's
// own decision (prevention/) to every CfnKey and annotates the ones that break a rule.
import { Annotations, CfnParameter, Stack, type IAspect } from 'aws-cdk-lib';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import { decideKeyRotation, RULES, type KeyVerdict } from '../../prevention';

export interface KeyRotationAspectOptions {
  /** `error` (the default) fails `cdk synth`/`deploy`; `warning` only reports (and fails `--strict`). */
  level?: 'error' | 'warning';
}

/** The parameters of the key's own stack, as a template would declare them, so that a `Ref` is
 * judged the way it would be in the synthesized template: its default and every value it allows. */
function stackParameters(stack: Stack): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof CfnParameter) || Stack.of(construct) !== stack) continue;
    const logicalId = stack.resolve(construct.logicalId) as string;
    parameters[logicalId] = {
      Type: construct.type,
      ...(construct.default === undefined ? {} : { Default: construct.default }),
      ...(construct.allowedValues === undefined ? {} : { AllowedValues: construct.allowedValues }),
    };
  }
  return parameters;
}

/** The key's properties as its template will hold them: rendered by the CfnKey itself, so that
 * escape-hatch overrides (`addPropertyOverride('EnableKeyRotation', true)`) count; from its
 * property getters if rendering is not possible yet. Tokens become their intrinsic functions. */
function keyProperties(key: CfnKey): Record<string, unknown> {
  const stack = Stack.of(key);
  try {
    const rendered = stack.resolve(key._toCloudFormation()) as { Resources?: Record<string, { Properties?: Record<string, unknown> }> };
    const [resource] = Object.values(rendered.Resources ?? {});
    if (resource) return resource.Properties ?? {};
  } catch {
    // Rendering validates every property; a key that cannot render yet is judged on its getters.
  }
  return stack.resolve({
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    Origin: key.origin,
    EnableKeyRotation: key.enableKeyRotation,
    RotationPeriodInDays: key.rotationPeriodInDays,
    PendingWindowInDays: key.pendingWindowInDays,
  }) as Record<string, unknown>;
}

/** The template check's verdict on a CfnKey, its stack's parameters resolving any Ref. */
export function keyVerdict(key: CfnKey): KeyVerdict {
  return decideKeyRotation(
    { resourceType: CfnKey.CFN_RESOURCE_TYPE_NAME, properties: keyProperties(key) },
    { parameters: stackParameters(Stack.of(key)) },
  );
}

/**
 * Flags every symmetric encryption KMS key (`kms.Key`, `CfnKey`) without automatic rotation, or with
 * a rotation period or deletion window out of range. Add it to an app or a stack:
 * `Aspects.of(app).add(new KeyRotationAspect())`.
 */
export class KeyRotationAspect implements IAspect {
  private readonly level: 'error' | 'warning';

  constructor(options: KeyRotationAspectOptions = {}) {
    this.level = options.level ?? 'error';
  }

  visit(node: IConstruct): void {
    if (!(node instanceof CfnKey)) return;
    for (const violation of keyVerdict(node).violations) {
      const message = `[${violation.ruleId}] ${violation.message}. ${RULES[violation.ruleId].help}`;
      if (this.level === 'error') Annotations.of(node).addError(message);
      // Acknowledgeable, so a team can accept a warning by its id instead of failing --strict.
      else Annotations.of(node).addWarningV2(`kms-rotor:${violation.ruleId}`, message);
    }
  }
}
