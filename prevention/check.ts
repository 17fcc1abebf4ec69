// Checks the text of input files and gathers the verdicts into one report: every key found, every
// finding (a violated rule), every file that could not be read, and the exit code they add up to.
import { keysInTemplate, templateContext } from './cloudformation-keys';
import { DocumentError, parseDocument, TERRAFORM_CONFIGURATION_NOT_READ } from './documents';
import type { RuleId } from './rules';
import { decideKeyRotation, type KeyStatus, type Violation } from './rotation-decision';
import { keysInPlan } from './terraform-keys';

/** One input: its name as the user gave it (or as found in a folder) and its text. */
export interface SourceText {
  file: string;
  text: string;
  /** Set for the templates of a cdk.out folder. */
  expect?: 'cloudformation';
  /** Set for files a folder walk came across: one that is not a template or plan is left out, and
   * one that does not parse is an error only when it names a KMS key type (it may hide a key). */
  found?: 'folder';
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

/** What a folder argument held: a cloud assembly's templates, or what a walk of the folder found. */
export interface FolderInput {
  folder: string;
  kind: 'cloud-assembly' | 'folder';
  inputs: Array<SourceText | FileError>;
  /** Terraform configuration files (`.tf`) seen, which are not read: the error for a folder with
   * nothing to check says how to make a plan of them instead. */
  terraformConfigurations: number;
  /** Whether some of what it holds was left out as read already (by an earlier argument): such a
   * folder is not one with nothing to check. */
  alreadyRead: boolean;
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

const KMS_KEY_TYPE = /AWS::KMS::|aws_kms_/;

/** A walk meets JSON and YAML that are not templates (package.json, workflows, Helm charts): those
 * are no concern of the check, unless they name a KMS key type and so may declare a key. */
function checkFoundSource(source: SourceText): FileCheck | undefined {
  const result = checkSource(source);
  return 'error' in result && !KMS_KEY_TYPE.test(source.text) ? undefined : result;
}

function nothingToCheck(folder: FolderInput): string {
  if (folder.kind === 'cloud-assembly') return 'a cloud assembly with no *.template.json files';
  const what = 'no CloudFormation template, cdk.out folder or Terraform plan JSON in this folder';
  if (folder.terraformConfigurations === 0) return what;
  return `${what}; ${TERRAFORM_CONFIGURATION_NOT_READ}`;
}

/** The report over the inputs, in their order: texts to check, files that could not be read, and
 * what folders held. */
export function checkSources(inputs: ReadonlyArray<SourceText | FileError | FolderInput>): CheckReport {
  const report: CheckReport = { files: [], keys: [], errors: [] };
  const add = (result: FileCheck | FileError) => {
    report.files.push(result.file);
    if ('error' in result) report.errors.push({ file: result.file, error: result.error });
    // One push per key: spreading a plan's 100k keys into one call's arguments overflows the stack.
    else for (const key of result.keys) report.keys.push(key);
  };
  for (const input of inputs) {
    if ('error' in input) add(input);
    else if ('text' in input) add(checkSource(input));
    else {
      const before = report.files.length;
      for (const inner of input.inputs) {
        const result = 'error' in inner ? inner : inner.found === 'folder' ? checkFoundSource(inner) : checkSource(inner);
        if (result) add(result);
      }
      if (report.files.length === before && !input.alreadyRead) add({ file: input.folder, error: nothingToCheck(input) });
    }
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
