// Large inputs for the check, made on the fly: CloudFormation JSON and YAML templates and Terraform
// plans with any number of KMS keys, every third key without rotation, so that counts are known.

/** The keys of a generated input that lack rotation: ids 0, 3, 6... */
export function nonCompliantCount(keys: number): number {
  return Math.ceil(keys / 3);
}

const rotates = (index: number) => index % 3 !== 0;

/** A CloudFormation template in JSON, one resource per line pair, as `cdk synth` lays it out. */
export function cloudFormationJson(keys: number): string {
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < keys; i++) {
    resources[`Key${i}`] = {
      Type: 'AWS::KMS::Key',
      Properties: { Description: `generated key ${i}`, ...(rotates(i) ? { EnableKeyRotation: true } : {}) },
    };
  }
  return JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources }, null, 1);
}

/** A CloudFormation template in YAML with short-form tags; `padding` characters of description per
 * key let a test reach a size in bytes rather than a count of keys. */
export function cloudFormationYaml(keys: number, padding = 0): string {
  const lines = [
    'AWSTemplateFormatVersion: "2010-09-09"',
    'Parameters:',
    '  Env:',
    '    Type: String',
    '    Default: dev',
    'Resources:',
  ];
  const filler = 'x'.repeat(padding);
  for (let i = 0; i < keys; i++) {
    lines.push(`  Key${i}:`, '    Type: AWS::KMS::Key', '    Properties:');
    lines.push(`      Description: !Sub "\${Env} generated key ${i} ${filler}"`);
    if (rotates(i)) lines.push('      EnableKeyRotation: true');
  }
  return `${lines.join('\n')}\n`;
}

/** A Terraform plan (`terraform show -json`) with every key in planned_values and resource_changes. */
export function terraformPlan(keys: number): string {
  const resources = [];
  const changes = [];
  for (let i = 0; i < keys; i++) {
    const values = { description: `generated key ${i}`, enable_key_rotation: rotates(i), is_enabled: true };
    resources.push({ address: `aws_kms_key.k${i}`, mode: 'managed', type: 'aws_kms_key', name: `k${i}`, values });
    changes.push({
      address: `aws_kms_key.k${i}`,
      mode: 'managed',
      type: 'aws_kms_key',
      change: { actions: ['create'], after: values, after_unknown: { arn: true, key_id: true } },
    });
  }
  return JSON.stringify({
    format_version: '1.2',
    planned_values: { root_module: { resources } },
    resource_changes: changes,
  });
}
