// SARIF results keep apart what code scanning must keep apart: the same resource in two files.
import { buildSarif, checkSources } from '../../prevention';
import { artifactUri } from '../../prevention/report-sarif';

const unrotatedKey = JSON.stringify({ Resources: { DataKey: { Type: 'AWS::KMS::Key', Properties: {} } } });
const unrotatedPlan = JSON.stringify({
  format_version: '1.2',
  resource_changes: [{ address: 'aws_kms_key.data', mode: 'managed', type: 'aws_kms_key', change: { actions: ['create'], after: {} } }],
});

describe('SARIF partialFingerprints', () => {
  it('differ for the same logical id in two templates, and for one Terraform address in two plans', () => {
    const report = checkSources([
      { file: 'stacks/dev/template.json', text: unrotatedKey },
      { file: 'stacks/prod/template.json', text: unrotatedKey },
      { file: 'plans/dev.json', text: unrotatedPlan },
      { file: 'plans/prod.json', text: unrotatedPlan },
    ]);
    const fingerprints = buildSarif(report).runs[0].results.map((result) => result.partialFingerprints);
    expect(fingerprints).toHaveLength(4);
    expect(new Set(fingerprints.map((fingerprint) => JSON.stringify(fingerprint))).size).toBe(4);
    expect(fingerprints[0]).toEqual({ 'kmsRotorResource/v2': 'stacks/dev/template.json#DataKey#KMS_KEY_ROTATION_DISABLED' });
    expect(fingerprints[3]).toEqual({ 'kmsRotorResource/v2': 'plans/prod.json#aws_kms_key.data#KMS_KEY_ROTATION_DISABLED' });
  });

  it('stay the same for the same file, resource and rule across runs', () => {
    const once = buildSarif(checkSources([{ file: 'template.json', text: unrotatedKey }]));
    const again = buildSarif(checkSources([{ file: 'template.json', text: unrotatedKey }]));
    expect(once.runs[0].results[0].partialFingerprints).toEqual(again.runs[0].results[0].partialFingerprints);
  });

  it('use the artifact URI the result is located by', () => {
    const file = '/repo/infra/my stack.template.json';
    const [result] = buildSarif(checkSources([{ file, text: unrotatedKey }])).runs[0].results;
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe(artifactUri(file));
    expect(result.partialFingerprints['kmsRotorResource/v2']).toBe(`${artifactUri(file)}#DataKey#KMS_KEY_ROTATION_DISABLED`);
  });
});
