/**
 * `diff`: the pull-request comment's change table, offline. Base and head are template files or
 * directories of them (paired by relative path); a report.json gives the live numbers.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { changeImpacts, regionPrices } from '../analysis/impact.js';
import { DataError, UsageError, errorMessage } from '../errors.js';
import { isIacPath, templateChanges } from '../iac/diff.js';
import { terraformChanges } from '../iac/terraform.js';
import type { Report } from '../model/report.js';
import { renderImpact } from '../report/impact.js';
import { reportSchemaErrors } from '../report/validate.js';

export interface DiffRequest {
  base?: string;
  head?: string;
  planJson?: string;
  report?: string;
  region?: string;
  quietRequestsPerDay: number;
}

/** Every template file under `root` (or `root` itself), by its path relative to `root`. */
async function templates(root: string, flag: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const info = await stat(root).catch(() => {
    throw new UsageError(`${flag} ${root} does not exist; give a template file or a directory of templates.`);
  });
  if (info.isFile()) {
    found.set('', await readFile(root, 'utf8'));
    return found;
  }
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const name = relative(root, path);
    if (isIacPath(name)) found.set(name, await readFile(path, 'utf8'));
  }
  return found;
}

async function readReport(path: string): Promise<Report> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--report ${path} could not be read as JSON (${errorMessage(error)}); give a report.json.`,
    );
  }
  const problems = reportSchemaErrors(json);
  if (problems.length > 0) {
    throw new DataError(
      `--report ${path} is not a report.json of schema version 1: ${problems.slice(0, 3).join('; ')}`,
    );
  }
  return json as Report;
}

/** The change table as Markdown. */
export async function diffMarkdown(request: DiffRequest): Promise<string> {
  if (!request.planJson && (!request.base || !request.head)) {
    throw new UsageError('diff needs --base PATH and --head PATH (templates), or --plan-json FILE, or both.');
  }
  const files: Array<{ path: string; base?: string; head?: string }> = [];
  if (request.base && request.head) {
    const [base, head] = await Promise.all([
      templates(request.base, '--base'),
      templates(request.head, '--head'),
    ]);
    for (const path of new Set([...base.keys(), ...head.keys()])) {
      const before = base.get(path);
      const after = head.get(path);
      // Two single files are one template, whatever their names.
      files.push({
        path: path || request.head,
        ...(before !== undefined ? { base: before } : {}),
        ...(after !== undefined ? { head: after } : {}),
      });
    }
  }
  const { changes, skipped } = templateChanges(files);
  if (request.planJson) {
    const text = await readFile(request.planJson, 'utf8').catch(() => {
      throw new UsageError(
        `--plan-json ${request.planJson} cannot be read; give the output of terraform show -json PLAN.`,
      );
    });
    changes.push(...terraformChanges(text, request.planJson));
  }
  const report = request.report ? await readReport(request.report) : undefined;
  const region = request.region ?? report?.services[0]?.region ?? 'us-east-1';
  const prices = regionPrices(region, report);
  return renderImpact(changeImpacts(changes, report, prices, request.quietRequestsPerDay), skipped);
}
