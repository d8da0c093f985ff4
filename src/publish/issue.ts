/** The rolling issue: one open issue per report key, found by its hidden marker, updated in place. */
import { markerComment } from '../report/markdown.js';
import { githubCall, type Octokit, type Repo } from './github.js';

export interface IssueRequest {
  key: string;
  title: string;
  labels: string[];
  body: string;
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

async function findIssue(
  octokit: Octokit,
  repo: Repo,
  marker: string,
  label?: string,
): Promise<number | undefined> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
    ...repo,
    state: 'open',
    per_page: 100,
    ...(label ? { labels: label } : {}),
  });
  for await (const page of pages) {
    const found = page.data.find((issue) => !issue.pull_request && (issue.body ?? '').includes(marker));
    if (found) return found.number;
  }
  return undefined;
}

export async function publishIssue(
  octokit: Octokit,
  repo: Repo,
  request: IssueRequest,
): Promise<{ number: number; url: string; created: boolean }> {
  const marker = markerComment(request.key);
  return githubCall(`Publishing the report issue in ${repo.owner}/${repo.repo}`, PERMISSION, async () => {
    // The label narrows the search; someone may have removed it, so fall back to every open issue.
    const number =
      (request.labels[0] ? await findIssue(octokit, repo, marker, request.labels[0]) : undefined) ??
      (await findIssue(octokit, repo, marker));
    if (number !== undefined) {
      const { data } = await octokit.rest.issues.update({
        ...repo,
        issue_number: number,
        title: request.title,
        body: request.body,
      });
      return { number, url: data.html_url, created: false };
    }
    await ensureLabels(octokit, repo, request.labels);
    const { data } = await octokit.rest.issues.create({
      ...repo,
      title: request.title,
      body: request.body,
      labels: request.labels,
    });
    return { number: data.number, url: data.html_url, created: true };
  });
}
