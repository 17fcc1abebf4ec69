// The step registry: every Lambda function of the rollout, the Task states of
// statemachine/rollout.asl.json that invoke it, its handler file in functions/handlers/, the
// `${...}` its ARN is substituted for, its timeout and memory, and what it writes. Infra, the local
// runner, the CLI's progress and the Step Functions stand-in read it; a test checks the ASL against it. Pure data: nothing here imports AWS or CDK.

/** The partitions of the results table a function may write (infra turns them into dynamodb:LeadingKeys). */
export type PartitionKind = 'run' | 'accounts' | 'errors' | 'remediation' | 'history' | 'latest';
/** The prefixes of the results bucket a function reads or writes objects under. */
export type ObjectPrefix = 'scans' | 'manifests';

export interface StepFunction {
  /** The Task states of the ASL that invoke this function. */
  states: readonly string[];
  /**
   * The handler file in functions/handlers/, without `.ts`. Every handler file exports the same two
   * names: `step`, the pure Step (dependencies in, event to result) that the local runner calls
   * in-process, and `handler`, that step as the Lambda entry point.
   */
  file: string;
  /** The `${...}` name of this function's ARN in the ASL. */
  substitution: string;
  description: string;
  /** The function's timeout, which is also each of its Tasks' TimeoutSeconds (tested). */
  timeoutSeconds: number;
  memoryMB: number;
  /** The table partitions it writes (PutItem, UpdateItem, BatchWriteItem); every function reads the table. */
  writes: readonly PartitionKind[];
  /** The object prefixes it reads (GetObject) and writes (PutObject) in the results bucket. */
  objects: { read: readonly ObjectPrefix[]; write: readonly ObjectPrefix[] };
}

