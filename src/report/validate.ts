/**
 * Checks a report against the committed JSON Schema before anything is written or published. The
 * validator is ajv's code for report.schema.json, generated at build time (scripts/generate.mjs)
 * because compiling the schema at run time took ~0.1 s of every run.
 */
import type { ErrorObject } from 'ajv';
import { validate as generated } from './report.validator.js';
import type { Report } from '../model/report.js';

const validate = generated as ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

export function reportSchemaErrors(report: unknown): string[] {
  if (validate(report)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

/** Throws when the report breaks schema v1: a bug, never something to publish. */
export function assertValidReport(report: Report): Report {
  const errors = reportSchemaErrors(report);
  if (errors.length > 0) {
    throw new Error(`internal error: the report does not match schema v1: ${errors.slice(0, 5).join('; ')}`);
  }
  return report;
}
