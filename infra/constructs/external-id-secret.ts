// The ExternalId as the deployment keeps it: a Secrets Manager secret created from the stack's NoEcho
// `ExternalId` parameter (or the `externalId` context value). Only the functions that assume member
// roles may read it; their environment has its ARN, never its value, and no state's input carries it.
import { SecretValue } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { EXTERNAL_ID_SECRET_ENV } from '../../functions/aws/external-id';
import { acknowledgeRule } from '../nag';
import type { HandlerFunction } from './handler-function';

export interface ExternalIdSecretProps {
  /** The parameter's value (SecretValue.cfnParameter) or the context literal. */
  value: SecretValue;
}

export class ExternalIdSecret extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: ExternalIdSecretProps) {
    super(scope, id);
    // Encrypted with Secrets Manager's AWS managed key: readers need GetSecretValue only, and the
    // value is no more secret than the member roles' trust policies, which carry it too.
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'kms-rotor: the sts:ExternalId every member role requires (read by ScanAccount, RemediateAccount and EnforceKey)',
      secretStringValue: props.value,
    });
    acknowledgeRule(
      this.secret,
      'SMG4',
      "No automatic rotation: the ExternalId is also in every member role's trust policy (the member StackSet), so it is changed by updating the stack's ExternalId, which updates this secret and the StackSet together; a rotation Lambda would break every AssumeRole.",
    );
  }

  /** Lets `handler` read the ExternalId: the secret's ARN in its environment, GetSecretValue on this secret only. */
  allowRead(handler: HandlerFunction): void {
    handler.function.addEnvironment(EXTERNAL_ID_SECRET_ENV, this.secret.secretArn);
    handler.allow({ sid: 'ReadExternalId', actions: ['secretsmanager:GetSecretValue'], resources: [this.secret.secretArn] });
  }
}
