// The check's report as SARIF 2.1.0, the format code-scanning services read: one result per
// finding, located by file (and line when known) and by the resource's logical id or address.
import { isAbsolute, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import packageJson from '../package.json';
import { findingsOf, type CheckReport, type TemplateFinding } from './check';
import { RULE_IDS, RULES } from './rules';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Relative paths stay relative (code scanning resolves them against the repository root). */
export function artifactUri(file: string): string {
  if (isAbsolute(file)) return pathToFileURL(file).href;
  return encodeURI(file.split(sep).join('/'));
}

/** One finding as a SARIF result. Its fingerprint names the file too: code scanning merges results
 * with equal fingerprints into one alert, and the same logical id (or Terraform address) in two
 * templates or plans is two keys to fix. (v1 left the file out.) */
function resultOf(finding: TemplateFinding) {
  const uri = artifactUri(finding.file);
  return {
    ruleId: finding.ruleId,
    ruleIndex: RULE_IDS.indexOf(finding.ruleId),
    level: 'error',
    message: { text: `${finding.id} (${finding.resourceType}): ${finding.message}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri },
          ...(finding.line === undefined ? {} : { region: { startLine: finding.line } }),
        },
        logicalLocations: [{ name: finding.id, fullyQualifiedName: finding.id, kind: 'resource' }],
      },
    ],
    partialFingerprints: { 'kmsRotorResource/v2': `${uri}#${finding.id}#${finding.ruleId}` },
  };
}

export function buildSarif(report: CheckReport) {
  const rules = RULE_IDS.map((id) => {
    const rule = RULES[id];
    return {
      id: rule.id,
      name: rule.name,
      shortDescription: { text: rule.shortDescription },
      fullDescription: { text: rule.fullDescription },
      help: { text: rule.help },
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['security', 'kms', 'key-rotation'] },
    };
  });
  const results = findingsOf(report).map(resultOf);
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0' as const,
    runs: [
      {
        tool: {
          driver: {
            name: 'kms-rotor',
            version: packageJson.version,
            semanticVersion: packageJson.version,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: report.errors.map((error) => ({
              level: 'error',
              message: { text: `${error.file}: ${error.error}` },
              locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(error.file) } } }],
            })),
          },
        ],
        results,
      },
    ],
  };
}

export function renderSarif(report: CheckReport): string {
  return `${JSON.stringify(buildSarif(report), null, 2)}\n`;
}
