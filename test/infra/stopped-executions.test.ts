// The rule on stopped executions in the CDK app: its pattern (Step Functions status changes to
// ABORTED, TIMED_OUT or FAILED of our two state machines only), its target (RecordStoppedExecution,
// retried by EventBridge and by Lambda, both ending in one dead-letter queue with an alarm), and the
// function's grants: reads of the table, UpdateItem on run records only; cdk-nag and cfn-lint clean.
import { buildApp, expectNagAndLintClean, logicalId, roleActions, roleStatements, type BuiltApp, type Json } from './support';
import { DELIVERY_RETRIES, INVOCATION_RETRIES } from '../../infra/constructs/stopped-executions';

const base = { organizationId: 'o-a1b2c3d4e5', memberTargets: 'r-abcd', externalId: 'kms-rotor-ext', enforcement: 'off' };

let built: BuiltApp;
let ids: { rule: string; fn: string; role: string; queue: string; rollout: string; scan: string };
beforeAll(() => {
  built = buildApp(base, { bundle: false });
  const stopped = built.stack.stoppedExecutions;
  ids = {
    rule: logicalId(stopped.rule),
    fn: logicalId(stopped.handler.function),
    role: logicalId(stopped.handler.role),
    queue: logicalId(stopped.deadLetterQueue),
    rollout: logicalId(built.stack.rollout.stateMachine),
    scan: logicalId(built.stack.scan.stateMachine),
  };
});

const resource = (id: string): Json => built.json.Resources[id];

test('the rule: status changes of our two state machines to ABORTED, TIMED_OUT or FAILED, on the default bus', () => {
  const rule = resource(ids.rule).Properties;
  expect(rule.EventBusName).toBeUndefined();
  expect(rule.EventPattern).toEqual({
    source: ['aws.states'],
    'detail-type': ['Step Functions Execution Status Change'],
    detail: { status: ['ABORTED', 'TIMED_OUT', 'FAILED'], stateMachineArn: [{ Ref: ids.rollout }, { Ref: ids.scan }] },
  });
});

test('its target: the function, delivery retried and then dead-lettered; the function retried and then dead-lettered to the same queue; an alarm on it', () => {
  const [target] = resource(ids.rule).Properties.Targets;
  expect(target).toMatchObject({
    Arn: { 'Fn::GetAtt': [ids.fn, 'Arn'] },
    RetryPolicy: { MaximumRetryAttempts: DELIVERY_RETRIES, MaximumEventAgeInSeconds: 86_400 },
    DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ids.queue, 'Arn'] } },
  });
  built.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
    FunctionName: { Ref: ids.fn },
    MaximumRetryAttempts: INVOCATION_RETRIES,
    DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [ids.queue, 'Arn'] } } },
  });
  // EventBridge may invoke the function, for this rule only.
  built.template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { 'Fn::GetAtt': [ids.fn, 'Arn'] }, Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [ids.rule, 'Arn'] } });
  // EventBridge may send this rule's undeliverable events to the queue, and nothing else may.
  const policies = Object.values<Json>(built.json.Resources).filter((r) => r.Type === 'AWS::SQS::QueuePolicy' && JSON.stringify(r.Properties.Queues).includes(ids.queue));
  const allows = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s: Json) => s.Effect === 'Allow');
  expect(allows).toEqual([expect.objectContaining({ Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ids.rule, 'Arn'] } } } })]);
  built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queue, 'QueueName'] } }],
    AlarmActions: [{ Ref: logicalId(built.stack.notifications.topic) }],
  });
});

test('the function: reads the table, UpdateItem on run records only (no other partition, no put, no batch), sends only to its dead-letter queue', () => {
  const actions = roleActions(built.json, ids.role).filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'));
  const writes = ['dynamodb:PutItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 's3:PutObject'].filter((a) => actions.includes(a));
  expect(writes).toEqual([]);
  expect(actions.filter((a) => !a.startsWith('dynamodb:'))).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
  const statements = roleStatements(built.json, ids.role);
  const update = statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb:UpdateItem'));
  expect(update).toEqual([
    expect.objectContaining({
      Action: 'dynamodb:UpdateItem',
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RUN#*'] }, 'ForAllValues:StringNotLike': { 'dynamodb:LeadingKeys': ['RUN#*#*'] } },
    }),
  ]);
  const sends = statements.filter((s) => JSON.stringify(s.Action).includes('sqs:SendMessage'));
  expect(sends.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [ids.queue, 'Arn'] }]);
  expect(resource(ids.fn).Properties.Environment.Variables).toEqual(expect.objectContaining({ TABLE_NAME: expect.anything(), RESULTS_BUCKET: expect.anything() }));
});

test('cdk-nag finds nothing unacknowledged and cfn-lint passes', () => {
  expectNagAndLintClean(built, 'stopped-executions');
});
