// The short-form intrinsic tags read into the same data as the long (JSON) forms.
import { parseDocument } from 'yaml';
import { CLOUDFORMATION_TAGS, SHORT_FORM_FUNCTIONS } from '../../prevention/intrinsic-tags';

function read(source: string): unknown {
  const document = parseDocument(source, { customTags: CLOUDFORMATION_TAGS });
  expect(document.errors).toEqual([]);
  expect(document.warnings).toEqual([]);
  return document.toJS();
}

describe('CloudFormation short-form tags', () => {
  it('covers every intrinsic function the brief names', () => {
    for (const tag of ['!Ref', '!Sub', '!GetAtt', '!If', '!Equals', '!Not', '!And', '!Or', '!Condition', '!FindInMap',
      '!Join', '!Select', '!Split', '!Base64', '!GetAZs', '!ImportValue', '!Cidr', '!Transform']) {
      expect(SHORT_FORM_FUNCTIONS).toHaveProperty([tag]);
    }
  });

  it('reads scalar forms into their long forms', () => {
    expect(
      read(`
a: !Ref Param
b: !Sub "\${AWS::Region}-bucket"
c: !Condition IsProd
d: !Base64 hello
e: !GetAZs ''
f: !ImportValue shared-vpc
`),
    ).toEqual({
      a: { Ref: 'Param' },
      b: { 'Fn::Sub': '${AWS::Region}-bucket' },
      c: { Condition: 'IsProd' },
      d: { 'Fn::Base64': 'hello' },
      e: { 'Fn::GetAZs': '' },
      f: { 'Fn::ImportValue': 'shared-vpc' },
    });
  });

  it('reads both forms of !GetAtt, splitting the dotted one at its first dot', () => {
    expect(read('a: !GetAtt Key.Arn\nb: !GetAtt [Key, Arn]\nc: !GetAtt Db.Endpoint.Address')).toEqual({
      a: { 'Fn::GetAtt': ['Key', 'Arn'] },
      b: { 'Fn::GetAtt': ['Key', 'Arn'] },
      c: { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] },
    });
  });

  it('reads sequence and mapping forms, nested in each other', () => {
    expect(
      read(`
cond: !And [!Equals [!Ref Env, prod], !Not [!Condition IsDev], !Or [!Condition A, !Condition B]]
value: !If [IsProd, !FindInMap [Map, !Ref "AWS::Region", Key], !Ref "AWS::NoValue"]
name: !Join ["-", [a, !Select [1, !Split [",", "x,y"]]]]
cidr: !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]
sub: !Sub ["\${Name}-x", { Name: !Ref Name }]
include: !Transform { Name: AWS::Include, Parameters: { Location: s3://bucket/file.yaml } }
`),
    ).toEqual({
      cond: {
        'Fn::And': [
          { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
          { 'Fn::Not': [{ Condition: 'IsDev' }] },
          { 'Fn::Or': [{ Condition: 'A' }, { Condition: 'B' }] },
        ],
      },
      value: { 'Fn::If': ['IsProd', { 'Fn::FindInMap': ['Map', { Ref: 'AWS::Region' }, 'Key'] }, { Ref: 'AWS::NoValue' }] },
      name: { 'Fn::Join': ['-', ['a', { 'Fn::Select': [1, { 'Fn::Split': [',', 'x,y'] }] }]] },
      cidr: { 'Fn::Cidr': [{ 'Fn::GetAtt': ['Vpc', 'CidrBlock'] }, 4, 8] },
      sub: { 'Fn::Sub': ['${Name}-x', { Name: { Ref: 'Name' } }] },
      include: { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://bucket/file.yaml' } } },
    });
  });

  it('keeps anchors and aliases working inside and on tagged nodes', () => {
    expect(read('flag: &on true\nkey: !If [C, *on, false]\njoined: &j !Join ["", [a, b]]\nagain: *j')).toEqual({
      flag: true,
      key: { 'Fn::If': ['C', true, false] },
      joined: { 'Fn::Join': ['', ['a', 'b']] },
      again: { 'Fn::Join': ['', ['a', 'b']] },
    });
  });
});
