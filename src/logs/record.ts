/** One line of a JSON-lines access log, decoded and validated by model/record.ts toRecord. */
import { type ParseResult, toRecord } from '../model/record.js';

/** Parses one JSONL line. */
export function parseLine(line: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `invalid JSON (${(error as Error).message.slice(0, 80)})` };
  }
  return toRecord(value);
}
