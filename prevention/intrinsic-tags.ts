// CloudFormation's short-form intrinsic functions (!Ref, !GetAtt, !If...) as custom tags for the
// `yaml` package, so a YAML template reads into the same plain data as its JSON form.
import type { ScalarTag, CollectionTag, YAMLMap, YAMLSeq } from 'yaml';

/** Short tag name → the long form's key, e.g. `!If` → `Fn::If`. */
export const SHORT_FORM_FUNCTIONS: Readonly<Record<string, string>> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!Sub': 'Fn::Sub',
  '!GetAtt': 'Fn::GetAtt',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!Not': 'Fn::Not',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!FindInMap': 'Fn::FindInMap',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!Base64': 'Fn::Base64',
  '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue',
  '!Cidr': 'Fn::Cidr',
  '!Transform': 'Fn::Transform',
  '!Length': 'Fn::Length',
  '!ToJsonString': 'Fn::ToJsonString',
};

/** `!GetAtt Resource.Attribute` means `{"Fn::GetAtt": ["Resource", "Attribute"]}`; the
 * attribute part may itself hold dots (`Endpoint.Address`), so split at the first one only. */
function scalarValue(longName: string, text: string): unknown {
  if (longName === 'Fn::GetAtt') {
    const dot = text.indexOf('.');
    return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
  }
  return text;
}

function scalarTag(shortName: string, longName: string): ScalarTag {
  return { tag: shortName, resolve: (text: string) => ({ [longName]: scalarValue(longName, text) }) };
}

/** The part of `yaml`'s internal to-data context that an anchored node uses. */
interface ToJSContext {
  onCreate?: (result: unknown) => void;
}

/** A collection keeps its node (so anchors and aliases inside it still resolve when the document
 * is turned into data) and only wraps its data in the function's key at that time. */
function collectionTag(shortName: string, longName: string, collection: 'map' | 'seq'): CollectionTag {
  return {
    tag: shortName,
    collection,
    resolve(node: YAMLMap.Parsed | YAMLSeq.Parsed) {
      const plainToJSON = node.toJSON.bind(node) as (arg?: unknown, ctx?: ToJSContext) => unknown;
      node.toJSON = ((arg?: unknown, ctx?: ToJSContext) => {
        const wrapped: Record<string, unknown> = {};
        // An anchor on this node must stand for the wrapped form, not the bare list or map:
        // `yaml` records an anchor's value through the one-shot onCreate hook.
        ctx?.onCreate?.(wrapped);
        wrapped[longName] = plainToJSON(arg, ctx);
        return wrapped;
      }) as typeof node.toJSON;
      return node;
    },
  };
}

/** Every short form on every node kind it may tag: a scalar, a sequence or a mapping. */
export const CLOUDFORMATION_TAGS: Array<ScalarTag | CollectionTag> = Object.entries(SHORT_FORM_FUNCTIONS).flatMap(
  ([shortName, longName]) => [
    scalarTag(shortName, longName),
    collectionTag(shortName, longName, 'seq'),
    collectionTag(shortName, longName, 'map'),
  ],
);
