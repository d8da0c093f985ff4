/** report.json and report.md on disk: the CLI's --out and the action's report-dir. */
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listedServiceCount } from '../report/markdown.js';
import type { Report } from '../model/report.js';
import { SUMMARY_LIMIT_BYTES, fitWithinBytes } from './limits.js';

/**
 * report.md's cap: GitHub's job-summary limit, as `cat report.md >> "$GITHUB_STEP_SUMMARY"` is the
 * usual place a written report goes; an issue or comment is fitted to its own, smaller limit.
 */
export const REPORT_MD_MAX_BYTES = SUMMARY_LIMIT_BYTES;

export interface WrittenReport {
  json: string;
  markdown: string;
  /** Services in report.json, and how many report.md gives a row of their own. */
  services: number;
  listedServices: number;
  /** True when the size cap left rows, sections or the tail out of report.md. */
  trimmed: boolean;
}

export async function writeReportFiles(report: Report, dir: string): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const markdown = join(dir, 'report.md');
  await writeJson(json, report);
  const fitted = fitWithinBytes(report, REPORT_MD_MAX_BYTES);
  await writeFile(markdown, fitted.markdown);
  const { listed, total } = listedServiceCount(report);
  return { json, markdown, services: total, listedServices: listed, trimmed: fitted.trimmed };
}

/**
 * JSON.stringify(value, null, 2)'s text, in pieces: the top object and its arrays are opened here
 * and their members stringified one at a time. A report of thousands of services was one string of
 * tens of megabytes, and as many again to encode it, on top of the report itself.
 * @testseam
 */
export function* jsonPieces(value: unknown, depth = 2, indent = ''): Generator<string> {
  const inner = `${indent}  `;
  const open = depth > 0 && value !== null && typeof value === 'object' && !('toJSON' in value);
  const entries: Array<[string | null, unknown]> = !open
    ? []
    : Array.isArray(value)
      ? value.map((v) => [null, v])
      : Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (!open || entries.length === 0) {
    // JSON.stringify's own indentation, moved in by this level's; its strings hold no raw newline.
    yield (JSON.stringify(value, null, 2) ?? 'null').replaceAll('\n', `\n${indent}`);
    return;
  }
  const array = Array.isArray(value);
  yield array ? '[' : '{';
  let first = true;
  for (const [key, v] of entries) {
    yield `${first ? '' : ','}\n${inner}${key === null ? '' : `${JSON.stringify(key)}: `}`;
    first = false;
    // An array's undefined or function is stringified below, as null, like JSON.stringify's.
    yield* jsonPieces(v, depth - 1, inner);
  }
  yield `\n${indent}${array ? ']' : '}'}`;
}

/** Writes value as JSON.stringify(value, null, 2) and a newline, a megabyte or so at a time. */
async function writeJson(path: string, value: unknown): Promise<void> {
  const file = await open(path, 'w');
  try {
    let batch = '';
    for (const piece of jsonPieces(value)) {
      batch += piece;
      if (batch.length >= 1 << 20) {
        await file.write(batch);
        batch = '';
      }
    }
    await file.write(`${batch}\n`);
  } finally {
    await file.close();
  }
}
