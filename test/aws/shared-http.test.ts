// The HTTP handler every client shares: a scan's clients (one per account and Region, each
// destroyed when done) reuse the same keep-alive connections, against a local endpoint that
// counts the connections it accepts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { kmsClient } from '../../functions/aws/clients/kms';
import { clientConfig } from '../../functions/aws/clients/config';
import { sharedRequestHandler } from '../../functions/aws/clients/http';

let server: Server;
let connections = 0;
let requests = 0;
const saved = process.env.AWS_ENDPOINT_URL;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(JSON.stringify({ Keys: [], Truncated: false }));
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = saved;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const account = (n: number) => ({ accessKeyId: `AKIDACCOUNT${n}`, secretAccessKey: 'secret', sessionToken: `session-${n}` });

test("clients of different accounts, each destroyed after its calls, send over one connection", async () => {
  connections = 0;
  requests = 0;
  for (const n of [1, 2, 3]) {
    const kms = kmsClient('us-east-1', account(n));
    for (let call = 0; call < 3; call++) await kms.send(new ListKeysCommand({}));
    kms.destroy();
  }
  expect(requests).toBe(9);
  expect(connections).toBe(1);
});

test('concurrent calls open at most one connection each, kept for the next client', async () => {
  connections = 0;
  const first = kmsClient('us-east-1', account(4));
  await Promise.all(Array.from({ length: 8 }, () => first.send(new ListKeysCommand({}))));
  first.destroy();
  const opened = connections;
  expect(opened).toBeLessThanOrEqual(8);
  const next = kmsClient('us-east-1', account(5));
  await Promise.all(Array.from({ length: 8 }, () => next.send(new ListKeysCommand({}))));
  next.destroy();
  expect(connections).toBe(opened);
});

test("a caller's own request handler is kept; every other client gets the shared one", () => {
  const own = { handle: jest.fn(), destroy: jest.fn() };
  expect(clientConfig({ requestHandler: own }).requestHandler).toBe(own);
  expect(clientConfig({ region: 'eu-west-1' }).requestHandler).toBe(sharedRequestHandler());
});
