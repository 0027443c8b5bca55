/** Validates documents against the generated JSON Schema (every document a test produces must pass). */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import schema from '../../schemas/generated/event.schema.json';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

/** Returns a readable list of schema violations ('' when valid). */
export function schemaErrors(doc: unknown): string {
  if (validate(doc)) return '';
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`).join('; ');
}

/** Jest helper: throws with the violations and the document when it does not validate. */
export function expectValid(doc: unknown): void {
  const errors = schemaErrors(doc);
  if (errors) throw new Error(`document does not match the schema: ${errors}\n${JSON.stringify(doc)}`);
}
