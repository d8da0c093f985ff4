/**
 * The action: read inputs, get credentials, run the AWS pipeline, write the report files,
 * publish (job summary, rolling issue, sticky PR comment, metrics), set outputs, apply fail-on.
 */
import * as core from '@actions/core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AwsCredentials, assumeRoleWithOidc } from './aws/credentials.js';
import { lacksCredentials, setupProblem } from './aws/errors.js';
import { publishMetrics } from './aws/metrics.js';
import {
  type ActionsCacheOptions,
  cacheServiceAvailable,
  restoreDayCache,
  saveDayCache,
} from './cache/actions-cache.js';
import { type Config, readConfig } from './config.js';
import { errorMessage, NoAwsAccess, UsageError } from './errors.js';
import { isAtLeast } from './model/findings.js';
import type { Report } from './model/report.js';
import { analyzeAws } from './pipeline/aws.js';
import { isFleet } from './pipeline/fleet.js';
import { untilInterrupted } from './pipeline/interrupt.js';
import type { ImpactSummary } from './analysis/impact.js';
import { type PublishResult, publishComment } from './publish/comment.js';
import { type PullImpact, pullRequestImpact } from './publish/pull-impact.js';
import { writeReportFiles } from './publish/files.js';
import { type Octokit, type Repo, createOctokit, runContext } from './publish/github.js';
import { publishIssue } from './publish/issue.js';
import { BODY_LIMIT_CHARS, SUMMARY_LIMIT_BYTES, renderWithinBytes } from './publish/limits.js';
import { reportKey } from './publish/marker.js';
import { markdownText } from './report/escape.js';
import { headline } from './report/headline.js';
import { markerComment, renderMarkdown } from './report/markdown.js';
import { terminalText } from './report/terminal.js';

// What reaches the Actions log quotes log values and AWS names; the runner must read it as text only.
const info = (message: string): void => core.info(terminalText(message));
const warning = (message: string): void => core.warning(terminalText(message));
const fail = (message: string): void => core.setFailed(terminalText(message));

export async function run(): Promise<void> {
  let config: Config;
  try {
    config = readConfig((name) => core.getInput(name));
  } catch (error) {
    await reportFailure(errorMessage(error));
    return;
  }
  try {
    await untilInterrupted(
      () => new Error('The run was cancelled; running Logs Insights queries were stopped.'),
      (signal) =>
        report(config, signal).catch(async (error: unknown) => {
          // A pull request without AWS access (a fork gets no OIDC token) is still priced at list prices.
          if (!(error instanceof NoAwsAccess || lacksCredentials(error))) throw error;
          if (!(await changesWithoutUsage(config, errorMessage(error)))) throw error;
        }),
    );
  } catch (error) {
    const prefix = error instanceof UsageError ? 'Configuration problem: ' : '';
    const setup = setupProblem(error, { runner: 'action', region: config.region });
    await reportFailure(setup ? setup.message : `${prefix}${errorMessage(error)}`);
  }
}

async function report(config: Config, signal: AbortSignal): Promise<void> {
  const credentials = await credentialsFor(config);
  const key = keyOf(config);
  // Without the runner's cache service (a local run, an old GHES) the run simply queries every day.
  const cache = config.cache && cacheServiceAvailable() ? cacheOptions(key) : undefined;
  if (cache) await restoreDayCache(cache);
  const { report, stats } = await analyzeAws({
    ...config,
    ...(credentials ? { credentials } : {}),
    mask: (value) => core.setSecret(value),
    cache: cache ? { dir: cache.dir, settlingDays: config.settlingDays } : undefined,
    signal,
    log: info,
  });
  if (cache && stats.cacheWritten > 0) {
    if (runContext().fromFork)
      info('Not saving the day cache: a pull request from a fork must not write it.');
    else await saveDayCache(cache);
  }

  const files = await writeReportFiles(report, config.reportDir);
  setReportOutputs(report, files);
  info(headline(report));
  for (const text of report.warnings) warning(text);

  if (config.publishMetrics) {
    await publishMetrics({ region: config.region, credentials }, report, new Date()).catch((error: unknown) =>
      warning(`Metrics were not published: ${errorMessage(error)}`),
    );
  }
  const { errors: publishErrors, impact } = await publish(config, report, key);
  if (publishErrors.length > 0) {
    fail(publishErrors.join('\n'));
    return;
  }
  const gate = config.costIncreaseAbove;
  if (gate !== undefined && impact && impact.monthlyCostDelta > gate) {
    fail(
      `cost-increase-above: this pull request adds ${impact.monthlyCostDelta.toFixed(2)} USD/month of VPC Lattice cost, more than ${gate}.`,
    );
  }
  if (config.failOn === 'partial') {
    const coverage = report.coverage;
    if (coverage && !coverage.complete) {
      fail(
        `fail-on: partial: the report covers ${coverage.accounts.read} of ${coverage.accounts.expected} accounts ` +
          `and ${coverage.regions.read} of ${coverage.regions.expected} account-regions; see the report for why.`,
      );
    }
  } else if (config.failOn !== 'never') {
    const limit = config.failOn;
    const failing = report.findings.filter((f) => isAtLeast(f.severity, limit));
    if (failing.length > 0) {
      fail(`fail-on: ${limit}: ${failing.length} finding(s) of that severity or worse; see the report.`);
    }
  }
}

