/** Checks a report against the committed JSON Schema before anything is written or published. */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import schema from './report.schema.json' with { type: 'json' };
import type { Report } from './model.js';

// ajv-formats is CommonJS; under ESM its function is the default export's default.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats);

let compiled: ReturnType<Ajv['compile']> | undefined;

export function reportSchemaErrors(report: unknown): string[] {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    addFormats(ajv);
    compiled = ajv.compile(schema);
  }
  if (compiled(report)) return [];
  return (compiled.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

/** Throws when the report breaks schema v1: a bug, never something to publish. */
export function assertValidReport(report: Report): Report {
  const errors = reportSchemaErrors(report);
  if (errors.length > 0) {
    throw new Error(`internal error: the report does not match schema v1: ${errors.slice(0, 5).join('; ')}`);
  }
  return report;
}
