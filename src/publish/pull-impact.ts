/**
 * A pull request's Lattice changes and their impact: the changed infrastructure files read through
 * the GitHub API (base and head), a Terraform plan JSON from the workspace, priced against the report.
 */
import { readFile } from 'node:fs/promises';
import { type ImpactSummary, changeImpacts, regionPrices } from '../analysis/impact.js';
import { templateChanges } from '../iac/diff.js';
import { terraformChanges } from '../iac/terraform.js';
import type { LatticeChange } from '../model/changes.js';
import type { Report } from '../model/report.js';
import { renderImpact } from '../report/impact.js';
import type { Octokit, Repo } from './github.js';
import { globMatcher, pullRequestFiles } from './pull-files.js';

export interface PullImpactRequest {
  pull: number;
  /** Globs of infrastructure files; empty: every changed file that may be a template. */
  iacPaths: string[];
  /** A `terraform show -json PLAN` file in the workspace. */
  terraformPlanJson?: string;
  region: string;
  quietRequestsPerDay: number;
}

export interface PullImpact {
  summary: ImpactSummary;
  markdown: string;
}

export async function pullRequestImpact(
  octokit: Octokit,
  repo: Repo,
  report: Report | undefined,
  request: PullImpactRequest,
): Promise<PullImpact> {
  const { files, skipped } = await pullRequestFiles(octokit, repo, request.pull, {
    include: globMatcher(request.iacPaths),
  });
  const templates = templateChanges(files);
  const changes: LatticeChange[] = [...templates.changes];
  const notRead = [...skipped, ...templates.skipped];
  if (request.terraformPlanJson) {
    const plan = request.terraformPlanJson;
    try {
      changes.push(...terraformChanges(await readFile(plan, 'utf8'), plan));
    } catch (error) {
      notRead.push({ path: plan, reason: (error as Error).message });
    }
  }
  const prices = regionPrices(request.region, report);
  const summary = changeImpacts(changes, report, prices, request.quietRequestsPerDay);
  return { summary, markdown: renderImpact(summary, notRead) };
}
