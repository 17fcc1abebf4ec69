// Prevention: the check of CloudFormation templates, CDK cloud assemblies and Terraform plans for
// KMS keys without rotation (`rotor check-template`), and the decision the CDK Aspect shares.
import { checkSources, type CheckReport } from './check';
import { readInputs, type ReadOptions } from './read-inputs';
import { renderJson } from './report-json';
import { renderSarif } from './report-sarif';
import { renderText } from './report-text';

export * from './check';
export { DocumentError, NOT_A_TEMPLATE, parseDocument, TERRAFORM_CONFIGURATION_NOT_READ, type ParsedDocument } from './documents';
export { CLOUDFORMATION_TAGS, SHORT_FORM_FUNCTIONS } from './intrinsic-tags';
export { possibleValues, UnknownValue, type Outcome, type TemplateContext } from './intrinsic-values';
export { readInputs, type ReadInput, type ReadOptions } from './read-inputs';
export { renderJson } from './report-json';
export { buildSarif, renderSarif } from './report-sarif';
export { renderText, summaryLine } from './report-text';
export {
  decideKeyRotation,
  isKeyResourceType,
  KEY_RESOURCE_TYPES,
  type KeyDeclaration,
  type KeyStatus,
  type KeyVerdict,
  type Violation,
} from './rotation-decision';
export { RULES, RULE_IDS, type RuleId } from './rules';

export const REPORT_FORMATS = ['text', 'json', 'sarif'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

export function renderReport(report: CheckReport, format: ReportFormat): string {
  switch (format) {
    case 'text':
      return renderText(report);
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report);
  }
}

/** Reads and checks files and folders: the whole check, as the CLI runs it. */
export async function checkPaths(paths: readonly string[], options: ReadOptions = {}): Promise<CheckReport> {
  return checkSources(await readInputs(paths, options));
}
