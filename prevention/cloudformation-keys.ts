// Finds the KMS key resources of a CloudFormation template, and the parameters and mappings their
// intrinsic functions can refer to.
import type { CloudFormationTemplate } from './documents';
import type { TemplateContext } from './intrinsic-values';
import { isKeyResourceType, type DeclaredKey } from './rotation-decision';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function keysInTemplate(template: CloudFormationTemplate): DeclaredKey[] {
  const keys: DeclaredKey[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (!isRecord(resource) || !isKeyResourceType(resource.Type)) continue;
    const properties = isRecord(resource.Properties) ? resource.Properties : {};
    keys.push({ id, resourceType: resource.Type, properties });
  }
  return keys;
}

export function templateContext(template: CloudFormationTemplate): TemplateContext {
  return {
    parameters: isRecord(template.Parameters) ? template.Parameters : {},
    mappings: isRecord(template.Mappings) ? template.Mappings : {},
  };
}
