// What the stack's functions are built from, written once: where their handler files are and where
// the results are kept (with the environment ResultsStore.fromEnv reads), and, for the functions
// that reach member accounts, the member roles, the organization and its rotation periods.
import * as path from 'node:path';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { RotationRangeDays } from '../../functions/core/key-event';
import { PROJECT_ROOT } from './handler-function';

export const DEFAULT_HANDLERS_DIR = path.join(PROJECT_ROOT, 'functions', 'handlers');

/** Every function of the stack: its handler file's folder and the results store. */
export interface FunctionSettings {
  /** Where the handler files are (default functions/handlers). */
  handlersDir?: string;
  table: dynamodb.ITable;
  /** The results bucket: account scans, manifests, Map Run results. */
  resultsBucket: s3.IBucket;
  /** Days the store keeps per-run and per-key items (the `ttl` it writes). */
  retentionDays: number;
}

/** The functions that read or change member accounts' keys: the rollout's steps and EnforceKey. */
export interface MemberAccessSettings extends FunctionSettings {
  scanRoleName: string;
  remediateRoleName: string;
  /** The organization id (a literal or a parameter's token). */
  organizationId: string;
  /**
   * The rotation period remediation asks for when the organization allows only some periods
   * (`allowedRotationRange`); undefined leaves KMS's default.
   */
  rotationPeriodDays?: number;
  /** The organization's allowed rotation periods. */
  allowedRotationRange?: RotationRangeDays;
}

/** The entry of a handler file (`file` without `.ts`). */
export const handlerEntry = (settings: FunctionSettings, file: string) => path.join(settings.handlersDir ?? DEFAULT_HANDLERS_DIR, `${file}.ts`);

/** What ResultsStore.fromEnv reads: every function builds the store from its environment. */
export const storeEnvironment = (settings: FunctionSettings): Record<string, string> => ({
  TABLE_NAME: settings.table.tableName,
  RESULTS_BUCKET: settings.resultsBucket.bucketName,
  RETENTION_DAYS: String(settings.retentionDays),
});

/** ALLOWED_ROTATION_RANGE as the functions parse it (`MIN-MAX`), when there is a range. */
export const rotationRangeEnvironment = (range: RotationRangeDays | undefined): Record<string, string> =>
  range ? { ALLOWED_ROTATION_RANGE: `${range.min}-${range.max}` } : {};
