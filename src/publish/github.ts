/**
 * The GitHub client: @actions/github's Octokit (GITHUB_API_URL, so GHES works) with the retry and
 * throttling plugins, and GitHub errors turned into the permission the workflow lacks.
 */
import { context, getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { DataError, errorMessage } from '../errors.js';

export type Octokit = ReturnType<typeof getOctokit>;

export interface Repo {
  owner: string;
  repo: string;
}

/** What the workflow run is about, from the runner's environment and event payload. */
export interface RunContext {
  repo: Repo;
  eventName: string;
  /** The pull request's number, on pull-request events. */
  pullRequest?: number;
  /** A pull request from a fork runs code its author controls. */
  fromFork: boolean;
}

export function runContext(): RunContext {
  const pull = context.payload.pull_request as
    { number?: number; head?: { repo?: { full_name?: string } } } | undefined;
  const repo = context.repo;
  return {
    repo,
    eventName: context.eventName,
    ...(pull?.number !== undefined ? { pullRequest: pull.number } : {}),
    fromFork: pull?.head !== undefined && pull.head.repo?.full_name !== `${repo.owner}/${repo.repo}`,
  };
}

/** Rate-limit retries before giving up; each waits as long as GitHub's retry-after says. */
const LIMIT_RETRIES = 3;

export function createOctokit(token: string, log: (message: string) => void): Octokit {
  return getOctokit(
    token,
    {
      throttle: {
        onRateLimit: (
          retryAfter: number,
          options: { method: string; url: string },
          _o: unknown,
          retryCount: number,
        ) => {
          log(`GitHub rate limit on ${options.method} ${options.url}; retrying in ${retryAfter} s.`);
          return retryCount < LIMIT_RETRIES;
        },
        onSecondaryRateLimit: (
          retryAfter: number,
          options: { method: string; url: string },
          _o: unknown,
          retryCount: number,
        ) => {
          log(
            `GitHub secondary rate limit on ${options.method} ${options.url}; retrying in ${retryAfter} s.`,
          );
          return retryCount < LIMIT_RETRIES;
        },
      },
      retry: { doNotRetry: [400, 401, 403, 404, 422] },
    },
    retry,
    throttling,
  );
}

function status(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as { status?: number }).status : undefined;
}

/** A GitHub failure as a message that says which permission is missing, when that is the cause. */
function describeGitHubError(what: string, permission: string, error: unknown): DataError {
  const code = status(error);
  if (code === 403 || code === 404) {
    return new DataError(
      `${what} failed (HTTP ${code}: ${errorMessage(error)}). The token needs \`${permission}\`: add it under ` +
        '`permissions:` in the job. Pull requests from forks get a read-only token. The report is still in the ' +
        'job summary and in report-dir.',
      { cause: error },
    );
  }
  return new DataError(`${what} failed: ${errorMessage(error)}`, { cause: error });
}

export async function githubCall<T>(what: string, permission: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw describeGitHubError(what, permission, error);
  }
}