function credentialsFor(config: Config): Promise<AwsCredentials | undefined> {
  if (!config.roleToAssume) return Promise.resolve(undefined);
  return assumeRoleWithOidc(
    {
      roleArn: config.roleToAssume,
      audience: config.audience,
      sessionName: config.roleSessionName,
      durationSeconds: config.roleDurationSeconds,
      region: config.region,
    },
    {
      getIdToken: (audience) => core.getIDToken(audience),
      mask: (value) => core.setSecret(value),
      log: info,
    },
  );
}

function cacheOptions(scope: string): ActionsCacheOptions {
  return {
    dir: join(process.env.RUNNER_TEMP ?? tmpdir(), 'lattice-cost-report-cache'),
    scope,
    runId: process.env.GITHUB_RUN_ID ?? String(Date.now()),
    runAttempt: process.env.GITHUB_RUN_ATTEMPT ?? '1',
    log: { info, warning },
  };
}

function setReportOutputs(report: Report, files: { json: string; markdown: string }): void {
  core.setOutput('report-json', files.json);
  core.setOutput('report-markdown', files.markdown);
  core.setOutput('total-cost', report.totals.cost.toFixed(2));
  core.setOutput('findings-count', String(report.findings.length));
  core.setOutput('critical-count', String(report.findings.filter((f) => f.severity === 'critical').length));
  core.setOutput(
    'bytes-scanned',
    String(report.run.insights.bytesScanned + (report.run.athena?.bytesScanned ?? 0)),
  );
}

function published(result: PublishResult, what: string, url: string): string {
  if (result === 'unchanged') return `The ${what} already shows this report, so it was not edited: ${url}`;
  return `${result === 'created' ? 'Created' : 'Updated'} the ${what}: ${url}`;
}

/** Posts where asked; returns the errors instead of stopping, so every target gets its chance. */
/** The marker key of this report: its region, network, log groups, and its fleet when it has one. */
function keyOf(config: Config): string {
  const accounts =
    config.accounts === 'organization' ? 'organization' : (config.accounts ?? []).map((a) => a.id);
  const regions = config.regions ?? [config.region];
  const fleet = isFleet(config);
  return reportKey({
    region: config.region,
    serviceNetwork: config.serviceNetwork,
    logGroups:
      config.logSource?.kind === 's3'
        ? [`s3://${config.logSource.location.bucket}/${config.logSource.location.prefix}`]
        : config.logGroupNames,
    ...(fleet ? { fleet: { regions, accounts } } : {}),
  });
}

/** The pull request's Lattice changes, priced against `report` (list prices without one), and their outputs. */
async function readImpact(
  octokit: Octokit,
  config: Config,
  repo: Repo,
  pull: number,
  report: Report | undefined,
): Promise<PullImpact> {
  const impact = await pullRequestImpact(octokit, repo, report, {
    pull,
    iacPaths: config.iacPaths,
    ...(config.terraformPlanJson ? { terraformPlanJson: config.terraformPlanJson } : {}),
    region: config.region,
    quietRequestsPerDay: config.thresholds.idleRequestsPerDay,
  });
  core.setOutput('monthly-cost-delta', impact.summary.monthlyCostDelta.toFixed(2));
  core.setOutput('changed-resources', String(impact.summary.impacts.length));
  return impact;
}

