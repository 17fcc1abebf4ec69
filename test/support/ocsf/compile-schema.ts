// Compiles one OCSF event class from the OCSF schema's own source (github.com/ocsf/ocsf-schema:
// dictionary.json, events/, objects/, profiles/) into a JSON Schema (draft 2020-12), the way the
// OCSF server's JSON Schema export does: the class's attributes along its `extends` chain with
// every profile it includes, each attribute typed from the dictionary, objects as $defs (also
// along `extends`), enums from the dictionary and the classes, "required" from `requirement`,
// at_least_one / just_one constraints, and no property the schema does not define. The test of
// `--format ocsf` validates against the output, committed beside it.
// Run: node --import tsx test/support/ocsf/compile-schema.ts OCSF_SCHEMA_DIR CLASS PROFILES OUT.json
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PRIMITIVES: Record<string, Json> = {
  string_t: { type: 'string' },
  integer_t: { type: 'integer' },
  long_t: { type: 'integer' },
  float_t: { type: 'number' },
  boolean_t: { type: 'boolean' },
  json_t: {},
};

/** `profiles`: the profiles the events apply (their metadata.profiles); other profiles' attributes are not theirs to use. */
export function compileClass(dir: string, className: string, profiles: readonly string[]): Json {
  const read = (path: string): Json => JSON.parse(readFileSync(join(dir, path), 'utf8'));
  const dictionary = read('dictionary.json');
  const types: Json = dictionary.types.attributes;
  const categories: Json = read('categories.json').attributes;

  const files = (folder: string): string[] =>
    readdirSync(join(dir, folder)).flatMap((name) => {
      const path = join(folder, name);
      return statSync(join(dir, path)).isDirectory() ? files(path) : name.endsWith('.json') ? [path] : [];
    });
  const byName = (folder: string) => new Map(files(folder).map((path) => [read(path).name as string, read(path)]));
  const events = byName('events');
  const objects = byName('objects');

  /** A definition's own attributes, its profiles' included first. */
  const ownAttributes = (def: Json): Json => {
    const merged: Json = {};
    for (const include of def.attributes?.$include ?? []) {
      const profile = read(include);
      if (profiles.includes(profile.name)) Object.assign(merged, profile.attributes);
    }
    for (const [name, attr] of Object.entries(def.attributes ?? {})) {
      if (name === '$include') continue;
      const bound = (attr as Json).profile;
      if (typeof bound === 'string' && !profiles.includes(bound)) continue;
      merged[name] = { ...merged[name], ...(attr as Json), enum: { ...merged[name]?.enum, ...(attr as Json).enum } };
    }
    return merged;
  };
  /** Attributes along the extends chain, a child's fields over its parent's, enums merged. */
  const resolve = (defs: Map<string, Json>, name: string): { def: Json; attributes: Json; constraints: Json } => {
    const def = defs.get(name);
    if (!def) throw new Error(`no OCSF definition named ${name}`);
    const parent = def.extends ? resolve(defs, def.extends) : { attributes: {}, constraints: {} };
    const attributes: Json = { ...parent.attributes };
    for (const [n, attr] of Object.entries(ownAttributes(def))) attributes[n] = { ...attributes[n], ...(attr as Json), enum: { ...attributes[n]?.enum, ...(attr as Json).enum } };
    return { def, attributes, constraints: { ...parent.constraints, ...def.constraints } };
  };

  const defs: Json = {};
  const primitive = (type: string): Json => PRIMITIVES[type] ?? primitive(types[type].type);
  const propertySchema = (name: string, attr: Json): Json => {
    const entry = dictionary.attributes[name] ?? {};
    const type: string = attr.type ?? entry.type;
    if (!type) throw new Error(`attribute ${name} has no type`);
    const enumKeys = Object.keys({ ...entry.enum, ...attr.enum });
    let schema: Json;
    if (type === 'object') schema = { type: 'object' };
    else if (types[type]) {
      schema = { ...primitive(type) };
      if (enumKeys.length > 0) schema.enum = schema.type === 'integer' ? enumKeys.map(Number) : enumKeys;
    } else {
      objectSchema(type);
      schema = { $ref: `#/$defs/${type}` };
    }
    return (attr.is_array ?? entry.is_array) ? { type: 'array', items: schema } : schema;
  };
  const shape = (attributes: Json, constraints: Json): Json => {
    const properties: Json = {};
    for (const [name, attr] of Object.entries(attributes)) properties[name] = propertySchema(name, attr as Json);
    const schema: Json = {
      type: 'object',
      properties,
      required: Object.entries(attributes).filter(([, a]) => (a as Json).requirement === 'required').map(([n]) => n).sort(),
      additionalProperties: false,
    };
    if (constraints.at_least_one) schema.anyOf = constraints.at_least_one.map((n: string) => ({ required: [n] }));
    if (constraints.just_one) schema.oneOf = constraints.just_one.map((n: string) => ({ required: [n] }));
    return schema;
  };
  const objectSchema = (name: string): void => {
    if (defs[name]) return;
    defs[name] = {}; // a placeholder: objects refer to each other
    const { def, attributes, constraints } = resolve(objects, name);
    defs[name] = { title: def.caption, ...shape(attributes, constraints) };
  };

  const { def, attributes, constraints } = resolve(events, className);
  const category = categories[def.category ?? resolve(events, def.extends).def.category];
  const classUid = category.uid * 1000 + def.uid;
  const activities = Object.keys(attributes.activity_id.enum).map(Number);
  const event = shape(attributes, constraints);
  event.properties.class_uid = { type: 'integer', const: classUid };
  event.properties.category_uid = { type: 'integer', const: category.uid };
  event.properties.type_uid = { type: 'integer', enum: activities.map((a) => classUid * 100 + a) };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://schema.ocsf.io/schema/${read('version.json').version}/classes/${className}`,
    title: def.caption,
    ...event,
    $defs: defs,
  };
}

if (require.main === module) {
  const [dir, className, profiles, out] = process.argv.slice(2);
  writeFileSync(out, `${JSON.stringify(compileClass(dir, className, profiles.split(',')), null, 1)}\n`);
}
