// The one-pass line finder for JSON templates: only the top-level Resources' keys, whatever the
// strings around them hold.
import { jsonResourceLines } from '../../prevention/json-resource-lines';

const linesOf = (text: string) => Object.fromEntries(jsonResourceLines(text));

describe('jsonResourceLines', () => {
  it('finds each logical id on its line, not a same-named key elsewhere', () => {
    const text = [
      '{',
      '  "Outputs": { "Key": { "Value": "Resources" } },',
      '  "Metadata": { "Resources": { "Inner": {} } },',
      '  "Resources": {',
      '    "Key": { "Type": "AWS::KMS::Key", "Properties": { "Tags": [{ "Key": "Other" }] } },',
      '    "Other": {',
      '      "Type": "AWS::KMS::Key"',
      '    }',
      '  }',
      '}',
    ].join('\n');
    expect(linesOf(text)).toEqual({ Key: 5, Other: 6 });
  });

  it('reads escaped quotes and backslashes in strings and keys', () => {
    const text = '{"Description": "a \\"quoted\\" {brace} \\\\",\n"Resources": {\n"A\\"B": {"Type": "x\\\\"},\n"C": 1}}';
    expect(linesOf(text)).toEqual({ 'A"B': 3, C: 4 });
  });

  it('takes the last of a repeated Resources section and of a repeated id, as JSON.parse does', () => {
    expect(linesOf('{"Resources": {"Old": {}},\n"Resources": {"A": {},\n"A": {}}}')).toEqual({ A: 3 });
  });

  it('finds nothing without a Resources object', () => {
    expect(linesOf('{"Resources": [{"A": 1}]}')).toEqual({});
    expect(linesOf('[{"Resources": {"A": 1}}]')).toEqual({});
  });
});
