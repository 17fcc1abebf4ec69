// Reads one input's text into a document the check understands: a CloudFormation template (JSON,
// or YAML with the short intrinsic tags) or a Terraform plan (`terraform show -json`). Anything
// else is a DocumentError whose message says why, in words, without a stack trace.
import { LineCounter, isMap, isScalar, parseAllDocuments, visit, type Document, type YAMLError } from 'yaml';
import { CLOUDFORMATION_TAGS } from './intrinsic-tags';
import { jsonResourceLines } from './json-resource-lines';

export class DocumentError extends Error {
  override readonly name = 'DocumentError';
}

/** A CloudFormation template as data; only the sections the check reads are typed. */
export interface CloudFormationTemplate {
  Resources: Record<string, unknown>;
  Parameters?: unknown;
  Mappings?: unknown;
  [section: string]: unknown;
}

/** A Terraform plan as `terraform show -json` writes it; only the parts the check reads are typed. */
export interface TerraformPlan {
  format_version: string;
  planned_values?: { root_module?: TerraformModule };
  resource_changes?: TerraformResourceChange[];
  [field: string]: unknown;
}

export interface TerraformModule {
  address?: string;
  resources?: TerraformResource[];
  child_modules?: TerraformModule[];
}

export interface TerraformResource {
  address: string;
  mode?: string;
  type: string;
  name?: string;
  values?: Record<string, unknown> | null;
}

export interface TerraformResourceChange {
  address: string;
  mode?: string;
  type: string;
  change?: {
    actions?: string[];
    after?: Record<string, unknown> | null;
    after_unknown?: Record<string, unknown> | boolean | null;
  };
}

export type ParsedDocument =
  | {
      kind: 'cloudformation';
      syntax: 'json' | 'yaml';
      template: CloudFormationTemplate;
      /** The 1-based line where a resource's logical id is written, when it can be found. */
      resourceLine(logicalId: string): number | undefined;
    }
  | { kind: 'terraform-plan'; plan: TerraformPlan };

export interface ParseOptions {
  /** The file's name; its extension says JSON or YAML when it has one of theirs. */
  fileName?: string;
  /** A file the caller knows to be a template (cdk.out lists them): a missing Resources section
   * then means "no resources" rather than "not a template". */
  expect?: 'cloudformation';
}

export const NOT_A_TEMPLATE = 'not a CloudFormation template or Terraform plan';

/** What a `.tf` (or `.tf.json`) file gets: the check reads plans, where every value is worked out. */
export const TERRAFORM_CONFIGURATION_NOT_READ =
  'Terraform configuration (HCL) is not read: check the plan as JSON instead ' +
  '(terraform plan -out plan.out && terraform show -json plan.out > plan.json)';

export function isTerraformConfiguration(fileName: string): boolean {
  return /\.tf(\.json)?$/i.test(fileName);
}

export function parseDocument(text: string, options: ParseOptions = {}): ParsedDocument {
  if (options.fileName && isTerraformConfiguration(options.fileName)) {
    throw new DocumentError(TERRAFORM_CONFIGURATION_NOT_READ);
  }
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (source.trim() === '') throw new DocumentError('the file is empty');
  const syntax = syntaxOf(source, options.fileName);
  if (syntax === 'json') {
    const data = parseJson(source);
    let lines: Map<string, number> | undefined;
    return classify(data, options, 'json', (id) => (lines ??= jsonResourceLines(source)).get(id));
  }
  const { data, resourceLine } = parseYaml(source);
  return classify(data, options, 'yaml', resourceLine);
}

function syntaxOf(source: string, fileName: string | undefined): 'json' | 'yaml' {
  const extension = fileName?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  if (extension === 'json') return 'json';
  if (extension === 'yaml' || extension === 'yml') return 'yaml';
  return source.trimStart().startsWith('{') ? 'json' : 'yaml';
}

function parseJson(source: string): unknown {
  try {
    return JSON.parse(source);
  } catch (error) {
    const message = (error as Error).message;
    const position = message.match(/at position (\d+)/);
    const where = position ? ` (line ${lineAt(source, Number(position[1]))})` : '';
    throw new DocumentError(`invalid JSON: ${message}${where}`);
  }
}

function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

