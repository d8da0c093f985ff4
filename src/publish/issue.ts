/**
 * The rolling issue: one open issue per report key, found by its hidden marker among the issues
 * the token's account opened, updated in place.
 */
import { markerComment, withoutRunDetails } from '../report/markdown.js';
import type { PublishResult } from './comment.js';
import { githubCall, type Octokit, type Repo } from './github.js';
import { type Author, authorName, splitByAuthor, whoAmI } from './identity.js';

export interface IssueRequest {
  key: string;
  title: string;
  labels: string[];
  body: string;
  warn: (message: string) => void;
}

const PERMISSION = 'issues: write';

/** Creates missing labels, so the issue can carry them; an existing label is left as it is. */
async function ensureLabels(octokit: Octokit, repo: Repo, labels: string[]): Promise<void> {
  for (const name of labels) {
    const exists = await octokit.rest.issues.getLabel({ ...repo, name }).then(
      () => true,
      (error: { status?: number }) => {
        if (error.status === 404) return false;
        throw error;
      },
    );
    if (exists) continue;
    await octokit.rest.issues
      .createLabel({ ...repo, name, color: 'ff9900', description: 'VPC Lattice cost & performance report' })
      .catch((error: { status?: number }) => {
        // Created meanwhile by a concurrent run.
        if (error.status !== 422) throw error;
      });
  }
}

interface MarkedIssue {
  number: number;
  title: string;
  body: string;
  url: string;
  author: Author;
}

async function markedIssues(
  octokit: Octokit,
  repo: Repo,
  marker: string,
  label?: string,
): Promise<MarkedIssue[]> {
  const found: MarkedIssue[] = [];
  const pages = octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
    ...repo,
    state: 'open',
    per_page: 100,
    ...(label ? { labels: label } : {}),
  });
  for await (const page of pages) {
    for (const issue of page.data) {
      const body = issue.body ?? '';
      if (!issue.pull_request && body.includes(marker))
        found.push({
          number: issue.number,
          title: issue.title,
          body,
          url: issue.html_url,
          author: issue.user,
        });
    }
  }
  return found;
}

/**
 * The open issue this account opened for this key, newest first. Issues others opened with the
 * marker (copied from ours) are named in a warning and never edited.
 */
async function ownIssue(
  octokit: Octokit,
  repo: Repo,
  marker: string,
  label: string | undefined,
  warn: (message: string) => void,
): Promise<MarkedIssue | undefined> {
  // The label narrows the search; someone may have removed it from ours, so fall back to every open issue.
  const labelled = label ? await markedIssues(octokit, repo, marker, label) : [];
  const marked = labelled.length > 0 ? labelled : await markedIssues(octokit, repo, marker);
  if (marked.length === 0) return undefined;
  const me = await whoAmI(octokit);
  if ('unknown' in me) {
    warn(
      `Could not ask GitHub which account the token belongs to (${me.unknown}), so no open issue ` +
        "carrying this report's marker was edited; a new issue is opened instead.",
    );
    return undefined;
  }
  let split = splitByAuthor(marked, me.identity);
  if (split.own.length === 0 && marked === labelled)
    split = splitByAuthor(await markedIssues(octokit, repo, marker), me.identity);
  for (const issue of split.foreign) {
    warn(
      `Issue #${issue.number} carries this report's marker but was opened by ${authorName(issue.author)}, ` +
        `not by ${me.identity.login} (the token's account); it was left untouched.`,
    );
  }
  return split.own[0];
}

export async function publishIssue(
  octokit: Octokit,
  repo: Repo,
  request: IssueRequest,
): Promise<{ number: number; url: string; result: PublishResult }> {
  const marker = markerComment(request.key);
  return githubCall(`Publishing the report issue in ${repo.owner}/${repo.repo}`, PERMISSION, async () => {
    const issue = await ownIssue(octokit, repo, marker, request.labels[0], request.warn);
    if (issue) {
      if (issue.title === request.title && withoutRunDetails(issue.body) === withoutRunDetails(request.body))
        return { number: issue.number, url: issue.url, result: 'unchanged' };
      const { data } = await octokit.rest.issues.update({
        ...repo,
        issue_number: issue.number,
        title: request.title,
        body: request.body,
      });
      return { number: issue.number, url: data.html_url, result: 'updated' };
    }
    await ensureLabels(octokit, repo, request.labels);
    const { data } = await octokit.rest.issues.create({
      ...repo,
      title: request.title,
      body: request.body,
      labels: request.labels,
    });
    return { number: data.number, url: data.html_url, result: 'created' };
  });
}
