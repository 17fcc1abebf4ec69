// The controls our one check (automatic rotation of customer-managed symmetric KMS keys) answers
// to, by framework: the one table every output format takes its control ids from. The CIS
// numbers are those of each benchmark version (the recommendation moved from Logging 2.8 to
// Monitoring/Cryptography 3.8, then 3.6, then 4.6); NIST and PCI are the requirements Security
// Hub's KMS.4 lists as related.
export interface Control {
  framework: string;
  id: string;
}

/** The CIS recommendation's number, and the benchmark versions that give it that number. */
const CIS_NUMBERS: readonly (readonly [id: string, versions: readonly string[]])[] = [
  ['2.8', ['v1.2.0']],
  ['3.8', ['v1.4.0', 'v1.5.0', 'v2.0.0']],
  ['3.6', ['v3.0.0', 'v4.0.1', 'v5.0.0']],
  ['4.6', ['v6.0.0']],
];

export const CONTROLS: readonly Control[] = [
  ...CIS_NUMBERS.flatMap(([id, versions]) => versions.map((version) => ({ framework: `CIS AWS Foundations Benchmark ${version}`, id }))),
  { framework: 'AWS Foundational Security Best Practices (Security Hub)', id: 'KMS.4' },
  { framework: 'Common Configuration Enumeration', id: 'CCE-78920-6' },
  { framework: 'NIST SP 800-53 Rev. 5', id: 'SC-12' },
  { framework: 'NIST SP 800-53 Rev. 5', id: 'SC-28' },
  { framework: 'PCI DSS v3.2.1', id: '3.6.4' },
];

/** "CIS AWS Foundations Benchmark v1.2.0 2.8; …": every control in one line, for text formats. */
export function controlsText(controls: readonly Control[] = CONTROLS): string {
  return controls.map((c) => `${c.framework} ${c.id}`).join('; ');
}