/** The sticky comment, with its outputs and a line in the log. */
async function postComment(
  octokit: Octokit,
  config: Config,
  repo: Repo,
  pull: number,
  key: string,
  body: string,
): Promise<void> {
  const comment = await publishComment(octokit, repo, pull, {
    key,
    body,
    behavior: config.commentBehavior,
    warn: warning,
  });
  core.setOutput('comment-id', String(comment.id));
  core.setOutput('comment-result', comment.result);
  info(published(comment.result, `report comment on pull request #${pull}`, comment.url));
}

/**
 * A pull request's changes at list prices, when the job has no AWS access: the comment (and the job
 * summary) say what changes and what live usage could not be read. False when this is no such run.
 */
async function changesWithoutUsage(config: Config, reason: string): Promise<boolean> {
  const run = runContext();
  if (run.pullRequest === undefined || !config.publishTo.has('pr-comment')) return false;
  const octokit = createOctokit(config.githubToken, info);
  const { markdown } = await readImpact(octokit, config, run.repo, run.pullRequest, undefined);
  const why = `> No AWS access for this run, so no live usage: ${markdownText(reason.split('\n')[0] ?? '', { maxLength: 400 })}`;
  const key = keyOf(config);
  const body = `${markdown}\n\n${why}\n${markerComment(key)}`;
  warning(
    `No AWS access for this run, so the pull request's changes are priced at list prices only: ${reason}`,
  );
  if (config.publishTo.has('summary')) await writeSummary(body);
  await postComment(octokit, config, run.repo, run.pullRequest, key, body);
  return true;
}

/** The change impact first, then the whole report folded away, within GitHub's size limit. */
function withImpact(impact: string, report: Report, key: string): string {
  const wrap = (inner: string): string =>
    `${impact}\n\n<details>\n<summary>The full report</summary>\n\n${inner}\n\n</details>`;
  return wrap(renderMarkdown(report, { marker: key, maxChars: BODY_LIMIT_CHARS - wrap('').length }));
}

async function publish(
  config: Config,
  report: Report,
  key: string,
): Promise<{ errors: string[]; impact?: ImpactSummary }> {
  const errors: string[] = [];
  if (config.publishTo.has('summary')) {
    await writeSummary(renderWithinBytes(report, SUMMARY_LIMIT_BYTES, { marker: key }));
  }
  const wantsIssue = config.publishTo.has('issue');
  const wantsComment = config.publishTo.has('pr-comment');
  if (!wantsIssue && !wantsComment) return { errors };
  const octokit = createOctokit(config.githubToken, info);
  const body = renderMarkdown(report, { marker: key, maxChars: BODY_LIMIT_CHARS });
  const run = runContext();
  let impact: ImpactSummary | undefined;
  if (wantsIssue) {
    try {
      const issue = await publishIssue(octokit, run.repo, {
        key,
        title: config.issueTitle,
        labels: config.issueLabels,
        body,
        warn: warning,
      });
      core.setOutput('issue-number', String(issue.number));
      core.setOutput('issue-result', issue.result);
      info(published(issue.result, `issue #${issue.number}`, issue.url));
    } catch (error) {
      errors.push(errorMessage(error));
    }
  }
  if (wantsComment) {
    if (run.pullRequest === undefined) {
      warning(
        `publish-to includes pr-comment, but this run is a ${run.eventName} event, not a pull request; no comment posted.`,
      );
    } else {
      try {
        const changes = await readImpact(octokit, config, run.repo, run.pullRequest, report).catch(
          (error: unknown) => {
            warning(`The pull request's infrastructure changes could not be read: ${errorMessage(error)}`);
            return undefined;
          },
        );
        impact = changes?.summary;
        const commented = changes ? withImpact(changes.markdown, report, key) : body;
        await postComment(octokit, config, run.repo, run.pullRequest, key, commented);
      } catch (error) {
        errors.push(errorMessage(error));
      }
    }
  }
  return { errors, ...(impact ? { impact } : {}) };
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    info('GITHUB_STEP_SUMMARY is not set; no job summary written.');
    return;
  }
  await core.summary.addRaw(markdown, true).write();
}

async function reportFailure(message: string): Promise<void> {
  fail(message);
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const lines = message.split('\n').map((line) => `> ${markdownText(line, { maxLength: 2000 })}`);
  await core.summary
    .addRaw(`### ❌ VPC Lattice cost report failed\n\n${lines.join('\n')}\n`, true)
    .write()
    .catch(() => undefined);
}
