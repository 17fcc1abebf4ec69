// The size of each Lambda bundle, built as NodejsFunction builds it (esbuild: bundled with the AWS
// SDK, minified, CommonJS, for the functions' runtime): each handler carries only the clients it
// calls. The bounds are the sizes before the clients were split per service (and zod imported as
// a namespace, so that unused parts of it, its locales, are left out); a bundle that grows past
// its bound has pulled in a client or library it should not.
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_HANDLERS_DIR } from '../../infra/constructs/function-settings';
import { HANDLER_RUNTIME, PROJECT_ROOT } from '../../infra/constructs/handler-function';
import { STEP_FUNCTIONS, STEP_FUNCTION_IDS, type StepFunctionId } from '../../statemachine/steps';

/** Bytes of minified JavaScript per function, at most. */
const BOUNDS: Record<StepFunctionId, number> = {
  ValidateInput: 1_329_246,
  ListAccounts: 1_438_416,
  ScanAccount: 2_498_849,
  RecordError: 1_328_707,
  PlanWaves: 1_328_167,
  GetWave: 1_326_568,
  RemediateAccount: 1_428_245,
  ValidationGate: 1_327_347,
  Finalize: 1_331_166,
  // The only bundle with the Security Hub client (about 260 KB): it took Finalize's bound when it
  // left Finalize (1,329,981 bytes then); the results store's key-event reads added about 0.4 KB
  // to every bundle since, so it has 1,335,000. Finalize itself is now about 1.09 MB.
  ExportToSecurityHub: 1_335_000,
};

async function bundleSize(id: StepFunctionId): Promise<number> {
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [path.join(DEFAULT_HANDLERS_DIR, `${STEP_FUNCTIONS[id].file}.ts`)],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'cjs',
    target: HANDLER_RUNTIME.name.replace('nodejs', 'node').replace(/\.x$/, ''),
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].contents.length;
}

test.each(STEP_FUNCTION_IDS)('%s: its bundle stays within its bound', async (id) => {
  const size = await bundleSize(id);
  console.log(`${id}: ${size.toLocaleString('en-US')} bytes, bound ${BOUNDS[id].toLocaleString('en-US')}`);
  expect(size).toBeLessThan(BOUNDS[id]);
});

test('the DynamoDB-only step (GetWave) carries no client of KMS, EC2, Organizations, STS, SNS or CloudWatch', async () => {
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [path.join(DEFAULT_HANDLERS_DIR, `${STEP_FUNCTIONS.GetWave.file}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const packages = new Set(Object.keys(result.metafile.inputs).map((p) => /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)/.exec(p)?.[1]).filter(Boolean));
  expect([...packages].sort()).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/client-s3']);
});

test('functions/ imports zod as a namespace (`import * as z`): `import { z }` bundles all of zod, its locales too', () => {
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  const named = files(path.join(PROJECT_ROOT, 'functions')).filter((file) => /import\s*\{\s*z\s*\}\s*from\s*'zod'/.test(fs.readFileSync(file, 'utf8')));
  expect(named.map((file) => path.relative(PROJECT_ROOT, file))).toEqual([]);
});
