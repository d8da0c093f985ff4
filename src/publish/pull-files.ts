/**
 * The infrastructure files a pull request changes, with their text before and after: the PR's
 * changed-files list, filtered by the `iac-paths` globs, each version read through the contents
 * API. Everything here is the PR author's: paths only ever go into API URLs (Octokit encodes
 * them), never into a filesystem path, and contents are decoded as UTF-8 text, nothing more.
 */
import { Minimatch } from 'minimatch';
import { githubCall, type Octokit, type Repo } from './github.js';

/** One changed file: `base` is absent for an added file, `head` for a removed one. */
interface PullFile {
  path: string;
  base?: string;
  head?: string;
}

export interface PullFiles {
  files: PullFile[];
  /** Files (or, for an incomplete list, a description of the missing ones) not read, and why. */
  skipped: Array<{ path: string; reason: string }>;
  baseSha: string;
  headSha: string;
}

export interface PullFilesOptions {
  include: (path: string) => boolean;
  /** Files read at most (each costs up to two API calls); default 50. */
  maxFiles?: number;
  /** Largest version read, in bytes; default 1 MiB, what the contents API returns inline. */
  maxBytes?: number;
}

const DEFAULT_MAX_FILES = 50;
const DEFAULT_MAX_BYTES = 1024 * 1024;
/** "Responses include a maximum of 3000 files" (REST docs: pulls/pulls#list-pull-requests-files). */
const LISTED_FILES_MAX = 3000;

const READ_PULLS = 'pull-requests: read';
const READ_CONTENTS = 'contents: read';

/**
 * `iac-paths` when the input is empty: every YAML, JSON and `.template` file (CloudFormation's
 * extensions, CDK's synthesized `*.template.json` included), less the JSON and YAML that are
 * never templates but are common and can be large (lock files) or many (workflows, editor and
 * tool settings in dot-directories), so they do not eat the `maxFiles` budget. The template
 * parser still skips whatever else is not a template.
 */
const DEFAULT_IAC_PATHS: readonly string[] = [
  '**/*.{yaml,yml,json,template}',
  '!**/package*.json',
  '!**/{tsconfig,jsconfig}*.json',
  '!**/{cdk,cdk.context}.json',
  '!**/node_modules/**',
  '!**/.*',
  '!**/.*/**',
];

/**
 * A path filter from `iac-paths` globs (minimatch syntax, dotfiles included): a path is in when a
 * pattern matches it and no `!pattern` does. Only `!` patterns means everything else is in; no
 * pattern at all means the defaults above.
 */
export function globMatcher(patterns: readonly string[]): (path: string) => boolean {
  const compile = (p: string): Minimatch => new Minimatch(p, { dot: true, nocomment: true });
  const given = patterns.map((p) => p.trim()).filter((p) => p !== '');
  const wanted = given.length > 0 ? given : DEFAULT_IAC_PATHS;
  const excludes = wanted.filter((p) => p.startsWith('!')).map((p) => compile(p.slice(1)));
  const includes = wanted.filter((p) => !p.startsWith('!')).map(compile);
  if (includes.length === 0 && excludes.length > 0) includes.push(compile('**'));
  return (path) => includes.some((m) => m.match(path)) && !excludes.some((m) => m.match(path));
}

interface ChangedFile {
  filename: string;
  status: string;
  previous_filename?: string;
}

