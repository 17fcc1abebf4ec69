// cdk-nag (v3) acknowledgments: each one names the exact finding and says why it is acceptable.
// Wildcard-resource findings are keyed by the resource as cdk-nag flattens it (`<Logical.Arn>/x/*`),
// so they are computed here from the same token the policy uses, never typed out by hand.
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export const NAG_PACK = 'AwsSolutions';

/** Acknowledge a whole rule (e.g. `S1`) on `scope` and everything under it. */
export function acknowledgeRule(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${NAG_PACK}-${rule}`, reason });
}

/** Acknowledge IAM5 for each of these wildcard resources (strings or tokens) granted under `scope`. */
export function acknowledgeWildcardResources(scope: IConstruct, resources: string[], reason: string): void {
  const stack = Stack.of(scope);
  for (const resource of resources) {
    acknowledgeRule(scope, `IAM5[Resource::${flattenReference(stack.resolve(resource))}]`, reason);
  }
}

/** cdk-nag's rendering of a resolved CloudFormation value: Ref → <Id>, GetAtt → <Id.Attr>, Join/Sub → text. */
export function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (node['Fn::Sub']) return flattenReference(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (node.Ref) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(value);
}
