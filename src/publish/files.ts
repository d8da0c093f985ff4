/** report.json and report.md on disk: the CLI's --out and the action's report-dir. */
import { mkdir, writeFile } from 'node:fs/promises';
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
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  const fitted = fitWithinBytes(report, REPORT_MD_MAX_BYTES);
  await writeFile(markdown, fitted.markdown);
  const { listed, total } = listedServiceCount(report);
  return { json, markdown, services: total, listedServices: listed, trimmed: fitted.trimmed };
}
