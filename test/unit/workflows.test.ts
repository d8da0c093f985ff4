/**
 * The workflows and action.yml, checked with GitHub's own parser (@actions/workflow-parser, loaded
 * through test/helpers/workflow-parser.ts), plus the properties users rely on: least-privilege
 * permissions per job, the fork guard, the path filter, the release tag filter, and the release
 * workflow's shell steps run for real against sample files.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
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
  const [jobId, job] = Object.entries(jobsOf(wf))[0]!;
  const steps = stepsOf(job);
  const step = (name: RegExp): RawStep => {
    const found = steps.find((s) => name.test(s.name ?? s.run ?? s.uses ?? ''));
    if (!found) throw new Error(`release.yml: no step matching ${name}`);
    return found;
  };
  const runIndex = (pattern: RegExp): number => steps.findIndex((s) => pattern.test(s.run ?? ''));

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

  it('may write contents and nothing else', () => {
    expect(wf.permissions).toEqual({ contents: 'write' });
    expect(Object.keys(jobsOf(wf))).toEqual([jobId]);
    expect(job.permissions).toBeUndefined();
  });

  it('checks out full history and uses .node-version', () => {
    const checkout = step(/^actions\/checkout@/);
    expect(obj(checkout.with, 'checkout with')['fetch-depth']).toBe(0);
    const setupNode = step(/^actions\/setup-node@/);
    expect(obj(setupNode.with, 'setup-node with')['node-version-file']).toBe('.node-version');
  });

  it('checks, then releases, then moves the major tag, in that order', () => {
    const order = [
      runIndex(/^npm ci$/m),
      runIndex(/package_version/),
      runIndex(/npm run build[\s\S]*git diff/),
      runIndex(/CHANGELOG\.md/),
      runIndex(/gh release create/),
      runIndex(/git push --force origin/),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const create = steps[runIndex(/gh release create/)]!;
    expect(obj(create.env, 'create env').GH_TOKEN).toBe('${{ github.token }}');
    expect(create.run).toContain('--notes-file');
    expect(create.run).toContain('--verify-tag');
  });

  describe('its shell steps, run against sample files', () => {
    const runStep = (name: RegExp, dir: string, tag: string): { status: number | null; out: string } => {
      const script = step(name).run!;
      const result = spawnSync('bash', ['-e', '-c', script], {
        cwd: dir,
        env: { PATH: process.env.PATH, TAG: tag, RUNNER_TEMP: dir },
        encoding: 'utf8',
      });
      return { status: result.status, out: `${result.stdout}${result.stderr}` };
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
        expect(runStep(/Release notes/, dir, 'v1.2.0').status).toBe(0);
        expect(readFileSync(join(dir, 'release-notes.md'), 'utf8')).toBe(
          '### Added\n\n- The `fail-on` input.\n',
        );
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
