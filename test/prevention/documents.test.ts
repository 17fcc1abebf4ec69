// Reading inputs: JSON or YAML, template or plan, and the words for everything else.
import { DocumentError, NOT_A_TEMPLATE, parseDocument } from '../../prevention/documents';

function errorOf(text: string, fileName?: string): string {
  try {
    parseDocument(text, { fileName });
  } catch (error) {
    expect(error).toBeInstanceOf(DocumentError);
    return (error as Error).message;
  }
  throw new Error('expected a DocumentError');
}

describe('parseDocument', () => {
  it('tells a CloudFormation template from a Terraform plan, in JSON or YAML', () => {
    expect(parseDocument('{"Resources": {}}').kind).toBe('cloudformation');
    expect(parseDocument('Resources: {}\n').kind).toBe('cloudformation');
    expect(parseDocument('{"format_version": "1.2", "planned_values": {}}').kind).toBe('terraform-plan');
    expect(parseDocument('{"format_version": "1.2", "resource_changes": []}').kind).toBe('terraform-plan');
    expect(parseDocument('\ufeff{"Resources": {}}', { fileName: 'bom.json' }).kind).toBe('cloudformation');
  });

  it('refuses what is neither', () => {
    expect(errorOf('{"name": "x"}', 'package.json')).toBe(NOT_A_TEMPLATE);
    expect(errorOf('{"format_version": "1.2"}', 'state.json')).toBe(NOT_A_TEMPLATE);
    expect(errorOf('AWSTemplateFormatVersion: "2010-09-09"\n', 'x.yaml')).toBe(NOT_A_TEMPLATE);
    expect(errorOf('[1, 2]', 'list.json')).toMatch(/not an object \(a list\)/);
    expect(errorOf('42\n', 'n.yaml')).toMatch(/not an object \(a number\)/);
    expect(errorOf('   \n', 'blank.yaml')).toBe('the file is empty');
    expect(errorOf('Resources: [a, b]\n', 'x.yaml')).toBe('Resources is not a mapping of logical ids to resources');
  });

  it('says where JSON and YAML are broken', () => {
    expect(errorOf('{\n  "Resources": {,}\n}', 'x.json')).toMatch(/^invalid JSON: .*\(line 2\)$/);
    expect(errorOf('Resources:\n  A: [\n', 'x.yaml')).toMatch(/^invalid YAML: /);
    expect(errorOf('Resources:\n  A:\n    Type: !Bogus x\n', 'x.yaml')).toBe(
      'unknown tag !Bogus at line 3: not a CloudFormation intrinsic function',
    );
    expect(errorOf('Resources: {}\n---\nResources: {}\n', 'x.yaml')).toBe(
      'the file holds 2 YAML documents; a template is a single document',
    );
  });

  it('takes a .json file as JSON and an extension-less file by its first character', () => {
    // YAML would accept this flow mapping; JSON does not, and the extension says JSON.
    expect(errorOf('{Resources: {}}', 'x.json')).toMatch(/^invalid JSON/);
    expect(parseDocument('{Resources: {}}', { fileName: 'x.yaml' }).kind).toBe('cloudformation');
    expect(parseDocument('Resources: {}', { fileName: 'template' }).kind).toBe('cloudformation');
  });

  it('treats a listed cdk.out template without Resources as a template with none', () => {
    const document = parseDocument('{"Parameters": {}}', { fileName: 'Stack.template.json', expect: 'cloudformation' });
    expect(document.kind === 'cloudformation' && document.template.Resources).toEqual({});
  });

  it('finds the line of a resource in YAML and JSON', () => {
    const yaml = parseDocument('Parameters: {}\nResources:\n  Other:\n    Type: X\n  Key:\n    Type: AWS::KMS::Key\n');
    const json = parseDocument('{\n "Outputs": {"Key": {}},\n "Resources": {\n  "Other": {},\n  "Key": {"Type": "AWS::KMS::Key"}\n }\n}');
    expect(yaml.kind === 'cloudformation' && yaml.resourceLine('Key')).toBe(5);
    expect(json.kind === 'cloudformation' && json.resourceLine('Key')).toBe(5);
    expect(json.kind === 'cloudformation' && json.resourceLine('Missing')).toBeUndefined();
  });
});
