// The state machine construct's reading of the ASL: substitution names, ResultWriter prefixes, the
// refusal of an ASL that names something the stack does not substitute; and cdk-nag's reference form.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ASL_PATH,
  RolloutStateMachine,
  aslSubstitutionNames,
  resultWriterPrefixes,
} from '../../infra/constructs/rollout-state-machine';
import { flattenReference } from '../../infra/nag';

const asl = (states: Record<string, unknown>) => JSON.stringify({ StartAt: Object.keys(states)[0], States: states }, null, 1);

function machineFor(aslText: string, functionNames: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-rotor-asl-'));
  const aslPath = path.join(dir, 'rollout.asl.json');
  fs.writeFileSync(aslPath, aslText);
  const stack = new Stack(new App(), 'KmsRotor');
  const functions = Object.fromEntries(
    functionNames.map((name) => [name, lambda.Function.fromFunctionArn(stack, name, `arn:aws:lambda:us-east-1:111122223333:function:${name}`)]),
  );
  return () => new RolloutStateMachine(stack, 'Rollout', { functions, manifestBucket: new s3.Bucket(stack, 'Bucket'), aslPath });
}

test('the substitution names of the real ASL: nine functions and the manifest bucket', () => {
  const names = aslSubstitutionNames(fs.readFileSync(ASL_PATH, 'utf8'));
  expect(names.filter((n) => n.endsWith('FunctionArn'))).toHaveLength(9);
  expect(names).toContain('ManifestBucket');
  expect(new Set(names).size).toBe(names.length);
});

test('an ASL naming a ${...} the stack does not substitute stops synth, naming it', () => {
  const text = asl({ A: { Type: 'Task', Resource: '${AFunctionArn}', Next: 'B' }, B: { Type: 'Task', Resource: '${BFunctionArn}', End: true } });
  expect(() => machineFor(text, ['AFunctionArn'])()).toThrow(/\$\{BFunctionArn\} which the stack does not substitute/);
  expect(() => machineFor(text, ['AFunctionArn', 'BFunctionArn'])()).not.toThrow();
});

test('ResultWriter prefixes are found at any depth, trailing slashes dropped', () => {
  const definition = {
    States: {
      Outer: { Type: 'Map', ResultWriter: { Parameters: { Bucket: 'b', Prefix: 'one/' } }, ItemProcessor: { States: { Inner: { ResultWriter: { Parameters: { Prefix: 'two' } } } } } },
      Other: { Type: 'Pass' },
    },
  };
  expect(resultWriterPrefixes(definition).sort()).toEqual(['one', 'two']);
  expect(resultWriterPrefixes(JSON.parse(fs.readFileSync(ASL_PATH, 'utf8'))).sort()).toEqual(['remediation-results', 'scan-results']);
});

test('flattenReference renders references as cdk-nag does', () => {
  expect(flattenReference('*')).toBe('*');
  expect(flattenReference({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table1', 'Arn'] }, '/index/*']] })).toBe('<Table1.Arn>/index/*');
  expect(flattenReference({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/X']] })).toBe('arn:<AWS::Partition>:iam::*:role/X');
  expect(flattenReference({ 'Fn::Sub': 'arn:${AWS::Partition}:kms:*' })).toBe('arn:<AWS::Partition>:kms:*');
});