/** One entry per function; the key is its construct id and the `step` key of its log lines. */
export const STEP_FUNCTIONS = {
  ValidateInput: {
    states: ['ValidateInput'],
    file: 'validate-input',
    substitution: 'ValidateInputFunctionArn',
    description: 'validates the execution input and opens the run',
    timeoutSeconds: 60,
    memoryMB: 256,
    // createRun: the run record.
    writes: ['run'],
    objects: { read: [], write: [] },
  },
  ListAccounts: {
    states: ['ListAccounts'],
    file: 'list-accounts',
    substitution: 'ListAccountsFunctionArn',
    description: 'lists the organization accounts in scope and writes the account manifest',
    // 10,000 accounts: ~500 ListAccounts pages and, with tag-based priority, a tag read per account
    // (about 22 minutes at 8 calls/s): it saves its listing and is invoked again before this runs out.
    timeoutSeconds: 900,
    memoryMB: 512,
    // Error records of accounts asked for but not in the Organization; the run's account count; the
    // manifest, and the saved listing (manifests/<run>/accounts-listing.json) that a continuation reads.
    writes: ['run', 'errors'],
    objects: { read: ['manifests'], write: ['manifests'] },
  },
  ScanAccount: {
    states: ['ScanAccount'],
    file: 'scan-account',
    substitution: 'ScanAccountFunctionArn',
    description: 'scans one account, every enabled Region, through the read-only scan role',
    timeoutSeconds: 900,
    // More memory is more CPU and network for the concurrent per-Region scans.
    memoryMB: 1024,
    // Its scan object (read first: a retry does the Regions left), error records, key history, the
    // account summary and the latest-scan pointer; the previous run's scan of the account (drift).
    writes: ['errors', 'history', 'accounts', 'latest'],
    objects: { read: ['scans'], write: ['scans'] },
  },
  RecordError: {
    states: ['RecordScanError', 'RecordRemediationError'],
    file: 'record-error',
    substitution: 'RecordErrorFunctionArn',
    description: 'records an account that could not be scanned or remediated',
    timeoutSeconds: 60,
    memoryMB: 256,
    // The scan object says what was scanned; error records, the account summary, and for a failed
    // remediation its keys (remediation state and history) and wave outcome.
    writes: ['errors', 'accounts', 'remediation', 'history'],
    objects: { read: ['scans'], write: [] },
  },
  PlanWaves: {
    states: ['PlanWaves'],
    file: 'plan-waves',
    substitution: 'PlanWavesFunctionArn',
    description: 'orders the non-compliant keys of the run into remediation waves',
    timeoutSeconds: 300,
    memoryMB: 1024,
    // The wave plan (WAVE# items) and the run's wave count, both in the run partition.
    writes: ['run'],
    objects: { read: [], write: [] },
  },
  GetWave: {
    states: ['GetWave'],
    file: 'get-wave',
    substitution: 'GetWaveFunctionArn',
    description: 'reads the accounts of one wave',
    timeoutSeconds: 60,
    memoryMB: 256,
    // Reads one wave item.
    writes: [],
    objects: { read: [], write: [] },
  },
  RemediateAccount: {
    states: ['RemediateAccount'],
    file: 'remediate-account',
    substitution: 'RemediateAccountFunctionArn',
    description: 'enables rotation on the wave keys of one account through the remediate role, then re-scans them',
    timeoutSeconds: 900,
    memoryMB: 512,
    // Reads the account's scan; writes each key's remediation state and history, and the wave outcome.
    writes: ['remediation', 'history', 'accounts'],
    objects: { read: ['scans'], write: [] },
  },
  ValidationGate: {
    states: ['ValidationGate'],
    file: 'validation-gate',
    substitution: 'ValidationGateFunctionArn',
    description: 'counts the outcome of a wave and halts the rollout above the failure threshold',
    timeoutSeconds: 120,
    memoryMB: 512,
    // Reads the wave outcomes; writes the wave's result on the run record.
    writes: ['run'],
    objects: { read: [], write: [] },
  },
  Finalize: {
    states: ['Finalize', 'FinalizeFailed'],
    file: 'finalize',
    substitution: 'FinalizeFunctionArn',
    description: 'writes the run summary and drift, publishes drift and the run metrics, reconciles interrupted runs of its scope',
    timeoutSeconds: 300,
    memoryMB: 1024,
    // The manifest (accounts left without a scan), the scans of this and the previous run (drift);
    // error records for unscanned accounts and the run record; for each interrupted run of its scope
    // (store/reconcile.ts), the keys it enabled (remediation state, history), its wave outcomes and record.
    writes: ['run', 'errors', 'remediation', 'history', 'accounts'],
    objects: { read: ['scans', 'manifests'], write: [] },
  },
  ExportToSecurityHub: {
    states: ['ExportToSecurityHub'],
    file: 'export-to-security-hub',
    substitution: 'ExportToSecurityHubFunctionArn',
    description: "imports the run's findings into this account's Security Hub (securityHubExport)",
    // Security Hub takes 10 BatchImportFindings a second: about 1,000 keys a second, so about
    // 250,000 keys in this time; larger runs export from the CLI.
    timeoutSeconds: 300,
    memoryMB: 1024,
    // Reads the run and its scans, and the previous run's (to archive the keys gone); writes nothing.
    writes: [],
    objects: { read: ['scans'], write: [] },
  },
} as const satisfies Record<string, StepFunction>;

export type StepFunctionId = keyof typeof STEP_FUNCTIONS;
/**
 * A function no state machine invokes: an EventBridge rule does, with its event. The same fields as
 * a step function's but the Task states and the substitution; its construct builds it and its grants.
 */
export type EventFunction = Omit<StepFunction, 'states' | 'substitution'>;

export const EVENT_FUNCTIONS = {
  RecordStoppedExecution: {
    file: 'record-stopped-execution',
    description: 'marks the run of an execution that was aborted, timed out or failed before Finalize INTERRUPTED',
    timeoutSeconds: 60,
    memoryMB: 256,
    // The run record only (UpdateItem, conditional on RUNNING); it reads the run's counts.
    writes: ['run'],
    objects: { read: [], write: [] },
  },
} as const satisfies Record<string, EventFunction>;

export type EventFunctionId = keyof typeof EVENT_FUNCTIONS;

/** A Task state of the ASL that invokes a function of the registry. */
export type TaskState = (typeof STEP_FUNCTIONS)[StepFunctionId]['states'][number];

export const STEP_FUNCTION_IDS = Object.keys(STEP_FUNCTIONS) as StepFunctionId[];

/** The function each Task state invokes. */
export const TASK_STATES = Object.fromEntries(
  STEP_FUNCTION_IDS.flatMap((id) => STEP_FUNCTIONS[id].states.map((state) => [state, id])),
) as Record<TaskState, StepFunctionId>;
