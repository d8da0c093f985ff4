/**
 * The action: read inputs, get credentials, run the AWS pipeline, write the report files,
 * publish (job summary, rolling issue, sticky PR comment), set outputs, apply fail-on.
 */
import * as core from '@actions/core';
import { context } from '@actions/github';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assumeRoleWithOidc } from './aws/credentials.js';
import { isFeatureAvailable } from '@actions/cache';
import { type ActionsCacheOptions, restoreDayCache, saveDayCache } from './cache/actions-cache.js';
import { type Config, readConfig } from './config.js';
import { errorMessage, UsageError } from './errors.js';
import { analyzeAws } from './pipeline/aws.js';
import { publishComment } from './publish/comment.js';
import { writeReportFiles } from './publish/files.js';
import { createOctokit } from './publish/github.js';
import { publishIssue } from './publish/issue.js';
import { BODY_LIMIT_CHARS, SUMMARY_LIMIT_BYTES, renderWithinBytes } from './publish/limits.js';
import { reportKey } from './publish/marker.js';
import { markdownText } from './report/escape.js';
import { headline } from './report/headline.js';
import { renderMarkdown } from './report/markdown.js';
import type { Report, Severity } from './report/model.js';

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info('GITHUB_STEP_SUMMARY is not set; no job summary written.');
    return;
  }
  await core.summary.addRaw(markdown, true).write();
}

function setReportOutputs(report: Report, files: { json: string; markdown: string }): void {
  core.setOutput('report-json', files.json);
  core.setOutput('report-markdown', files.markdown);
  core.setOutput('total-cost', report.totals.cost.toFixed(2));
  core.setOutput('findings-count', String(report.findings.length));
  core.setOutput('critical-count', String(report.findings.filter((f) => f.severity === 'critical').length));
  core.setOutput('bytes-scanned', String(report.run.insights.bytesScanned));
}

/** Posts where asked; returns the errors instead of stopping, so every target gets its chance. */
async function publish(config: Config, report: Report): Promise<string[]> {
  const errors: string[] = [];
  const key = reportKey({
    region: config.region,
    serviceNetwork: config.serviceNetwork,
    logGroups: config.logGroupNames,
  });
  if (config.publishTo.has('summary')) {
    await writeSummary(renderWithinBytes(report, SUMMARY_LIMIT_BYTES, { marker: key }));
  }
  const wantsIssue = config.publishTo.has('issue');
  const wantsComment = config.publishTo.has('pr-comment');
  if (!wantsIssue && !wantsComment) return errors;
  const octokit = createOctokit(config.githubToken, (message) => core.info(message));
  const body = renderMarkdown(report, { marker: key, maxChars: BODY_LIMIT_CHARS });
  const repo = context.repo;
  if (wantsIssue) {
    try {
      const issue = await publishIssue(octokit, repo, {
        key,
        title: config.issueTitle,
        labels: config.issueLabels,
        body,
      });
      core.setOutput('issue-number', String(issue.number));
      core.info(`${issue.created ? 'Created' : 'Updated'} issue #${issue.number}: ${issue.url}`);
    } catch (error) {
      errors.push(errorMessage(error));
    }
  }
  if (wantsComment) {
    const pull = context.payload.pull_request?.number;
    if (pull === undefined) {
      core.warning(
        `publish-to includes pr-comment, but this run is a ${context.eventName} event, not a pull request; no comment posted.`,
      );
    } else {
      try {
        const comment = await publishComment(octokit, repo, pull, {
          key,
          body,
          behavior: config.commentBehavior,
        });
        core.setOutput('comment-id', String(comment.id));
        core.info(`Posted the report on pull request #${pull}: ${comment.url}`);
      } catch (error) {
        errors.push(errorMessage(error));
      }
    }
  }
  return errors;
}

/** A fork's pull request runs code its author controls; the cache must not take it in. */
function isForkPullRequest(): boolean {
  const head = (context.payload.pull_request as { head?: { repo?: { full_name?: string } } } | undefined)
    ?.head;
  return head !== undefined && head.repo?.full_name !== `${context.repo.owner}/${context.repo.repo}`;
}

function cacheOptions(scope: string): ActionsCacheOptions {
  return {
    dir: join(process.env.RUNNER_TEMP ?? tmpdir(), 'lattice-cost-report-cache'),
    scope,
    runId: process.env.GITHUB_RUN_ID ?? String(Date.now()),
    runAttempt: process.env.GITHUB_RUN_ATTEMPT ?? '1',
    log: { info: (m) => core.info(m), warning: (m) => core.warning(m) },
  };
}

async function reportFailure(message: string): Promise<void> {
  core.setFailed(message);
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const lines = message.split('\n').map((line) => `> ${markdownText(line, { maxLength: 2000 })}`);
  await core.summary
    .addRaw(`### ❌ VPC Lattice cost report failed\n\n${lines.join('\n')}\n`, true)
    .write()
    .catch(() => undefined);
}

export async function run(): Promise<void> {
  let config: Config;
  try {
    config = readConfig((name) => core.getInput(name));
  } catch (error) {
    await reportFailure(errorMessage(error));
    return;
  }
  const controller = new AbortController();
  const cancel = (): void =>
    controller.abort(new Error('The run was cancelled; running Logs Insights queries were stopped.'));
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  try {
    const credentials = config.roleToAssume
      ? await assumeRoleWithOidc(
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
            log: core.info,
          },
        )
      : undefined;
    const scope = reportKey({
      region: config.region,
      serviceNetwork: config.serviceNetwork,
      logGroups: config.logGroupNames,
    });
    // Without the runner's cache service (a local run, an old GHES) the run simply queries every day.
    const cache = config.cache && isFeatureAvailable() ? cacheOptions(scope) : undefined;
    if (cache) await restoreDayCache(cache);
    const { report, stats } = await analyzeAws({
      region: config.region,
      ...(credentials ? { credentials } : {}),
      serviceNetwork: config.serviceNetwork,
      logGroupNames: config.logGroupNames,
      lookbackDays: config.lookbackDays,
      endDate: config.endDate,
      costMetric: config.costMetric,
      costTagKey: config.costTagKey,
      thresholds: config.thresholds,
      publishMetrics: config.publishMetrics,
      ...(cache ? { cache: { dir: cache.dir, settlingDays: config.settlingDays } } : {}),
      signal: controller.signal,
      log: (message) => core.info(message),
    });
    if (cache && stats.cacheWritten > 0) {
      if (isForkPullRequest())
        core.info('Not saving the day cache: a pull request from a fork must not write it.');
      else await saveDayCache(cache);
    }
    const files = await writeReportFiles(report, config.reportDir);
    setReportOutputs(report, files);
    core.info(headline(report));
    for (const warning of report.warnings) core.warning(warning);

    const publishErrors = await publish(config, report);
    if (publishErrors.length > 0) {
      core.setFailed(publishErrors.join('\n'));
      return;
    }
    if (config.failOn !== 'never') {
      const limit = SEVERITY_RANK[config.failOn];
      const failing = report.findings.filter((f) => SEVERITY_RANK[f.severity] >= limit);
      if (failing.length > 0) {
        core.setFailed(
          `fail-on: ${config.failOn}: ${failing.length} finding(s) of that severity or worse; see the report.`,
        );
      }
    }
  } catch (error) {
    const prefix = error instanceof UsageError ? 'Configuration problem: ' : '';
    await reportFailure(`${prefix}${errorMessage(error)}`);
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}
