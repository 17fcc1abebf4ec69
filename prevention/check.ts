// Checks the text of input files and gathers the verdicts into one report: every key found, every
// finding (a violated rule), every file that could not be read, and the exit code they add up to.
import { keysInTemplate, templateContext } from './cloudformation-keys';
import { DocumentError, parseDocument } from './documents';
import type { RuleId } from './rules';
import { decideKeyRotation, type KeyStatus, type Violation } from './rotation-decision';
import { keysInPlan } from './terraform-keys';

/** One input: its name as the user gave it (or as found in a cdk.out folder) and its text. */
export interface SourceText {
  file: string;
  text: string;
  /** Set for files a cdk.out manifest names as templates. */
  expect?: 'cloudformation';
}

/** The verdict on one key of one file. `id` is the logical id or the Terraform address. */
export interface KeyCheck {
  file: string;
  id: string;
  resourceType: string;
  /** 1-based line of the resource in its file, when known. */
  line?: number;
  status: KeyStatus;
  reason: string;
  violations: Violation[];
}

/** A file that could not be checked, and why. */
export interface FileError {
  file: string;
  error: string;
}

export interface CheckReport {
  /** Every file that was looked at, in order, checked or not. */
  files: string[];
  keys: KeyCheck[];
  errors: FileError[];
}

/** One violated rule on one key: what the text lines, the JSON findings and SARIF results are. */
export interface TemplateFinding {
  file: string;
  id: string;
  resourceType: string;
  line?: number;
  ruleId: RuleId;
  message: string;
}

export interface CheckSummary {
  files: number;
  keys: number;
  COMPLIANT: number;
  NON_COMPLIANT: number;
  NOT_APPLICABLE: number;
  findings: number;
  errors: number;
}

export type FileCheck = { file: string; keys: KeyCheck[] } | { file: string; error: string };

export function checkSource(source: SourceText): FileCheck {
  try {
    return { file: source.file, keys: keysOf(source) };
  } catch (error) {
    // A file's problem is reported against that file, in words; the other files are still checked.
    const message = error instanceof DocumentError ? error.message : `cannot be checked: ${(error as Error).message}`;
    return { file: source.file, error: message };
  }
}

function keysOf(source: SourceText): KeyCheck[] {
  const document = parseDocument(source.text, { fileName: source.file, expect: source.expect });
  if (document.kind === 'terraform-plan') {
    return keysInPlan(document.plan).map((key) => ({
      file: source.file,
      id: key.id,
      resourceType: key.resourceType,
      ...decideKeyRotation(key),
    }));
  }
  const context = templateContext(document.template);
  return keysInTemplate(document.template).map((key): KeyCheck => {
    const line = document.resourceLine(key.id);
    return {
      file: source.file,
      id: key.id,
      resourceType: key.resourceType,
      ...(line === undefined ? {} : { line }),
      ...decideKeyRotation(key, context),
    };
  });
}

/** The report over the inputs, in their order: texts to check, and files that could not be read. */
export function checkSources(inputs: ReadonlyArray<SourceText | FileError>): CheckReport {
  const report: CheckReport = { files: [], keys: [], errors: [] };
  for (const input of inputs) {
    report.files.push(input.file);
    const result = 'error' in input ? input : checkSource(input);
    if ('error' in result) report.errors.push({ file: result.file, error: result.error });
    // One push per key: spreading a plan's 100k keys into one call's arguments overflows the stack.
    else for (const key of result.keys) report.keys.push(key);
  }
  return report;
}

export function findingsOf(report: CheckReport): TemplateFinding[] {
  return report.keys.flatMap((key) =>
    key.violations.map((violation) => ({
      file: key.file,
      id: key.id,
      resourceType: key.resourceType,
      ...(key.line === undefined ? {} : { line: key.line }),
      ruleId: violation.ruleId,
      message: violation.message,
    })),
  );
}

export function summarize(report: CheckReport): CheckSummary {
  const count = (status: KeyStatus) => report.keys.filter((key) => key.status === status).length;
  return {
    files: report.files.length,
    keys: report.keys.length,
    COMPLIANT: count('COMPLIANT'),
    NON_COMPLIANT: count('NON_COMPLIANT'),
    NOT_APPLICABLE: count('NOT_APPLICABLE'),
    findings: findingsOf(report).length,
    errors: report.errors.length,
  };
}

/** 2 when a file could not be read or parsed, else 1 when there is a finding, else 0. */
export function exitCodeFor(report: CheckReport): 0 | 1 | 2 {
  if (report.errors.length > 0) return 2;
  return report.keys.some((key) => key.violations.length > 0) ? 1 : 0;
}
