// The state machine construct's reading of the ASL: substitution names, ResultWriter prefixes, the
// states (and so the functions) a run of the allowed modes can reach, the refusal of an ASL that
// names something the stack does not substitute; and cdk-nag's reference form.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ASL_PATH, substitutionNames as aslSubstitutionNames } from '../../statemachine/asl';
import {
  RolloutStateMachine,
  invokedSubstitutions,
  reachableStates,
  resultWriterPrefixes,
} from '../../infra/constructs/rollout-state-machine';
import { flattenReference } from '../../infra/nag';

const asl = (states: Record<string, unknown>) => JSON.stringify({ StartAt: Object.keys(states)[0], States: states }, null, 1);

function machineFor(aslText: string, functionNames: string[], allowedModes: ('scan' | 'remediate')[] = ['scan', 'remediate']) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-rotor-asl-'));
  const aslPath = path.join(dir, 'rollout.asl.json');
  fs.writeFileSync(aslPath, aslText);
  const stack = new Stack(new App(), 'KmsRotor');
  const functions = Object.fromEntries(
    functionNames.map((name) => [name, lambda.Function.fromFunctionArn(stack, name, `arn:aws:lambda:us-east-1:111122223333:function:${name}`)]),
  );
  return () =>
    new RolloutStateMachine(stack, 'Rollout', { nameSuffix: 'test', allowedModes, functions, manifestBucket: new s3.Bucket(stack, 'Bucket'), aslPath });
}

test('the substitution names of the real ASL: ten functions, the manifest bucket, the allowed modes and the Security Hub switch', () => {
  const names = aslSubstitutionNames(fs.readFileSync(ASL_PATH, 'utf8'));
  expect(names.filter((n) => n.endsWith('FunctionArn'))).toHaveLength(10);
  expect(names).toContain('ManifestBucket');
  expect(names).toContain('SecurityHubExport');
  expect(names).toContain('AllowedModes');
  expect(new Set(names).size).toBe(names.length);
});

test('an ASL naming a ${...} the stack does not substitute stops synth, naming it', () => {
  const text = asl({ A: { Type: 'Task', Resource: '${AFunctionArn}', Next: 'B' }, B: { Type: 'Task', Resource: '${BFunctionArn}', End: true } });
  expect(() => machineFor(text, ['AFunctionArn'])()).toThrow(/\$\{BFunctionArn\} which the stack does not substitute/);
  expect(() => machineFor(text, ['AFunctionArn', 'BFunctionArn'])()).not.toThrow();
});

describe('states reachable in the allowed modes', () => {
  const realAsl = () => JSON.parse(fs.readFileSync(ASL_PATH, 'utf8'));
  const functionsOf = (modes: string[]) => invokedSubstitutions(reachableStates(realAsl(), modes)).sort();

  test('the real ASL: a rollout reaches nine functions, the export too with securityHubExport; a scan never reaches the remediation states', () => {
    expect(functionsOf(['scan', 'remediate'])).toHaveLength(9);
    expect(invokedSubstitutions(reachableStates(realAsl(), ['scan', 'remediate'], true))).toHaveLength(10);
    expect(functionsOf(['scan'])).toEqual(
      ['FinalizeFunctionArn', 'ListAccountsFunctionArn', 'PlanWavesFunctionArn', 'RecordErrorFunctionArn', 'ScanAccountFunctionArn', 'ValidateInputFunctionArn'].sort(),
    );
    const definition = realAsl();
    const remediation = definition.States.RemediateWave;
    const scanStates = reachableStates(definition, ['scan']);
    expect(scanStates).not.toContain(remediation);
    expect(scanStates).not.toContain(remediation.ItemProcessor.States.RemediateAccount);
    expect(reachableStates(definition, ['scan', 'remediate'])).toContain(remediation.ItemProcessor.States.RemediateAccount);
  });

  test('a Choice rule on $.config.mode, alone or in an And, is not taken for a mode not allowed', () => {
    const definition = {
      StartAt: 'Pick',
      States: {
        Pick: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.config.mode', StringEquals: 'remediate', Next: 'Fix' },
            { And: [{ Variable: '$.count', NumericGreaterThan: 0 }, { Variable: '$.config.mode', StringEquals: 'remediate' }], Next: 'FixMore' },
            { Variable: '$.count', NumericGreaterThan: 5, Next: 'Big' },
          ],
          Default: 'Done',
        },
        Fix: { Type: 'Task', Resource: '${FixFunctionArn}', Next: 'Done' },
        FixMore: { Type: 'Task', Resource: '${FixMoreFunctionArn}', Next: 'Done' },
        Big: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'Each', States: { Each: { Type: 'Task', Resource: '${EachFunctionArn}', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Oops' }], End: true }, Oops: { Type: 'Task', Resource: '${OopsFunctionArn}', End: true } } },
          Next: 'Done',
        },
        Done: { Type: 'Task', Resource: '${DoneFunctionArn}', End: true },
      },
    };
    expect(invokedSubstitutions(reachableStates(definition, ['scan'])).sort()).toEqual(['DoneFunctionArn', 'EachFunctionArn', 'OopsFunctionArn']);
    expect(invokedSubstitutions(reachableStates(definition, ['scan', 'remediate'])).sort()).toEqual(
      ['DoneFunctionArn', 'EachFunctionArn', 'FixFunctionArn', 'FixMoreFunctionArn', 'OopsFunctionArn'].sort(),
    );
  });

  test('a transition to an undefined state is refused', () => {
    expect(() => reachableStates({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' } } }, ['scan'])).toThrow(/state B it does not define/);
  });

  test('the scan-only construct invokes only what a scan reaches', () => {
    const text = asl({
      Gate: { Type: 'Choice', Choices: [{ Variable: '$.config.mode', StringEquals: 'remediate', Next: 'Fix' }], Default: 'Scan' },
      Fix: { Type: 'Task', Resource: '${FixFunctionArn}', Next: 'Scan' },
      Scan: { Type: 'Task', Resource: '${ScanFunctionArn}', End: true },
    });
    expect(machineFor(text, ['FixFunctionArn', 'ScanFunctionArn'], ['scan'])().invokedFunctions).toEqual(['ScanFunctionArn']);
    expect(machineFor(text, ['FixFunctionArn', 'ScanFunctionArn'])().invokedFunctions.sort()).toEqual(['FixFunctionArn', 'ScanFunctionArn']);
  });
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
