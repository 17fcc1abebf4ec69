// The ExternalId as the deployed functions read it, against moto's Secrets Manager (conformance):
// the secret's value, read once per container and kept, a failed read tried again, a value that is
// not an ExternalId refused without being quoted, and none when the environment names no secret.
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EXTERNAL_ID_SECRET_ENV, externalIdFromEnv, externalIdFromSecret } from '../../functions/aws/external-id';
import { startMoto, type MotoServer } from '../support/moto';

let moto: MotoServer;
let secrets: SecretsManagerClient;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  // The SDK's own configuration points the product's client at moto.
  Object.assign(process.env, { AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'moto', AWS_SECRET_ACCESS_KEY: 'moto' });
  secrets = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
}, 60_000);
afterAll(async () => {
  secrets.destroy();
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  await moto.stop();
});

const create = async (name: string, value: string) => (await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }))).ARN!;
const getSecretValueCalls = (requests: { headers: Record<string, string> }[]) => requests.filter((r) => r.headers['x-amz-target'] === 'secretsmanager.GetSecretValue').length;

test('the secret named in the environment gives the ExternalId, read once and kept for the container', async () => {
  const arn = await create('kms-rotor-external-id', 'rotor-ext-4f9c2d');
  const source = externalIdFromEnv({ [EXTERNAL_ID_SECRET_ENV]: arn });
  await moto.startRecording();
  expect(await source()).toBe('rotor-ext-4f9c2d');
  // A new value is seen by the next container only: this one does not read again.
  await secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'rotor-ext-changed' }));
  expect(await source()).toBe('rotor-ext-4f9c2d');
  expect(await externalIdFromSecret(arn)).toBe('rotor-ext-4f9c2d');
  expect(getSecretValueCalls(await moto.stopRecording())).toBe(1);
});

test('a failed read is not kept: the next call reads again', async () => {
  const name = 'kms-rotor-external-id-later';
  await expect(externalIdFromSecret(name)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  await create(name, 'rotor-ext-later');
  expect(await externalIdFromSecret(name)).toBe('rotor-ext-later');
});

test('a secret that holds no ExternalId is refused, its value not quoted', async () => {
  const arn = await create('kms-rotor-not-an-id', 'has space; and more');
  const failure = (await externalIdFromSecret(arn).catch((e: Error) => e)) as Error;
  expect(failure.message).toBe(`the secret ${arn} does not hold an ExternalId (2-1224 characters of [\\w+=,.@:/-])`);
  expect(failure.message).not.toContain('has space');
});

test('no secret in the environment: no ExternalId, and no call', async () => {
  await moto.startRecording();
  expect(await externalIdFromEnv({})()).toBeUndefined();
  expect(await moto.stopRecording()).toEqual([]);
});
