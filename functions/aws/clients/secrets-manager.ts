// The Secrets Manager client of the deployment's own secrets (the ExternalId), with the one retry strategy.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig } from './config';

export const secretsManagerClient = () => new SecretsManagerClient(clientConfig({}));