function describeYamlError(error: YAMLError): string {
  const firstLine = error.message.split('\n')[0].replace(/:$/, '');
  if (error.code === 'TAG_RESOLVE_FAILED') {
    const tag = firstLine.match(/Unresolved tag: (\S+)/)?.[1];
    const line = error.linePos?.[0].line;
    if (tag) return `unknown tag ${tag}${line ? ` at line ${line}` : ''}: not a CloudFormation intrinsic function`;
  }
  return `invalid YAML: ${firstLine}`;
}

/** The offset of the first key that repeats an earlier key of its mapping. `yaml` checks this with a
 * scan of the mapping per key (quadratic in a template's Resources), so the parse turns that off
 * and this does it with a set per mapping. Keys compare as `yaml` compares them: scalars by value. */
function firstRepeatedKey(document: Document.Parsed): number | undefined {
  let offset: number | undefined;
  visit(document, {
    Map(_, map) {
      const keys = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        if (keys.has(key.value)) {
          offset = key.range?.[0];
          return visit.BREAK;
        }
        keys.add(key.value);
      }
      return undefined;
    },
  });
  return offset;
}

function parseYaml(source: string): { data: unknown; resourceLine: (id: string) => number | undefined } {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(source, {
    customTags: CLOUDFORMATION_TAGS,
    prettyErrors: true,
    lineCounter,
    uniqueKeys: false,
  });
  if (!Array.isArray(documents)) throw new DocumentError('the file holds no YAML document');
  if (documents.length !== 1) {
    throw new DocumentError(`the file holds ${documents.length} YAML documents; a template is a single document`);
  }
  const [document] = documents;
  // An unknown tag is only a warning to `yaml`; to a template it is a function CloudFormation lacks.
  const problem = document.errors[0] ?? document.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (problem) throw new DocumentError(describeYamlError(problem));
  const repeated = firstRepeatedKey(document);
  if (repeated !== undefined) {
    const { line, col } = lineCounter.linePos(repeated);
    throw new DocumentError(`invalid YAML: Map keys must be unique at line ${line}, column ${col}`);
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new DocumentError(`invalid YAML: ${(error as Error).message}`);
  }
  let lines: Map<string, number> | undefined;
  const resourceLine = (logicalId: string): number | undefined => (lines ??= yamlResourceLines(document, lineCounter)).get(logicalId);
  return { data, resourceLine };
}

/** 1-based lines of the keys of the top-level Resources mapping, by logical id, in one pass. */
function yamlResourceLines(document: Document.Parsed, lineCounter: LineCounter): Map<string, number> {
  const lines = new Map<string, number>();
  const resources = isMap(document.contents) ? document.contents.get('Resources', true) : undefined;
  if (!isMap(resources)) return lines;
  for (const { key } of resources.items) {
    const offset = isScalar(key) ? key.range?.[0] : undefined;
    if (isScalar(key) && offset !== undefined) lines.set(String(key.value), lineCounter.linePos(offset).line);
  }
  return lines;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function classify(
  data: unknown,
  options: ParseOptions,
  syntax: 'json' | 'yaml',
  resourceLine: (id: string) => number | undefined,
): ParsedDocument {
  if (!isPlainObject(data)) {
    const what = syntax === 'json' ? 'JSON' : 'YAML';
    throw new DocumentError(`the ${what} document is not an object (${describeKind(data)}): ${NOT_A_TEMPLATE}`);
  }
  if ('Resources' in data || options.expect === 'cloudformation') {
    const resources = data.Resources ?? {};
    if (!isPlainObject(resources)) throw new DocumentError('Resources is not a mapping of logical ids to resources');
    return { kind: 'cloudformation', syntax, template: { ...data, Resources: resources }, resourceLine };
  }
  if ('format_version' in data && ('planned_values' in data || 'resource_changes' in data)) {
    if (data.resource_changes !== undefined && !Array.isArray(data.resource_changes)) {
      throw new DocumentError('resource_changes is not a list');
    }
    if (data.planned_values !== undefined && !isPlainObject(data.planned_values)) {
      throw new DocumentError('planned_values is not an object');
    }
    return { kind: 'terraform-plan', plan: data as TerraformPlan };
  }
  throw new DocumentError(NOT_A_TEMPLATE);
}

function describeKind(data: unknown): string {
  if (data === null || data === undefined) return 'empty';
  if (Array.isArray(data)) return 'a list';
  return `a ${typeof data}`;
}