type Version = { text: string } | { skip: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function readVersion(
  octokit: Octokit,
  repo: Repo,
  path: string,
  ref: string,
  maxBytes: number,
): Promise<Version> {
  const { data } = await githubCall(`Reading ${path} at ${ref.slice(0, 12)}`, READ_CONTENTS, () =>
    octokit.rest.repos.getContent({ ...repo, path, ref }),
  );
  if (Array.isArray(data) || data.type !== 'file') return { skip: `not a file at ${ref.slice(0, 12)}` };
  if (data.size > maxBytes) return { skip: `${data.size} bytes, over the ${maxBytes}-byte limit` };
  // Files over 1 MB come without content (REST docs: repos/contents#get-repository-content).
  if (data.encoding !== 'base64')
    return { skip: `GitHub did not send its content (encoding "${data.encoding}")` };
  // A strict decoder refuses what is not UTF-8, so a binary file is skipped, not garbled.
  try {
    return { text: utf8.decode(Buffer.from(data.content, 'base64')) };
  } catch {
    return { skip: 'not UTF-8 text' };
  }
}

/**
 * Reads the pull request's changed files that `include` accepts (by new path, or by old path for a
 * rename): each base version at the merge base (a renamed file's at its old path) and each head
 * version at the head sha.
 */
export async function pullRequestFiles(
  octokit: Octokit,
  repo: Repo,
  pull: number,
  options: PullFilesOptions,
): Promise<PullFiles> {
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const { data: pr } = await githubCall(`Reading pull request #${pull}`, READ_PULLS, () =>
    octokit.rest.pulls.get({ ...repo, pull_number: pull }),
  );
  const headSha = pr.head.sha;
  // The files list is a three-dot diff, against the merge base (GitHub REST, "List pull requests
  // files" and "Compare two commits"): read the "before" there too, or edits that landed on the base
  // branch after the branch was cut would look undone by this pull request.
  const { data: compared } = await githubCall(
    `Comparing pull request #${pull} with its base`,
    READ_CONTENTS,
    () =>
      octokit.rest.repos.compareCommitsWithBasehead({
        ...repo,
        basehead: `${pr.base.sha}...${headSha}`,
        per_page: 1,
      }),
  );
  const baseSha = compared.merge_base_commit.sha;

  const changed: ChangedFile[] = [];
  await githubCall(`Listing the files of pull request #${pull}`, READ_PULLS, async () => {
    for await (const page of octokit.paginate.iterator(octokit.rest.pulls.listFiles, {
      ...repo,
      pull_number: pull,
      per_page: 100,
    })) {
      changed.push(...page.data);
    }
  });

  const skipped: PullFiles['skipped'] = [];
  if (pr.changed_files > changed.length) {
    skipped.push({
      path: `(${pr.changed_files - changed.length} more changed files)`,
      reason:
        `GitHub lists at most ${LISTED_FILES_MAX} files of a pull request and this one changes ` +
        `${pr.changed_files}; infrastructure files among the rest were not checked.`,
    });
  }

  const files: PullFile[] = [];
  const wanted = changed.filter(
    (f) =>
      options.include(f.filename) ||
      (f.previous_filename !== undefined && options.include(f.previous_filename)),
  );
  for (const [index, f] of wanted.entries()) {
    if (index >= maxFiles) {
      skipped.push({
        path: f.filename,
        reason: `more than ${maxFiles} infrastructure files changed; only the first ${maxFiles} were read`,
      });
      continue;
    }
    // A copy is a new file: its source is unchanged and not this file's past.
    const basePath =
      f.status === 'added' || f.status === 'copied' ? undefined : (f.previous_filename ?? f.filename);
    const headPath = f.status === 'removed' ? undefined : f.filename;
    const base =
      basePath === undefined ? undefined : await readVersion(octokit, repo, basePath, baseSha, maxBytes);
    const head =
      headPath === undefined ? undefined : await readVersion(octokit, repo, headPath, headSha, maxBytes);
    const skip =
      (base && 'skip' in base ? `base: ${base.skip}` : undefined) ??
      (head && 'skip' in head ? `head: ${head.skip}` : undefined);
    if (skip !== undefined) {
      skipped.push({ path: f.filename, reason: skip });
      continue;
    }
    files.push({
      path: f.filename,
      ...(base && 'text' in base ? { base: base.text } : {}),
      ...(head && 'text' in head ? { head: head.text } : {}),
    });
  }
  return { files, skipped, baseSha, headSha };
}
