/**
 * The workflows and action.yml, checked with GitHub's own parser (@actions/workflow-parser, loaded
 * through test/helpers/workflow-parser.ts), plus the properties users rely on: every action pinned
 * to a commit SHA with its version, no credentials left by a checkout that does not push, no
 * package manager in a job that can write, Dependabot for actions and npm, least-privilege
 * permissions per job, the fork guard, the path filter, the release tag filter, and the release
 * workflow's shell steps run for real against sample files and git repositories. The stack
 * workflows (provision.yml, teardown.yml): triggers, permissions, the environment gate, concurrency
 * per stack, no expressions in scripts, and their shell steps run against a fake aws CLI
 * (confirmation, DELETE_FAILED report, delete-logs, the S3 log bucket kept or reused, emptied
 * and deleted with delete-log-bucket).
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  evaluateCondition,
  evaluateString,
  parseActionFile,
  parseWorkflowFile,
  type WorkflowTemplate,
} from '../helpers/workflow-parser.js';

const ROOT = process.cwd();
const WORKFLOWS = join(ROOT, '.github', 'workflows');
const workflowFiles = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
function obj(x: unknown, what: string): Obj {
  if (!isObj(x)) throw new Error(`${what} is not a mapping: ${JSON.stringify(x)}`);
  return x;
}
const readText = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const readWorkflow = (name: string): string => readFileSync(join(WORKFLOWS, name), 'utf8');
const rawWorkflow = (name: string): Obj => obj(parse(readWorkflow(name)), name);

async function parsed(name: string): Promise<WorkflowTemplate> {
  const { errors, template } = await parseWorkflowFile(name, readWorkflow(name));
  expect(errors).toEqual([]);
  if (!template) throw new Error(`${name}: no template`);
  return template;
}

interface RawStep {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Obj;
  env?: Obj;
}
const jobsOf = (wf: Obj): Record<string, Obj> =>
  Object.fromEntries(Object.entries(obj(wf.jobs, 'jobs')).map(([id, job]) => [id, obj(job, id)]));
const stepsOf = (job: Obj): RawStep[] => (job.steps as RawStep[] | undefined) ?? [];

/**
 * GitHub's filter patterns for branches, tags and paths (workflow syntax, "Filter pattern cheat
 * sheet"): `*` any characters but `/`, `**` any characters, `?` and `+` zero-or-one and one-or-more
 * of the preceding character, `[…]` a character class; everything else is literal.
 */
function filterPattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (pattern.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?' || c === '+') re += c;
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      re += pattern.slice(i, end + 1);
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
const matchesAny = (patterns: string[], value: string): boolean =>
  patterns.some((p) => filterPattern(p).test(value));

/**
 * Step outputs the way the runner reads $GITHUB_OUTPUT (workflow commands, "Setting an output
 * parameter"): `name=value` lines, or `name<<DELIMITER`, the value's lines, then `DELIMITER`.
 */
function readOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      if (end < 0) throw new Error(`$GITHUB_OUTPUT: ${heredoc[1]} has no closing ${heredoc[2]}`);
      outputs[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

describe('every workflow passes GitHub’s workflow parser', () => {
  it('finds the workflows', () => {
    expect(workflowFiles).toEqual(
      expect.arrayContaining(['ci.yml', 'check-dist.yml', 'report.yml', 'release.yml']),
    );
  });

  it.each(workflowFiles)('%s parses and converts without errors', async (file) => {
    const { errors, template } = await parseWorkflowFile(file, readWorkflow(file));
    expect(errors).toEqual([]);
    expect(template?.jobs.length).toBeGreaterThan(0);
  });

  it.each(workflowFiles)('%s grants no blanket permissions (write-all, read-all)', (file) => {
    const wf = rawWorkflow(file);
    const blocks = [wf.permissions, ...Object.values(jobsOf(wf)).map((j) => j.permissions)];
    for (const p of blocks) expect(typeof p === 'string' ? p : 'mapping').toBe('mapping');
    expect(wf.permissions).toBeDefined();
  });
});

describe('pinned actions, credentials and write tokens', () => {
  // Composite actions would live in action.yml at the root or under .github/actions/.
  const actionDir = join(ROOT, '.github', 'actions');
  const actionFiles = [
    ...['action.yml', 'action.yaml'].filter((f) => existsSync(join(ROOT, f))),
    ...(existsSync(actionDir)
      ? readdirSync(actionDir, { recursive: true, encoding: 'utf8' })
          .filter((f) => /(^|\/)action\.ya?ml$/.test(f))
          .map((f) => join('.github', 'actions', f))
      : []),
  ];
  const files = [...workflowFiles.map((f) => join('.github', 'workflows', f)), ...actionFiles];

  /** Every `uses:` line of a file, with its value and the comment after it. */
  const usesLines = (text: string): { ref: string; comment: string }[] =>
    [
      ...text.matchAll(/^[ \t]*(?:-[ \t]+)?uses:[ \t]*(['"]?)([^'"\s#]+)\1[ \t]*(?:#[ \t]*(.*?))?[ \t]*$/gm),
    ].map((m) => ({ ref: m[2]!, comment: m[3] ?? '' }));
  /** Every `uses:` value the YAML holds: steps of jobs and composite actions, reusable workflows. */
  const usesValues = (doc: Obj): string[] =>
    [
      ...(isObj(doc.jobs) ? Object.values(doc.jobs).filter(isObj) : []),
      ...(isObj(doc.runs) ? [doc.runs] : []),
    ].flatMap((holder) =>
      [holder.uses, ...stepsOf(holder).map((st) => st.uses)].filter((u) => typeof u === 'string'),
    );
  /** Why a `uses:` is not pinned, or undefined when it is (local actions need no pin). */
  const pinProblem = ({ ref, comment }: { ref: string; comment: string }): string | undefined => {
    if (ref.startsWith('./')) return undefined;
    if (!/^[A-Za-z0-9][-A-Za-z0-9]*\/[-A-Za-z0-9._]+(\/[^@\s]+)?@[0-9a-f]{40}$/.test(ref))
      return `${ref}: not owner/repo@<full 40-character commit SHA>`;
    if (!/^v\d+\.\d+\.\d+$/.test(comment)) return `${ref}: no "# vX.Y.Z" comment naming its release`;
    return undefined;
  };
  const SHA = 'd23441a48e516b6c34aea4fa41551a30e30af803';

  it.each(files)('%s pins every uses: to a commit SHA, with its version in a comment', (file) => {
    const text = readText(file);
    const lines = usesLines(text);
    // The line scan sees every uses: the YAML has (none hides in a flow mapping or a second line).
    expect(lines.map((l) => l.ref).sort()).toEqual(usesValues(obj(parse(text), file)).sort());
    expect(lines.map(pinProblem).filter(Boolean)).toEqual([]);
  });

  it('the pin check rejects tags, branches, short SHAs and missing versions', () => {
    const problems = (line: string): (string | undefined)[] => usesLines(line).map(pinProblem);
    for (const bad of [
      'uses: actions/checkout@v6',
      'uses: actions/checkout@main',
      `uses: actions/checkout@${SHA.slice(0, 12)} # v6.1.0`,
      `uses: actions/checkout@${SHA.toUpperCase()} # v6.1.0`,
      `uses: actions/checkout@${SHA}`,
      `uses: actions/checkout@${SHA} # v6`,
      `uses: actions/checkout@${SHA} # latest`,
      'uses: docker://alpine:3.20',
    ]) {
      expect([bad, problems(`      - ${bad}`)]).toEqual([bad, [expect.any(String)]]);
    }
    for (const good of [
      `- uses: actions/checkout@${SHA} # v6.1.0`,
      `  uses: 'aws-actions/configure-aws-credentials@${SHA}'   # v6.2.3`,
      `uses: owner/repo/.github/workflows/provision.yml@${SHA} # v1.0.0`,
      '- uses: ./',
    ]) {
      expect([good, problems(good)]).toEqual([good, [undefined]]);
    }
  });

  it('pins each action to one commit and version in every file', () => {
    const pins = new Map<string, Set<string>>();
    for (const file of files) {
      for (const { ref, comment } of usesLines(readText(file))) {
        if (ref.startsWith('./')) continue;
        const action = ref.slice(0, ref.lastIndexOf('@'));
        pins.set(action, (pins.get(action) ?? new Set()).add(`${ref.slice(action.length + 1)} # ${comment}`));
      }
    }
    expect(pins.size).toBeGreaterThan(0);
    const several = [...pins].filter(([, versions]) => versions.size > 1).map(([a, v]) => [a, [...v]]);
    expect(several).toEqual([]);
  });

  /** Every job of every workflow, with the permissions it gets (its own, else the workflow's). */
  const allJobs = workflowFiles.flatMap((file) => {
    const wf = rawWorkflow(file);
    return Object.entries(jobsOf(wf)).map(([id, job]) => ({
      name: `${file}/${id}`,
      job,
      permissions: job.permissions ?? wf.permissions,
    }));
  });
  const pushes = (job: Obj): boolean => stepsOf(job).some((st) => /\bgit\s+push\b/.test(st.run ?? ''));

  it('keeps no credentials in .git/config, except in the one job that pushes', () => {
    const kept = allJobs.flatMap(({ name, job }) =>
      stepsOf(job)
        .filter((st) => st.uses?.startsWith('actions/checkout@'))
        .filter((st) => !isObj(st.with) || st.with['persist-credentials'] !== false)
        .map(() => ({ name, pushes: pushes(job) })),
    );
    expect(kept).toEqual([{ name: 'release.yml/publish', pushes: true }]);
  });

  it('runs no package manager in a job that holds a write permission', () => {
    const writes = (p: unknown): boolean =>
      p === 'write-all' || (isObj(p) && Object.values(p).includes('write'));
    const installs = (job: Obj): boolean =>
      stepsOf(job).some(
        (st) =>
          st.uses?.startsWith('actions/setup-node@') ||
          /(^|[\s;&|(])(npm|npx|yarn|pnpm)\s/m.test(st.run ?? '') ||
          /\bbash \.ci\/run\b/.test(st.run ?? ''),
      );
    const writers = allJobs.filter(({ permissions }) => writes(permissions));
    expect(writers.map((j) => j.name)).toEqual(expect.arrayContaining(['release.yml/publish']));
    expect(writers.filter(({ job }) => installs(job)).map((j) => j.name)).toEqual([]);
    // The check sees npm where it runs today.
    expect(allJobs.filter(({ job }) => installs(job)).map((j) => j.name)).toEqual(
      expect.arrayContaining([
        'ci.yml/test',
        'ci.yml/demo',
        'check-dist.yml/check-dist',
        'release.yml/verify',
      ]),
    );
  });

  it('dependabot.yml updates the pinned actions and the npm packages', () => {
    const config = obj(parse(readText('.github/dependabot.yml')), 'dependabot.yml');
    expect(config.version).toBe(2);
    const updates = (config.updates as Obj[]).map((u) => obj(u, 'update'));
    expect(updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
    for (const u of updates) {
      expect([u['package-ecosystem'], u.directory]).toEqual([u['package-ecosystem'], '/']);
      expect(obj(u.schedule, 'schedule').interval).toEqual(expect.stringMatching(/^(daily|weekly|monthly)$/));
    }
  });
});

describe('the parser really rejects broken workflows', () => {
  const job = 'jobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo hi\n';
  it.each([
    [
      'a misspelt top-level key',
      `on: push\npermisions:\n  contents: read\n${job}`,
      /Unexpected value 'permisions'/,
    ],
    ['an unknown event', `on: pushh\n${job}`, /Unexpected value 'pushh'/],
    [
      'an invalid permission level',
      `on: push\npermissions:\n  issues: writ\n${job}`,
      /Unexpected value 'writ'/,
    ],
    ['an unknown permission', `on: push\npermissions:\n  issue: write\n${job}`, /Unexpected value 'issue'/],
    ['a bad cron', `on:\n  schedule:\n    - cron: '61 6 * * *'\n${job}`, /Invalid cron expression/],
    [
      'an unknown context in an expression',
      `on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo \${{ foo.bar }}\n`,
      /Unrecognized named-value: 'foo'/,
    ],
    [
      'secrets in a job condition',
      `on: push\njobs:\n  a:\n    if: secrets.X != ''\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo\n`,
      /Unrecognized named-value: 'secrets'/,
    ],
  ])('%s', async (_what, content, expected) => {
    const { errors } = await parseWorkflowFile('broken.yml', content);
    expect(errors.join('\n')).toMatch(expected);
  });

  it('a copy of report.yml with a typo fails', async () => {
    const broken = readWorkflow('report.yml').replace(/^permissions:/m, 'permisions:');
    const { errors } = await parseWorkflowFile('report.yml', broken);
    expect(errors.join('\n')).toMatch(/Unexpected value 'permisions'/);
  });

  it('a copy of release.yml with an unknown job key fails', async () => {
    const broken = readWorkflow('release.yml').replace(/^ {4}runs-on:/m, '    run-on:');
    const { errors } = await parseWorkflowFile('release.yml', broken);
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('action.yml', () => {
  const text = readText('action.yml');
  const raw = obj(parse(text), 'action.yml');

  it('passes GitHub’s action metadata schema (action-v1.0.json)', async () => {
    const { errors, template } = await parseActionFile('action.yml', text);
    expect(errors).toEqual([]);
    expect(template?.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(template?.branding).toEqual({ icon: expect.any(String), color: expect.any(String) });
  });

  it('the schema check can fail', async () => {
    const broken = text.replace('using: node24', 'using: node99');
    const { errors } = await parseActionFile('action.yml', broken);
    expect(errors.join('\n')).toMatch(/Unexpected value 'node99'/);
  });

  it('names and describes itself, and every input and output has a description', () => {
    expect(raw.name).toEqual(expect.any(String));
    expect(raw.description).toEqual(expect.any(String));
    const inputs = obj(raw.inputs, 'inputs');
    const outputs = obj(raw.outputs, 'outputs');
    for (const [name, def] of [...Object.entries(inputs), ...Object.entries(outputs)]) {
      expect([name, obj(def, name).description]).toEqual([name, expect.stringMatching(/\S/)]);
    }
    // The design's contract: only aws-region is required.
    const required = Object.entries(inputs).filter(([, d]) => obj(d, 'input').required === true);
    expect(required.map(([n]) => n)).toEqual(['aws-region']);
  });
});

describe('report.yml, the example users copy', () => {
  const wf = rawWorkflow('report.yml');
  const jobs = jobsOf(wf);
  const actionInputs = obj(obj(parse(readText('action.yml')), 'action.yml').inputs, 'inputs');
  const actionSteps = (job: Obj): RawStep[] => stepsOf(job).filter((s) => s.uses === './');
  const actionStep = (job: Obj): RawStep => {
    const steps = actionSteps(job);
    expect(steps).toHaveLength(1);
    return steps[0]!;
  };
  // Jobs are told apart by what they publish, not by their ids; a missing or duplicated one gives
  // an empty job, which fails every check below with a readable message.
  const publishing = (target: string): [string, Obj][] =>
    Object.entries(jobs).filter(([, j]) =>
      actionSteps(j).some((s) => isObj(s.with) && String(s.with['publish-to']).includes(target)),
    );
  const single = (list: [string, Obj][]): [string, Obj] => (list.length === 1 ? list[0]! : ['(none)', {}]);
  const [issueJobId, issueJob] = single(publishing('issue'));
  const [prJobId, prJob] = single(publishing('pr-comment'));
  const ifOf = (job: Obj): string => String(job.if ?? 'true');

  it('runs daily off the hour, on demand, and on pull requests', async () => {
    const { events } = await parsed('report.yml');
    expect(events.schedule).toHaveLength(1);
    const [minute, hour, ...rest] = events.schedule![0]!.cron.split(/\s+/);
    expect(Number(minute)).toBeGreaterThan(0);
    expect(hour).toMatch(/^\d+$/);
    expect(rest).toEqual(['*', '*', '*']);
    expect(Object.keys(events.workflow_dispatch?.inputs ?? {})).toEqual(
      expect.arrayContaining(['lookback-days', 'end-date', 'publish-to', 'fail-on']),
    );
    expect(events.pull_request).toBeDefined();
  });

  it('limits pull requests to infrastructure paths', async () => {
    const { events } = await parsed('report.yml');
    const paths = events.pull_request?.paths ?? [];
    expect(paths).toEqual(expect.arrayContaining(['infra/**', 'provision/**', '**/*.tf', 'cdk/**']));
    expect(events.pull_request?.['paths-ignore']).toBeUndefined();
    for (const changed of [
      'infra/network.yaml',
      'provision/github-oidc-role.yaml',
      'main.tf',
      'modules/lattice/services.tf',
      'cdk/lib/stack.ts',
    ]) {
      expect([changed, matchesAny(paths, changed)]).toEqual([changed, true]);
    }
    for (const unrelated of ['src/main.ts', 'README.md', 'dist/index.js', 'infra.md', 'main.tfvars']) {
      expect([unrelated, matchesAny(paths, unrelated)]).toEqual([unrelated, false]);
    }
  });

  it('grants nothing at the workflow level', () => {
    expect(wf.permissions).toEqual({});
  });

  it('has one job for the issue and another for the pull-request comment', () => {
    expect(publishing('issue').map(([id]) => id)).toEqual([issueJobId]);
    expect(publishing('pr-comment').map(([id]) => id)).toEqual([prJobId]);
    expect(issueJobId).not.toBe(prJobId);
    expect(Object.keys(jobs).sort()).toEqual([issueJobId, prJobId].sort());
  });

  it('gives every job OIDC and read-only contents, and nothing it does not use', () => {
    const writers = (scope: string): string[] =>
      Object.entries(jobs)
        .filter(([, j]) => isObj(j.permissions) && j.permissions[scope] === 'write')
        .map(([id]) => id);
    expect(writers('issues')).toEqual([issueJobId]);
    expect(writers('pull-requests')).toEqual([prJobId]);
    for (const [id, job] of Object.entries(jobs)) {
      const permissions = obj(job.permissions, `${id}.permissions`);
      expect([id, permissions['id-token'], permissions.contents]).toEqual([id, 'write', 'read']);
    }
    expect(issueJob.permissions).toEqual({ 'id-token': 'write', contents: 'read', issues: 'write' });
    expect(prJob.permissions).toEqual({ 'id-token': 'write', contents: 'read', 'pull-requests': 'write' });
  });

  it('publishes the issue from schedule and manual runs, and the comment from pull requests', () => {
    const issueWith = obj(actionStep(issueJob).with, 'issue step with');
    const prWith = obj(actionStep(prJob).with, 'pr step with');
    expect(String(issueWith['publish-to'])).toContain("'summary,issue'");
    expect(prWith['publish-to']).toBe('summary,pr-comment');
    expect(prWith['comment-behavior']).toBe('update');
    // The dispatch inputs reach the action.
    for (const input of ['lookback-days', 'end-date', 'publish-to', 'fail-on']) {
      expect([input, String(issueWith[input])]).toEqual([input, expect.stringContaining(`inputs.${input}`)]);
    }
  });

  it('passes only inputs the action declares, including the required ones, from repository variables', () => {
    for (const job of [issueJob, prJob]) {
      const w = obj(actionStep(job).with, 'with');
      for (const key of Object.keys(w)) expect([key, key in actionInputs]).toEqual([key, true]);
      expect(w['aws-region']).toBe('${{ vars.AWS_REGION }}');
      expect(w['role-to-assume']).toBe('${{ vars.LATTICE_REPORT_ROLE_ARN }}');
      expect(w['service-network']).toBe('${{ vars.LATTICE_SERVICE_NETWORK }}');
    }
  });

  it('tells users what to write instead of uses: ./', () => {
    expect(readWorkflow('report.yml')).toContain('uses: lattice-cost-report/lattice-cost-report@v1');
  });

  it('uploads the report directory as an artifact, even when the report fails', () => {
    for (const job of [issueJob, prJob]) {
      const upload = stepsOf(job).find((s) => s.uses?.startsWith('actions/upload-artifact@'));
      expect(upload).toBeDefined();
      expect(upload!.if).toMatch(/!cancelled\(\)|always\(\)/);
      expect(obj(upload!.with, 'upload with').path).toBe(obj(actionStep(job).with, 'with')['report-dir']);
    }
  });

  it('serialises issue updates, and lets a newer push replace a pull request’s run', () => {
    const issueConcurrency = obj(issueJob.concurrency, 'issue concurrency');
    expect(String(issueConcurrency.group)).not.toMatch(/run_id|run_number|github\.sha|github\.ref/);
    expect(issueConcurrency['cancel-in-progress']).toBe(false);
    const prConcurrency = obj(prJob.concurrency, 'pr concurrency');
    expect(String(prConcurrency.group)).toContain('github.event.pull_request.number');
  });

  describe('job conditions, evaluated with GitHub’s expression engine', () => {
    const repo = 'acme/platform';
    const configured = { LATTICE_REPORT_ROLE_ARN: 'arn:aws:iam::111122223333:role/lattice-report' };
    const ctx = (event_name: string, vars: Obj, headRepo = repo): Obj => ({
      github: {
        event_name,
        repository: repo,
        event:
          event_name === 'pull_request' ? { pull_request: { head: { repo: { full_name: headRepo } } } } : {},
      },
      vars,
      needs: {},
      inputs: {},
    });
    const runs = async (job: Obj, context: Obj): Promise<boolean> => evaluateCondition(ifOf(job), context);

    it.each([
      ['schedule', true, false],
      ['workflow_dispatch', true, false],
      ['pull_request', false, true],
    ])('%s: issue job %s, comment job %s', async (event, issue, pr) => {
      expect(await runs(issueJob, ctx(event, configured))).toBe(issue);
      expect(await runs(prJob, ctx(event, configured))).toBe(pr);
    });

    it('skips pull requests from forks (no OIDC token, read-only GITHUB_TOKEN)', async () => {
      expect(ifOf(prJob)).toContain('github.event.pull_request.head.repo.full_name == github.repository');
      expect(await runs(prJob, ctx('pull_request', configured, 'someone/platform-fork'))).toBe(false);
    });

    it('skips everything until the role variable is set, so this repository’s CI passes without AWS', async () => {
      for (const event of ['schedule', 'workflow_dispatch', 'pull_request']) {
        expect(await runs(issueJob, ctx(event, {}))).toBe(false);
        expect(await runs(prJob, ctx(event, {}))).toBe(false);
        expect(await runs(prJob, ctx(event, { LATTICE_REPORT_ROLE_ARN: '' }))).toBe(false);
      }
    });
  });
});

describe('release.yml', () => {
  const wf = rawWorkflow('release.yml');
  const jobs = jobsOf(wf);
  const verify = jobs.verify ?? {};
  const publish = jobs.publish ?? {};
  const steps = [...stepsOf(verify), ...stepsOf(publish)];
  const step = (name: RegExp): RawStep => {
    const found = steps.find((s) => name.test(s.name ?? s.run ?? s.uses ?? ''));
    if (!found) throw new Error(`release.yml: no step matching ${name}`);
    return found;
  };
  const runIndex = (job: Obj, pattern: RegExp): number =>
    stepsOf(job).findIndex((s) => pattern.test(s.run ?? ''));

  it('runs only on pushes of version tags vX.Y.Z', async () => {
    const { events } = await parsed('release.yml');
    expect(Object.keys(events)).toEqual(['push']);
    expect(events.push?.branches).toBeUndefined();
    const tags = events.push?.tags ?? [];
    expect(tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
    for (const tag of ['v1.0.0', 'v1.2.3', 'v10.20.300', 'v0.1.0']) {
      expect([tag, matchesAny(tags, tag)]).toEqual([tag, true]);
    }
    for (const tag of ['v1', 'v1.2', '1.2.3', 'v1.2.3-rc.1', 'v1.2.3.4', 'v1x2y3', 'release-1.2.3']) {
      expect([tag, matchesAny(tags, tag)]).toEqual([tag, false]);
    }
  });

  it('verify only reads; publish, after it, writes contents and installs nothing', () => {
    expect(wf.permissions).toEqual({});
    expect(Object.keys(jobs)).toEqual(['verify', 'publish']);
    expect(verify.permissions).toEqual({ contents: 'read' });
    expect(publish.permissions).toEqual({ contents: 'write' });
    expect(publish.needs).toBe('verify');
    const publishing = stepsOf(publish);
    expect(publishing.filter((s) => s.uses?.startsWith('actions/setup-node@'))).toEqual([]);
    expect(publishing.filter((s) => /\b(npm|npx|node|yarn|pnpm)\b/.test(s.run ?? ''))).toEqual([]);
  });

  it('verify checks out full history without credentials and uses .node-version', () => {
    const [checkout] = stepsOf(verify).filter((s) => s.uses?.startsWith('actions/checkout@'));
    const w = obj(checkout?.with, 'checkout with');
    expect(w['fetch-depth']).toBe(0);
    expect(w['persist-credentials']).toBe(false);
    const setupNode = step(/^actions\/setup-node@/);
    expect(obj(setupNode.with, 'setup-node with')['node-version-file']).toBe('.node-version');
  });

  it('verify fixes the commit and the notes it passes on before npm ci runs any package', () => {
    const verifying = stepsOf(verify);
    const outputs = obj(verify.outputs, 'verify outputs');
    const npmCi = runIndex(verify, /^npm ci$/m);
    expect(npmCi).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(outputs)) {
      const id = /^\$\{\{ steps\.([\w-]+)\.outputs\.[\w-]+ \}\}$/.exec(String(value))?.[1];
      const index = verifying.findIndex((s) => s.id === id);
      expect([name, index >= 0 && index < npmCi]).toEqual([name, true]);
    }
    expect(Object.keys(outputs).sort()).toEqual(['commit', 'notes']);
  });

  it('checks, then releases, then moves the major tag, in that order', () => {
    const order = [
      runIndex(verify, /merge-base --is-ancestor/),
      runIndex(verify, /package_version/),
      runIndex(verify, /CHANGELOG\.md/),
      runIndex(verify, /^npm ci$/m),
      runIndex(verify, /npm run build[\s\S]*git diff/),
    ];
    const then = [
      runIndex(publish, /VERIFIED/),
      runIndex(publish, /gh release create/),
      runIndex(publish, /git push --force origin/),
    ];
    for (const list of [order, then]) {
      expect(list.every((i) => i >= 0)).toBe(true);
      expect([...list].sort((a, b) => a - b)).toEqual(list);
    }
    const create = step(/^Create the GitHub release/);
    expect(obj(create.env, 'create env').GH_TOKEN).toBe('${{ github.token }}');
    expect(obj(create.env, 'create env').NOTES).toBe('${{ needs.verify.outputs.notes }}');
    expect(create.run).toContain('--notes-file');
    expect(create.run).toContain('--verify-tag');
  });

  describe('its shell steps, run against sample files', () => {
    const runStep = (
      name: RegExp,
      dir: string,
      tag: string,
      env: Record<string, string> = {},
    ): { status: number | null; out: string; outputs: Record<string, string> } => {
      const script = step(name).run!;
      const output = join(dir, 'github-output');
      writeFileSync(output, '');
      // As the runner runs a step (bash --noprofile --norc -eo pipefail); without --norc, bash
      // started with socket stdio (as Node's spawn gives it) reads ~/.bashrc.
      const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
        cwd: dir,
        env: { PATH: process.env.PATH, TAG: tag, RUNNER_TEMP: dir, GITHUB_OUTPUT: output, ...env },
        encoding: 'utf8',
      });
      return {
        status: result.status,
        out: `${result.stdout}${result.stderr}`,
        outputs: readOutputs(readFileSync(output, 'utf8')),
      };
    };
    const sandbox = (version: string, toolVersion = version, changelog?: string): string => {
      const dir = mkdtempSync(join(tmpdir(), 'release-step-'));
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', version }, null, 2));
      writeFileSync(
        join(dir, 'src', 'version.ts'),
        `export const TOOL = { name: 'lattice-cost-report', version: '${toolVersion}' } as const;\n`,
      );
      writeFileSync(join(dir, 'CHANGELOG.md'), changelog ?? readText('CHANGELOG.md'));
      return dir;
    };
    const CHANGELOG = [
      '# Changelog',
      '',
      '## [Unreleased]',
      '',
      '### Added',
      '',
      '- Not yet.',
      '',
      '## [1.2.0] - 2026-12-02',
      '',
      '### Added',
      '',
      '- The `fail-on` input.',
      '',
      '## [1.1.10] - 2026-11-30',
      '',
      '### Fixed',
      '',
      '- An old fix.',
      '',
      '[unreleased]: https://github.com/o/r/compare/v1.2.0...HEAD',
      '[1.2.0]: https://github.com/o/r/compare/v1.1.10...v1.2.0',
      '',
    ].join('\n');

    it('takes exactly the tag’s CHANGELOG section as release notes', () => {
      const dir = sandbox('1.2.0', '1.2.0', CHANGELOG);
      try {
        const { status, outputs } = runStep(/Release notes/, dir, 'v1.2.0');
        expect(status).toBe(0);
        expect(readFileSync(join(dir, 'release-notes.md'), 'utf8')).toBe(
          '### Added\n\n- The `fail-on` input.\n',
        );
        expect(outputs).toEqual({ notes: '### Added\n\n- The `fail-on` input.' });
        expect(runStep(/Release notes/, dir, 'v1.1.10').status).toBe(0);
        expect(readFileSync(join(dir, 'release-notes.md'), 'utf8')).toBe('### Fixed\n\n- An old fix.\n');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('fails without a CHANGELOG section for the tag', () => {
      const dir = sandbox('1.3.0', '1.3.0', CHANGELOG);
      try {
        const { status, out } = runStep(/Release notes/, dir, 'v1.3.0');
        expect(status).not.toBe(0);
        expect(out).toContain("::error file=CHANGELOG.md::CHANGELOG.md has no section '## [1.3.0]'");
        // 1.1.1 is a prefix of 1.1.10: it must not be taken for it.
        expect(runStep(/Release notes/, dir, 'v1.1.1').status).not.toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('accepts a tag equal to package.json and src/version.ts, and names each mismatch', () => {
      const dir = sandbox('1.2.0', '1.1.0');
      try {
        const mismatch = runStep(/package\.json and src\/version\.ts/, dir, 'v1.2.0');
        expect(mismatch.status).not.toBe(0);
        expect(mismatch.out).toContain("src/version.ts has TOOL.version '1.1.0', the tag is v1.2.0");
        expect(mismatch.out).not.toContain('package.json has version');
        const wrongTag = runStep(/package\.json and src\/version\.ts/, dir, 'v1.1.0');
        expect(wrongTag.out).toContain('package.json has version 1.2.0, the tag is v1.1.0');
        writeFileSync(
          join(dir, 'src', 'version.ts'),
          "export const TOOL = { name: 'lattice-cost-report', version: '1.2.0' } as const;\n",
        );
        expect(runStep(/package\.json and src\/version\.ts/, dir, 'v1.2.0').status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    /** A repository with commits on main and on a side branch, each tagged like a release. */
    const gitSandbox = (): { dir: string; git: (...args: string[]) => string } => {
      const dir = mkdtempSync(join(tmpdir(), 'release-git-'));
      // Only this directory and no one's git configuration (a GIT_DIR from a hook, signing, hooks).
      const env = {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_'))),
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
      };
      const git = (...args: string[]): string =>
        execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
          cwd: dir,
          env,
          encoding: 'utf8',
        }).trim();
      git('init', '--quiet', '--initial-branch=work');
      git('commit', '--quiet', '--allow-empty', '-m', 'on main');
      git('tag', '-a', 'v1.2.0', '-m', 'v1.2.0');
      git('update-ref', 'refs/remotes/origin/main', 'HEAD');
      git('commit', '--quiet', '--allow-empty', '-m', 'never merged');
      git('tag', '-a', 'v1.3.0', '-m', 'v1.3.0');
      return { dir, git };
    };

    it('verify accepts only a tag on main, and passes on its commit', () => {
      const { dir, git } = gitSandbox();
      try {
        const merged = runStep(/on main or a releases\//, dir, 'v1.2.0');
        expect(merged.status).toBe(0);
        expect(merged.outputs).toEqual({ commit: git('rev-parse', 'v1.2.0^{commit}') });
        const unmerged = runStep(/on main or a releases\//, dir, 'v1.3.0');
        expect(unmerged.status).not.toBe(0);
        expect(unmerged.out).toContain('::error::v1.3.0 is on neither origin/main nor origin/releases/v1');
        expect(unmerged.outputs).toEqual({});
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('publish refuses a tag that moved after verify checked it', () => {
      const { dir, git } = gitSandbox();
      try {
        const verified = git('rev-parse', 'v1.2.0^{commit}');
        expect(runStep(/still points at the verified/, dir, 'v1.2.0', { VERIFIED: verified }).status).toBe(0);
        const moved = runStep(/still points at the verified/, dir, 'v1.3.0', { VERIFIED: verified });
        expect(moved.status).not.toBe(0);
        expect(moved.out).toContain(`but verify checked '${verified}': nothing was published`);
        expect(runStep(/still points at the verified/, dir, 'v1.2.0', { VERIFIED: '' }).status).not.toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('publish releases exactly the notes verify passed on, once', () => {
      const dir = sandbox('1.2.0', '1.2.0', CHANGELOG);
      const FAKE_GH = [
        '#!/usr/bin/env bash',
        'printf "%s\\n" "$*" >> "$RUNNER_TEMP/gh.log"',
        'case "$1 $2" in',
        '  "release view") exit "${FAKE_VIEW_RC:-1}" ;;',
        '  "release create") cp "${@: -1}" "$RUNNER_TEMP/released-notes.md" ;;',
        'esac',
      ].join('\n');
      try {
        mkdirSync(join(dir, 'bin'));
        writeFileSync(join(dir, 'bin', 'gh'), FAKE_GH, { mode: 0o755 });
        const env = { PATH: `${join(dir, 'bin')}:${process.env.PATH}` };
        const { notes } = runStep(/Release notes/, dir, 'v1.2.0').outputs;
        const written = readFileSync(join(dir, 'release-notes.md'), 'utf8');

        expect(runStep(/^Create the GitHub release/, dir, 'v1.2.0', { ...env, NOTES: notes! }).status).toBe(
          0,
        );
        expect(readFileSync(join(dir, 'released-notes.md'), 'utf8')).toBe(written);
        const log = (): string[] => readFileSync(join(dir, 'gh.log'), 'utf8').split('\n').filter(Boolean);
        expect(log().filter((l) => l.startsWith('release create'))).toEqual([
          `release create v1.2.0 --verify-tag --title v1.2.0 --notes-file ${join(dir, 'release-notes.md')}`,
        ]);

        // A re-run finds the release and leaves it alone.
        const rerun = runStep(/^Create the GitHub release/, dir, 'v1.2.0', {
          ...env,
          NOTES: notes!,
          FAKE_VIEW_RC: '0',
        });
        expect(rerun.status).toBe(0);
        expect(rerun.out).toContain('The release v1.2.0 exists already.');
        expect(log().filter((l) => l.startsWith('release create'))).toHaveLength(1);

        const empty = runStep(/^Create the GitHub release/, dir, 'v1.2.0', { ...env, NOTES: '' });
        expect(empty.status).not.toBe(0);
        expect(log().filter((l) => l.startsWith('release create'))).toHaveLength(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the checks agree with the real package.json and src/version.ts', () => {
      const version = (JSON.parse(readText('package.json')) as { version: string }).version;
      expect(readText('src/version.ts')).toContain(`version: '${version}'`);
    });

    it('script/release prepare produces a commit the workflow accepts', () => {
      const dir = sandbox('0.1.0', '0.1.0', CHANGELOG);
      try {
        mkdirSync(join(dir, 'script'));
        copyFileSync(join(ROOT, 'script', 'release'), join(dir, 'script', 'release'));
        execFileSync('bash', ['script/release', 'prepare', '1.3.0', '--no-build'], {
          cwd: dir,
          stdio: 'pipe',
        });
        expect(runStep(/package\.json and src\/version\.ts/, dir, 'v1.3.0').status).toBe(0);
        expect(runStep(/Release notes/, dir, 'v1.3.0').status).toBe(0);
        expect(readFileSync(join(dir, 'release-notes.md'), 'utf8')).toBe('### Added\n\n- Not yet.\n');
        const changelog = readFileSync(join(dir, 'CHANGELOG.md'), 'utf8');
        expect(changelog).toMatch(/^## \[Unreleased\]\n\n## \[1\.3\.0\] - \d{4}-\d{2}-\d{2}$/m);
        expect(changelog).toContain('[unreleased]: https://github.com/o/r/compare/v1.3.0...HEAD');
        expect(changelog).toContain('[1.3.0]: https://github.com/o/r/compare/v1.2.0...v1.3.0');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe('CHANGELOG.md', () => {
  const text = readText('CHANGELOG.md');
  it('follows Keep a Changelog with an Unreleased section first', () => {
    expect(text).toMatch(/^# Changelog\n/);
    expect(text).toContain('https://keepachangelog.com/en/1.1.0/');
    const headings = [...text.matchAll(/^## (.*)$/gm)].map((m) => m[1]);
    expect(headings[0]).toBe('[Unreleased]');
    for (const h of headings.slice(1)) expect(h).toMatch(/^\[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$/);
    expect(text).toMatch(/^\[unreleased\]: https:\/\/github\.com\//m);
  });
});

describe('provision.yml and teardown.yml, the stack workflows', () => {
  const FILES = ['provision.yml', 'teardown.yml'] as const;
  const only = (file: string): [string, Obj] => {
    const entries = Object.entries(jobsOf(rawWorkflow(file)));
    expect(entries).toHaveLength(1);
    return entries[0]!;
  };
  const triggers = (file: string): { dispatch: Obj; call: Obj } => {
    const on = obj(rawWorkflow(file).on, `${file} on`);
    return {
      dispatch: obj(obj(on.workflow_dispatch, 'workflow_dispatch').inputs, 'dispatch inputs'),
      call: obj(obj(on.workflow_call, 'workflow_call').inputs, 'call inputs'),
    };
  };
  /** Every `${{ … }}` expression inside any run: script of a workflow object. */
  const expressionsInRun = (wf: Obj): string[] =>
    Object.values(jobsOf(wf)).flatMap((job) =>
      stepsOf(job).flatMap((s) => [...(s.run ?? '').matchAll(/\$\{\{[\s\S]*?\}\}/g)].map((m) => m[0])),
    );

  it('both exist and parse', async () => {
    expect(workflowFiles).toEqual(expect.arrayContaining([...FILES]));
    for (const file of FILES) await parsed(file);
  });

  it.each(FILES)('%s runs on workflow_dispatch and workflow_call, with the same inputs', async (file) => {
    const { events } = await parsed(file);
    expect(Object.keys(events).sort()).toEqual(['workflow_call', 'workflow_dispatch']);
    const { dispatch, call } = triggers(file);
    // workflow_call may add inputs that only make sense for a caller in another repository.
    expect(Object.keys(dispatch).sort()).toEqual(
      Object.keys(call)
        .filter((k) => !k.startsWith('template-'))
        .sort(),
    );
    // workflow_dispatch accepts at most 25 inputs (GitHub Docs, "Manually running a workflow":
    // "You can define up to 25 inputs for a workflow_dispatch event").
    expect(Object.keys(dispatch).length).toBeLessThanOrEqual(25);
    for (const [name, def] of Object.entries(call)) {
      const d = obj(def, name);
      expect([name, d.description]).toEqual([name, expect.stringMatching(/\S/)]);
      expect([name, d.type]).toEqual([name, expect.stringMatching(/^(string|boolean|number)$/)]);
      if (name in dispatch) expect([name, obj(dispatch[name], name).default]).toEqual([name, d.default]);
    }
  });

  it.each(FILES)('%s declares every input it reads', (file) => {
    const { call } = triggers(file);
    const used = new Set([...readWorkflow(file).matchAll(/\binputs\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]!));
    expect([...used].filter((name) => !(name in call))).toEqual([]);
  });

  it.each(FILES)(
    '%s grants nothing at the workflow level and the job only id-token: write, contents: read',
    (file) => {
      expect(rawWorkflow(file).permissions).toEqual({});
      const [, job] = only(file);
      expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    },
  );

  it('run one change at a time per stack and Region, sharing one concurrency group, never cancelled', () => {
    const groups = FILES.map((file) => {
      const concurrency = obj(only(file)[1].concurrency, `${file} concurrency`);
      expect(concurrency['cancel-in-progress']).toBe(false);
      return String(concurrency.group);
    });
    expect(groups[0]).toBe(groups[1]);
    expect(groups[0]).toContain('inputs.stack-name');
    expect(groups[0]).toMatch(/inputs\.aws-region \|\| vars\.AWS_REGION/);
    expect(groups[0]).not.toMatch(/github\.(run_id|sha|ref|workflow)\b/);
  });

  it.each(FILES)('%s puts no ${{ }} inside run: (inputs reach scripts through env:)', (file) => {
    const wf = rawWorkflow(file);
    expect(expressionsInRun(wf)).toEqual([]);
    const [, job] = only(file);
    const env = obj(job.env, `${file} env`);
    expect(env.STACK_NAME).toBe('${{ inputs.stack-name }}');
    // Every input the job reads is in its env, or in a with: of an action (not a shell).
    const { call } = triggers(file);
    const inEnv = new Set([...JSON.stringify(env).matchAll(/inputs\.([a-z0-9-]+)/g)].map((m) => m[1]!));
    for (const name of Object.keys(call).filter((n) => !n.startsWith('template-')))
      expect([name, inEnv.has(name)]).toEqual([name, true]);
  });

  it('the injection check would catch an expression in a script', () => {
    const wf = {
      jobs: { a: { steps: [{ run: 'echo "${{ inputs.stack-name }}"' }, { run: 'echo "$STACK_NAME"' }] } },
    };
    expect(expressionsInRun(wf)).toEqual(['${{ inputs.stack-name }}']);
  });

  it.each(FILES)(
    '%s runs in the LATTICE_PROVISION_ENVIRONMENT environment, none when it is empty',
    async (file) => {
      const [, job] = only(file);
      expect(job.environment).toBe('${{ vars.LATTICE_PROVISION_ENVIRONMENT }}');
      // Set: that environment and its required reviewers; unset: the empty name.
      const name = (vars: Obj): Promise<string> => evaluateString(String(job.environment), { vars });
      expect(await name({ LATTICE_PROVISION_ENVIRONMENT: 'aws-admin' })).toBe('aws-admin');
      expect(await name({})).toBe('');
    },
  );

  it.each(FILES)('%s assumes the provisioning role with GitHub OIDC', (file) => {
    const [, job] = only(file);
    const creds = stepsOf(job).filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(creds).toHaveLength(1);
    const w = obj(creds[0]!.with, 'credentials with');
    expect(w['role-to-assume']).toBe('${{ env.ROLE_ARN }}');
    expect(w['aws-region']).toBe('${{ env.REGION }}');
    expect(w).not.toHaveProperty('aws-access-key-id');
    expect(obj(job.env, 'env').ROLE_ARN).toBe(
      '${{ inputs.role-to-assume || vars.LATTICE_PROVISION_ROLE_ARN }}',
    );
  });

  describe('their shell steps, run against a fake aws CLI', () => {
    const FAKE_AWS = [
      '#!/usr/bin/env bash',
      'printf "%s\\n" "$*" >> "$FAKE_AWS_LOG"',
      'args="$*"',
      'case "$1 $2" in',
      '  "cloudformation describe-stacks")',
      '    if [[ -z "${FAKE_STACK_STATUS:-}" ]]; then',
      '      echo "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id $4 does not exist" >&2',
      '      exit 254',
      '    fi',
      '    if [[ "$args" == *StackStatus* ]]; then echo "$FAKE_STACK_STATUS"',
      `    elif [[ "$args" == *"OutputKey=='LogGroupName'"* ]]; then echo "\${FAKE_LOG_GROUP_OUTPUT:-None}"`,
      `    elif [[ "$args" == *"ParameterKey=='ExistingLogGroup'"* ]]; then echo "\${FAKE_EXISTING_PARAM:-None}"`,
      // Any other parameter or output: FAKE_PARAM_<Key>, FAKE_OUTPUT_<Key>.
      `    elif [[ "$args" =~ ParameterKey==.([A-Za-z]+). ]]; then v="FAKE_PARAM_\${BASH_REMATCH[1]}"; echo "\${!v:-None}"`,
      `    elif [[ "$args" =~ OutputKey==.([A-Za-z]+). ]]; then v="FAKE_OUTPUT_\${BASH_REMATCH[1]}"; echo "\${!v:-None}"`,
      '    elif [[ "$args" == *Outputs* ]]; then printf "%b" "${FAKE_OUTPUTS:-}"',
      '    fi ;;',
      '  "cloudformation wait") exit "${FAKE_WAIT_RC:-0}" ;;',
      '  "cloudformation describe-stack-events") printf "%b" "${FAKE_EVENTS:-}" ;;',
      '  "cloudformation deploy") exit "${FAKE_DEPLOY_RC:-0}" ;;',
      '  "logs describe-log-groups") echo "${FAKE_LOG_GROUP_COUNT:-0}" ;;',
      '  "sts get-caller-identity") echo 111122223333 ;;',
      // A bucket exists when its name is in FAKE_BUCKETS; delete-bucket fails FAKE_DELETE_BUCKET_FAILS times.
      '  "s3api head-bucket") [[ " ${FAKE_BUCKETS:-} " == *" $4 "* ]] || exit 254 ;;',
      '  "s3api delete-bucket")',
      '    n=$(grep -c "^s3api delete-bucket" "$FAKE_AWS_LOG")',
      '    (( n > ${FAKE_DELETE_BUCKET_FAILS:-0} )) || { echo "BucketNotEmpty" >&2; exit 254; } ;;',
      'esac',
      'exit 0',
    ].join('\n');

    interface StepRun {
      status: number | null;
      out: string;
      calls: string[];
      outputs: string;
      summary: string;
      dir: string;
    }
    const findStep = (file: string, name: RegExp): RawStep => {
      const step = stepsOf(only(file)[1]).find((s) => name.test(s.name ?? ''));
      if (!step?.run) throw new Error(`${file}: no run step named ${name}`);
      return step;
    };
    /** Runs a step's script the way the runner does (bash -eo pipefail), with a fake aws on PATH. */
    const runStep = (file: string, name: RegExp, env: Record<string, string>, dir?: string): StepRun => {
      const work = dir ?? mkdtempSync(join(tmpdir(), 'stack-step-'));
      mkdirSync(join(work, 'bin'), { recursive: true });
      writeFileSync(join(work, 'bin', 'aws'), FAKE_AWS, { mode: 0o755 });
      const files = {
        log: join(work, 'aws.log'),
        output: join(work, 'output'),
        summary: join(work, 'summary'),
      };
      for (const f of Object.values(files)) writeFileSync(f, '', { flag: 'a' });
      const result = spawnSync(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', '-c', findStep(file, name).run!],
        {
          cwd: work,
          env: {
            PATH: `${join(work, 'bin')}:${process.env.PATH}`,
            RUNNER_TEMP: work,
            GITHUB_OUTPUT: files.output,
            GITHUB_STEP_SUMMARY: files.summary,
            FAKE_AWS_LOG: files.log,
            ...env,
          },
          encoding: 'utf8',
        },
      );
      return {
        status: result.status,
        out: `${result.stdout}${result.stderr}`,
        calls: readFileSync(files.log, 'utf8').split('\n').filter(Boolean),
        outputs: readFileSync(files.output, 'utf8'),
        summary: readFileSync(files.summary, 'utf8'),
        dir: work,
      };
    };
    const cleanup = (r: StepRun): void => rmSync(r.dir, { recursive: true, force: true });

    describe('teardown.yml', () => {
      const JOB_ENV = {
        STACK_NAME: 'lattice-analytics',
        CONFIRM: 'lattice-analytics',
        DELETE_LOGS: 'false',
        DELETE_LOG_BUCKET: 'false',
        REGION: 'eu-west-1',
        ROLE_ARN: 'arn:aws:iam::111122223333:role/lattice-cost-report-provisioner',
        LOG_GROUP_NAME: '/aws/vendedlogs/vpc-lattice/lattice-analytics',
        BUCKET_RETRY_SECONDS: '0',
      };
      const LOG_BUCKET = 'lattice-cost-report-logs-111122223333-eu-west-1';
      const RESULTS_BUCKET = 'lattice-cost-report-athena-111122223333-eu-west-1';

      it('checks the confirmation before it has any credentials', () => {
        const steps = stepsOf(only('teardown.yml')[1]);
        const check = steps.findIndex((s) => /confirmation/i.test(s.name ?? ''));
        const creds = steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
        expect(check).toBeGreaterThanOrEqual(0);
        expect(check).toBeLessThan(creds);
        expect(findStep('teardown.yml', /confirmation/i).if).toBeUndefined();
      });

      it.each([
        ['a different name', 'lattice-analytic'],
        ['an empty confirmation', ''],
        ['the name with a space', 'lattice-analytics '],
      ])('refuses %s', (_what, confirm) => {
        const r = runStep('teardown.yml', /confirmation/i, { ...JOB_ENV, CONFIRM: confirm });
        try {
          expect(r.status).not.toBe(0);
          expect(r.out).toContain(
            '::error::The confirm input must be exactly the stack name (lattice-analytics)',
          );
          expect(r.calls).toEqual([]);
        } finally {
          cleanup(r);
        }
      });

      it('accepts the exact stack name', () => {
        const r = runStep('teardown.yml', /confirmation/i, JOB_ENV);
        try {
          expect(r.status).toBe(0);
        } finally {
          cleanup(r);
        }
      });

      it('deletes the stack, waits, and passes on the log group named in its outputs', () => {
        const r = runStep('teardown.yml', /delete the stack/i, {
          ...JOB_ENV,
          FAKE_STACK_STATUS: 'UPDATE_COMPLETE',
          FAKE_LOG_GROUP_OUTPUT: '/aws/vendedlogs/vpc-lattice/from-stack',
        });
        try {
          expect(r.status).toBe(0);
          expect(r.calls).toEqual(
            expect.arrayContaining([
              'cloudformation delete-stack --stack-name lattice-analytics',
              'cloudformation wait stack-delete-complete --stack-name lattice-analytics',
            ]),
          );
          expect(r.outputs).toContain('log-group=/aws/vendedlogs/vpc-lattice/from-stack');
          expect(r.summary).toContain('deleted');
        } finally {
          cleanup(r);
        }
      });

      it('explains DELETE_FAILED with each failed resource and its reason, and fails', () => {
        const r = runStep('teardown.yml', /delete the stack/i, {
          ...JOB_ENV,
          FAKE_STACK_STATUS: 'DELETE_FAILED',
          FAKE_WAIT_RC: '255',
          FAKE_EVENTS:
            'ServiceNetwork\\tAWS::VpcLattice::ServiceNetwork\\tService network has active service associations | 1 left\\n' +
            'ServiceNetwork\\tAWS::VpcLattice::ServiceNetwork\\tService network has active service associations | 1 left\\n',
        });
        try {
          expect(r.status).not.toBe(0);
          expect(r.out).toContain('::error::Deleting stack lattice-analytics failed (DELETE_FAILED)');
          expect(r.summary).toContain('Deleting stack `lattice-analytics` failed: DELETE_FAILED');
          const rows = r.summary.split('\n').filter((l) => l.startsWith('| ServiceNetwork'));
          expect(rows).toEqual([
            '| ServiceNetwork | AWS::VpcLattice::ServiceNetwork | Service network has active service associations \\| 1 left |',
          ]);
          expect(r.summary).toMatch(/remove those associations/);
          expect(r.summary).toContain('--retain-resources');
          expect(r.calls.some((c) => c.startsWith('cloudformation describe-stack-events'))).toBe(true);
        } finally {
          cleanup(r);
        }
      });

      it('does nothing but say so when the stack does not exist', () => {
        const r = runStep('teardown.yml', /delete the stack/i, JOB_ENV);
        try {
          expect(r.status).toBe(0);
          expect(r.out).toContain('::notice::Stack lattice-analytics does not exist');
          expect(r.calls.some((c) => c.includes('delete-stack'))).toBe(false);
          expect(r.outputs).toContain(`log-group=${JOB_ENV.LOG_GROUP_NAME}`);
        } finally {
          cleanup(r);
        }
      });

      it('keeps the log group unless delete-logs is true, and then deletes it explicitly', () => {
        const logsStep = /log group/i;
        const steps = stepsOf(only('teardown.yml')[1]);
        const deleteIndex = steps.findIndex((s) => /delete the stack/i.test(s.name ?? ''));
        const logsIndex = steps.findIndex((s) => logsStep.test(s.name ?? ''));
        // After the stack is gone, and only if that succeeded (no always()).
        expect(logsIndex).toBeGreaterThan(deleteIndex);
        expect(steps[logsIndex]!.if).toBeUndefined();
        expect(obj(steps[logsIndex]!.env, 'env').LOG_GROUP).toBe('${{ steps.delete.outputs.log-group }}');
        expect(obj(only('teardown.yml')[1].env, 'env').DELETE_LOGS).toBe('${{ inputs.delete-logs }}');
        const group = '/aws/vendedlogs/vpc-lattice/from-stack';

        const kept = runStep('teardown.yml', logsStep, {
          ...JOB_ENV,
          LOG_GROUP: group,
          FAKE_LOG_GROUP_COUNT: '1',
        });
        const deleted = runStep('teardown.yml', logsStep, {
          ...JOB_ENV,
          DELETE_LOGS: 'true',
          LOG_GROUP: group,
          FAKE_LOG_GROUP_COUNT: '1',
        });
        const gone = runStep('teardown.yml', logsStep, { ...JOB_ENV, DELETE_LOGS: 'true', LOG_GROUP: group });
        const fallback = runStep('teardown.yml', logsStep, {
          ...JOB_ENV,
          DELETE_LOGS: 'true',
          LOG_GROUP: '',
          FAKE_LOG_GROUP_COUNT: '1',
        });
        try {
          for (const r of [kept, deleted, gone, fallback]) expect(r.status).toBe(0);
          expect(kept.calls.some((c) => c.includes('delete-log-group'))).toBe(false);
          expect(kept.summary).toContain(`Kept log group \`${group}\``);
          expect(deleted.calls).toContain(`logs delete-log-group --log-group-name ${group}`);
          expect(deleted.summary).toContain(`Deleted log group \`${group}\``);
          expect(gone.calls.some((c) => c.includes('delete-log-group'))).toBe(false);
          expect(fallback.calls).toContain(
            `logs delete-log-group --log-group-name ${JOB_ENV.LOG_GROUP_NAME}`,
          );
        } finally {
          [kept, deleted, gone, fallback].forEach(cleanup);
        }
      });

      it('empties the Athena results bucket before deleting the stack, and passes on the log bucket', () => {
        const r = runStep('teardown.yml', /delete the stack/i, {
          ...JOB_ENV,
          FAKE_STACK_STATUS: 'UPDATE_COMPLETE',
          FAKE_OUTPUT_LogBucketName: LOG_BUCKET,
          FAKE_OUTPUT_AthenaResultsBucketName: RESULTS_BUCKET,
          FAKE_BUCKETS: RESULTS_BUCKET,
        });
        try {
          expect(r.status).toBe(0);
          const rm = r.calls.indexOf(`s3 rm s3://${RESULTS_BUCKET} --recursive --only-show-errors`);
          const del = r.calls.indexOf('cloudformation delete-stack --stack-name lattice-analytics');
          expect(rm).toBeGreaterThanOrEqual(0);
          expect(rm).toBeLessThan(del);
          // The log bucket is never emptied here.
          expect(r.calls.some((c) => c.includes(LOG_BUCKET) && c.startsWith('s3'))).toBe(false);
          expect(r.outputs).toContain(`log-bucket=${LOG_BUCKET}`);
        } finally {
          cleanup(r);
        }
      });

      it('keeps the log bucket unless delete-log-bucket is true, then empties and deletes it after the stack', () => {
        const bucketStep = /access-log bucket/i;
        const steps = stepsOf(only('teardown.yml')[1]);
        const deleteIndex = steps.findIndex((s) => /delete the stack/i.test(s.name ?? ''));
        const bucketIndex = steps.findIndex((s) => bucketStep.test(s.name ?? ''));
        expect(bucketIndex).toBeGreaterThan(deleteIndex);
        expect(steps[bucketIndex]!.if).toBeUndefined();
        expect(obj(steps[bucketIndex]!.env, 'env').LOG_BUCKET).toBe('${{ steps.delete.outputs.log-bucket }}');
        expect(obj(only('teardown.yml')[1].env, 'env').DELETE_LOG_BUCKET).toBe(
          '${{ inputs.delete-log-bucket }}',
        );

        const kept = runStep('teardown.yml', bucketStep, {
          ...JOB_ENV,
          LOG_BUCKET,
          FAKE_BUCKETS: LOG_BUCKET,
        });
        const cloudwatch = runStep('teardown.yml', bucketStep, { ...JOB_ENV, LOG_BUCKET: '' });
        const deleted = runStep('teardown.yml', bucketStep, {
          ...JOB_ENV,
          DELETE_LOG_BUCKET: 'true',
          LOG_BUCKET,
          FAKE_BUCKETS: LOG_BUCKET,
        });
        // A late delivery: the first delete finds the bucket not empty, the next one succeeds.
        const retried = runStep('teardown.yml', bucketStep, {
          ...JOB_ENV,
          DELETE_LOG_BUCKET: 'true',
          LOG_BUCKET,
          FAKE_BUCKETS: LOG_BUCKET,
          FAKE_DELETE_BUCKET_FAILS: '1',
        });
        const stuck = runStep('teardown.yml', bucketStep, {
          ...JOB_ENV,
          DELETE_LOG_BUCKET: 'true',
          LOG_BUCKET,
          FAKE_BUCKETS: LOG_BUCKET,
          FAKE_DELETE_BUCKET_FAILS: '9',
        });
        // No stack output: the name lattice-analytics.yaml gives it, in this account and Region.
        const fallback = runStep('teardown.yml', bucketStep, {
          ...JOB_ENV,
          DELETE_LOG_BUCKET: 'true',
          LOG_BUCKET: '',
          FAKE_BUCKETS: LOG_BUCKET,
        });
        const gone = runStep('teardown.yml', bucketStep, {
          ...JOB_ENV,
          DELETE_LOG_BUCKET: 'true',
          LOG_BUCKET,
        });
        const all = [kept, cloudwatch, deleted, retried, stuck, fallback, gone];
        try {
          for (const r of [kept, cloudwatch, deleted, retried, fallback, gone]) expect(r.status).toBe(0);
          expect(kept.calls).toEqual([]);
          expect(kept.summary).toContain(`Kept log bucket \`${LOG_BUCKET}\``);
          expect(cloudwatch.calls).toEqual([]);
          expect(cloudwatch.summary).toBe('');
          const emptyThenDelete = [
            `s3 rm s3://${LOG_BUCKET} --recursive --only-show-errors`,
            `s3api delete-bucket --bucket ${LOG_BUCKET} --expected-bucket-owner 111122223333`,
          ];
          expect(deleted.calls).toEqual([
            'sts get-caller-identity --query Account --output text',
            `s3api head-bucket --bucket ${LOG_BUCKET} --expected-bucket-owner 111122223333`,
            ...emptyThenDelete,
          ]);
          expect(deleted.summary).toContain(`Deleted log bucket \`${LOG_BUCKET}\``);
          expect(retried.calls.slice(2)).toEqual([...emptyThenDelete, ...emptyThenDelete]);
          expect(stuck.status).not.toBe(0);
          expect(stuck.out).toContain(`::error::Could not delete log bucket ${LOG_BUCKET}`);
          expect(stuck.calls.filter((c) => c.startsWith('s3api delete-bucket'))).toHaveLength(4);
          expect(fallback.calls).toEqual(expect.arrayContaining(emptyThenDelete));
          expect(gone.calls.some((c) => c.startsWith('s3 rm') || c.startsWith('s3api delete-bucket'))).toBe(
            false,
          );
          expect(gone.summary).toContain('does not exist');
        } finally {
          all.forEach(cleanup);
        }
      });
    });

    describe('provision.yml', () => {
      const JOB_ENV = {
        STACK_NAME: 'lattice-analytics',
        REGION: 'eu-west-1',
        ROLE_ARN: 'arn:aws:iam::111122223333:role/lattice-cost-report-provisioner',
        SERVICE_NETWORK_NAME: 'lattice-analytics',
        AUTH_TYPE: 'AWS_IAM',
        LOG_GROUP_NAME: '/aws/vendedlogs/vpc-lattice/lattice-analytics',
        LOG_RETENTION_DAYS: '30',
        KEEP_LOGS_ON_DELETE: 'true',
        ACCESS_LOG_DESTINATION: 'CloudWatchLogs',
        CREATE_SAMPLE_SERVICE: 'false',
        PARAMETER_OVERRIDES: '',
      };

      it('checks the inputs and keeps only known parameter overrides, literally', () => {
        const ok = runStep('provision.yml', /check the inputs/i, {
          ...JOB_ENV,
          PARAMETER_OVERRIDES:
            'AnomalySubscriberAddress=team@example.com\n  AnomalyThresholdUsd=25 CostAllocationTagValues=a,b',
        });
        const hostile = runStep('provision.yml', /check the inputs/i, {
          ...JOB_ENV,
          PARAMETER_OVERRIDES: 'AnomalySubscriberAddress=$(touch${IFS}pwned)`id`*',
        });
        try {
          expect(ok.status).toBe(0);
          expect(readFileSync(join(ok.dir, 'parameter-overrides'), 'utf8')).toBe(
            'AnomalySubscriberAddress=team@example.com\nAnomalyThresholdUsd=25\nCostAllocationTagValues=a,b\n',
          );
          // Passed on as text, never run or globbed.
          expect(hostile.status).toBe(0);
          expect(readFileSync(join(hostile.dir, 'parameter-overrides'), 'utf8')).toBe(
            'AnomalySubscriberAddress=$(touch${IFS}pwned)`id`*\n',
          );
          expect(readdirSync(hostile.dir)).not.toContain('pwned');
        } finally {
          cleanup(ok);
          cleanup(hostile);
        }
      });

      it.each([
        [
          { PARAMETER_OVERRIDES: 'ExistingLogGroup=true' },
          'ExistingLogGroup is not a parameter you can set here',
        ],
        [
          { PARAMETER_OVERRIDES: 'LogGroupName=/aws/other' },
          'LogGroupName is not a parameter you can set here',
        ],
        [{ PARAMETER_OVERRIDES: 'AnomalyFrequency' }, 'each item must be Key=Value'],
        [{ ROLE_ARN: '' }, 'LATTICE_PROVISION_ROLE_ARN'],
        [{ REGION: '' }, 'AWS_REGION'],
        [{ STACK_NAME: 'bad name' }, 'stack-name must start with a letter'],
        [{ LOG_GROUP_NAME: '/aws/lambda/x' }, 'log-group-name must start with /aws/vendedlogs/'],
        [{ AUTH_TYPE: 'OPEN' }, 'auth-type must be AWS_IAM or NONE'],
        [{ ACCESS_LOG_DESTINATION: 'Firehose' }, 'access-log-destination must be CloudWatchLogs or S3'],
        [
          { PARAMETER_OVERRIDES: 'ExistingLogBucket=true' },
          'ExistingLogBucket is not a parameter you can set here',
        ],
      ])('rejects %j', (env, message) => {
        const r = runStep('provision.yml', /check the inputs/i, { ...JOB_ENV, ...env });
        try {
          expect(r.status).not.toBe(0);
          expect(r.out).toContain(`::error::`);
          expect(r.out).toContain(message);
        } finally {
          cleanup(r);
        }
      });

      it('lets only the parameters without an input of their own be overridden', () => {
        const template = readText('provision/lattice-analytics.yaml');
        const section = template.slice(template.indexOf('\nParameters:\n'), template.indexOf('\nRules:\n'));
        const params = [...section.matchAll(/^ {2}([A-Za-z0-9]+):\n {4}Type:/gm)].map((m) => m[1]!);
        expect(params.length).toBeGreaterThan(10);
        const script = findStep('provision.yml', /check the inputs/i).run!;
        const allowed = /allowed=" ([^"]+) "/.exec(script)![1]!.split(' ');
        const deploy = findStep('provision.yml', /^deploy/i).run!;
        const dedicated = [...deploy.matchAll(/"([A-Za-z0-9]+)=\$[A-Z_]+"/g)].map((m) => m[1]!);
        expect(dedicated).toEqual(
          expect.arrayContaining(['ExistingLogGroup', 'ExistingLogBucket', 'AccessLogDestination']),
        );
        expect([...allowed, ...dedicated].sort()).toEqual(params.sort());
      });

      it('reuses a log group an earlier teardown kept, and refuses a stack stuck after a failed create', () => {
        const fresh = runStep('provision.yml', /inspect/i, JOB_ENV);
        const kept = runStep('provision.yml', /inspect/i, { ...JOB_ENV, FAKE_LOG_GROUP_COUNT: '1' });
        const update = runStep('provision.yml', /inspect/i, {
          ...JOB_ENV,
          FAKE_STACK_STATUS: 'UPDATE_COMPLETE',
          FAKE_EXISTING_PARAM: 'true',
        });
        const stuck = runStep('provision.yml', /inspect/i, {
          ...JOB_ENV,
          FAKE_STACK_STATUS: 'ROLLBACK_COMPLETE',
        });
        try {
          expect(fresh.outputs).toBe('existing-log-group=false\n');
          expect(kept.outputs).toBe('existing-log-group=true\n');
          expect(kept.out).toContain(
            '::notice::Log group /aws/vendedlogs/vpc-lattice/lattice-analytics already exists',
          );
          expect(update.outputs).toBe('existing-log-group=true\n');
          expect(stuck.status).not.toBe(0);
          expect(stuck.out).toContain('ROLLBACK_COMPLETE');
          expect(stuck.out).toContain('teardown');
        } finally {
          [fresh, kept, update, stuck].forEach(cleanup);
        }
      });

      it('with S3, reuses the log bucket an earlier teardown kept, and keeps what a stack with S3 has', () => {
        const bucketStep = /kept log bucket/i;
        const S3_ENV = { ...JOB_ENV, ACCESS_LOG_DESTINATION: 'S3' };
        const BUCKET = 'lattice-cost-report-logs-111122223333-eu-west-1';
        const cloudwatch = runStep('provision.yml', bucketStep, JOB_ENV);
        const fresh = runStep('provision.yml', bucketStep, S3_ENV);
        const kept = runStep('provision.yml', bucketStep, { ...S3_ENV, FAKE_BUCKETS: BUCKET });
        const switching = runStep('provision.yml', bucketStep, {
          ...S3_ENV,
          FAKE_STACK_STATUS: 'UPDATE_COMPLETE',
          FAKE_PARAM_AccessLogDestination: 'CloudWatchLogs',
          FAKE_BUCKETS: BUCKET,
        });
        const owned = runStep('provision.yml', bucketStep, {
          ...S3_ENV,
          FAKE_STACK_STATUS: 'UPDATE_COMPLETE',
          FAKE_PARAM_AccessLogDestination: 'S3',
          FAKE_PARAM_ExistingLogBucket: 'false',
          FAKE_BUCKETS: BUCKET,
        });
        const reused = runStep('provision.yml', bucketStep, {
          ...S3_ENV,
          FAKE_STACK_STATUS: 'UPDATE_COMPLETE',
          FAKE_PARAM_AccessLogDestination: 'S3',
          FAKE_PARAM_ExistingLogBucket: 'true',
          FAKE_BUCKETS: BUCKET,
        });
        const all = [cloudwatch, fresh, kept, switching, owned, reused];
        try {
          for (const r of all) expect(r.status).toBe(0);
          expect(cloudwatch.outputs).toBe('existing-log-bucket=false\n');
          expect(cloudwatch.calls).toEqual([]);
          expect(fresh.outputs).toBe('existing-log-bucket=false\n');
          expect(fresh.calls).toContain(
            `s3api head-bucket --bucket ${BUCKET} --expected-bucket-owner 111122223333`,
          );
          expect(kept.outputs).toBe('existing-log-bucket=true\n');
          expect(kept.out).toContain(`::notice::Log bucket ${BUCKET} already exists`);
          expect(switching.outputs).toBe('existing-log-bucket=true\n');
          expect(owned.outputs).toBe('existing-log-bucket=false\n');
          expect(owned.calls.some((c) => c.startsWith('s3api'))).toBe(false);
          expect(reused.outputs).toBe('existing-log-bucket=true\n');
        } finally {
          all.forEach(cleanup);
        }
      });

      it('the bucket it looks for is the one lattice-analytics.yaml names', () => {
        const template = readText('provision/lattice-analytics.yaml');
        expect(template).toContain(
          "BucketName: !Sub 'lattice-cost-report-logs-${AWS::AccountId}-${AWS::Region}'",
        );
        expect(findStep('provision.yml', /kept log bucket/i).run).toContain(
          'bucket="lattice-cost-report-logs-$account-$REGION"',
        );
        expect(findStep('teardown.yml', /access-log bucket/i).run).toContain(
          'bucket="lattice-cost-report-logs-$account-$REGION"',
        );
      });

      it('deploys the template with the inputs as parameters', () => {
        const check = runStep('provision.yml', /check the inputs/i, {
          ...JOB_ENV,
          PARAMETER_OVERRIDES: 'AnomalySubscriberAddress=team@example.com',
        });
        const deploy = runStep(
          'provision.yml',
          /^deploy/i,
          {
            ...JOB_ENV,
            CREATE_SAMPLE_SERVICE: 'true',
            EXISTING_LOG_GROUP: 'false',
            EXISTING_LOG_BUCKET: 'false',
          },
          check.dir,
        );
        try {
          expect(deploy.status).toBe(0);
          expect(deploy.calls).toEqual([
            'cloudformation deploy --template-file provision/lattice-analytics.yaml --stack-name lattice-analytics ' +
              '--no-fail-on-empty-changeset --parameter-overrides ServiceNetworkName=lattice-analytics ' +
              'ServiceNetworkAuthType=AWS_IAM LogGroupName=/aws/vendedlogs/vpc-lattice/lattice-analytics ' +
              'LogRetentionDays=30 KeepLogsOnDelete=true CreateSampleService=true ExistingLogGroup=false ' +
              'AccessLogDestination=CloudWatchLogs ExistingLogBucket=false AnomalySubscriberAddress=team@example.com',
          ]);
        } finally {
          cleanup(deploy);
        }
      });

      it('writes the stack outputs to the job summary and the job outputs', () => {
        const r = runStep('provision.yml', /stack outputs/i, {
          ...JOB_ENV,
          FAKE_STACK_STATUS: 'CREATE_COMPLETE',
          FAKE_OUTPUTS:
            'ServiceNetworkId\\tsn-0123456789abcdef0\\nServiceNetworkName\\tlattice-analytics\\n' +
            'LogGroupName\\t/aws/vendedlogs/vpc-lattice/lattice-analytics\\nDashboardName\\tlattice-analytics\\n',
        });
        try {
          expect(r.status).toBe(0);
          expect(r.summary).toContain('| ServiceNetworkId | `sn-0123456789abcdef0` |');
          expect(r.summary).toContain('`LATTICE_SERVICE_NETWORK` to `lattice-analytics`');
          expect(r.outputs).toContain('service-network-id=sn-0123456789abcdef0');
          expect(r.outputs).toContain('log-group-name=/aws/vendedlogs/vpc-lattice/lattice-analytics');
          expect(r.outputs).toContain('dashboard-name=lattice-analytics');
          expect(r.summary).not.toContain('log-source');
        } finally {
          cleanup(r);
        }
      });

      it('with S3, passes on the action’s log-source, workgroup, database and table', () => {
        const r = runStep('provision.yml', /stack outputs/i, {
          ...JOB_ENV,
          FAKE_STACK_STATUS: 'CREATE_COMPLETE',
          FAKE_OUTPUTS:
            'ServiceNetworkName\tlattice-analytics\n' +
            'LogSource\ts3://lattice-cost-report-logs-111122223333-eu-west-1/lattice/\n' +
            'AthenaWorkGroupName\tlattice-cost-report\nAthenaDatabaseName\tlattice_cost_report\n' +
            'AthenaTableName\taccess_logs\n',
        });
        try {
          expect(r.status).toBe(0);
          expect(r.outputs).toContain(
            'log-source=s3://lattice-cost-report-logs-111122223333-eu-west-1/lattice/',
          );
          expect(r.outputs).toContain('athena-workgroup=lattice-cost-report');
          expect(r.outputs).toContain('athena-database=lattice_cost_report');
          expect(r.outputs).toContain('athena-table=access_logs');
          expect(r.summary).toContain(
            '`log-source: s3://lattice-cost-report-logs-111122223333-eu-west-1/lattice/`',
          );
        } finally {
          cleanup(r);
        }
      });

      it('explains a failed deployment with the failed resources', () => {
        const step = findStep('provision.yml', /explain/i);
        expect(step.if).toBe("failure() && steps.deploy.outcome == 'failure'");
        const r = runStep('provision.yml', /explain/i, {
          ...JOB_ENV,
          FAKE_EVENTS:
            'AnomalyMonitor\\tAWS::CE::AnomalyMonitor\\tCREATE_FAILED\\tLimit exceeded on dimensional spend monitor creation\\n',
        });
        try {
          expect(r.status).toBe(0);
          expect(r.summary).toContain(
            '| AnomalyMonitor | AWS::CE::AnomalyMonitor | CREATE_FAILED | Limit exceeded on dimensional spend monitor creation |',
          );
        } finally {
          cleanup(r);
        }
      });

      it('checks out the template from template-repository@template-ref when called from elsewhere', () => {
        const checkout = stepsOf(only('provision.yml')[1]).find((s) =>
          s.uses?.startsWith('actions/checkout@'),
        )!;
        const w = obj(checkout.with, 'checkout with');
        expect(w.repository).toBe('${{ inputs.template-repository || github.repository }}');
        expect(w.ref).toBe('${{ inputs.template-ref }}');
        expect(w['persist-credentials']).toBe(false);
      });
    });
  });
});
