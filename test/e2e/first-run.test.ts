/**
 * A first run that cannot reach AWS, with the bundled action (and the CLI where its wording
 * differs): no credentials at all, a role whose trust policy refuses the job's token, and a region
 * whose endpoints do not resolve. Each failure must say which setting to change.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lookup } from 'node:dns/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ActionRun,
  type ActionRunner,
  createActionRunner,
  scheduleEvent,
} from '../helpers/action-runner.js';
import { runCli } from '../helpers/bundle.js';
import { Cleanup, allSettledOrThrow } from '../helpers/cleanup.js';
import { type OidcServer, startOidcServer } from '../helpers/oidc.js';
import { type ActionsCacheServer, startActionsCacheServer } from '../servers/actions-cache.js';
import { type FaultProxy, startFaultProxy, stsError } from '../servers/fault-proxy.js';
import { type MotoServer, startMoto } from '../servers/moto.js';

const cleanup = new Cleanup();
let runner: ActionRunner;
let oidc: OidcServer;
let moto: MotoServer;
let sts: FaultProxy;
let cacheServer: ActionsCacheServer;
/** Where no AWS config or credentials file exists. */
let empty: string;

const ROLE = 'arn:aws:iam::123456789012:role/lattice-report';
const BASE = { 'service-network': 'analytics-mesh', 'lookback-days': '1' };
/** Well-formed (config.ts accepts it) but no AWS region: its endpoint names do not resolve. */
const NO_REGION = 'us-east-7';

beforeAll(async () => {
  [runner, oidc, moto, cacheServer] = await allSettledOrThrow([
    cleanup.track(createActionRunner(), (r) => r.close()),
    cleanup.track(startOidcServer(), (o) => o.close()),
    cleanup.track(startMoto(), (m) => m.stop()),
    cleanup.track(startActionsCacheServer(), (c) => c.close()),
  ]);
  sts = await cleanup.track(startFaultProxy(moto.url), (p) => p.close());
  empty = await cleanup.track(mkdtemp(join(tmpdir(), 'lattice-first-run-')), (dir) =>
    rm(dir, { recursive: true, force: true }),
  );
}, 60_000);

afterAll(() => cleanup.close());

/** No credentials from this machine: no config files, no instance metadata, no keys. */
function bareEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: empty,
    AWS_CONFIG_FILE: join(empty, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(empty, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

function run(inputs: Record<string, string>, env: NodeJS.ProcessEnv): Promise<ActionRun> {
  return runner.run({ inputs: { ...BASE, ...inputs }, event: scheduleEvent(), env });
}

/** The `::error::` line: what the runner shows as the step's annotation. */
function errorLine(r: ActionRun): string {
  const line = r.stdout.split('\n').find((l) => l.startsWith('::error::'));
  expect(line).toBeDefined();
  return line!;
}

const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|<anonymous>\)?)$/m;

function expectNoStack(r: { stdout: string; stderr: string }): void {
  expect(r.stdout).not.toMatch(STACK_FRAME);
  expect(r.stderr).not.toMatch(STACK_FRAME);
}

describe('no credentials at all', () => {
  // With the Actions cache the first AWS call is GetCallerIdentity (the cache is per account),
  // without it ListServiceNetworks: the message is the same.
  it.each([
    ['without', () => ({}), false],
    ['with', () => ({ ACTIONS_CACHE_URL: cacheServer.url, ACTIONS_RUNTIME_TOKEN: cacheServer.token }), true],
  ])(
    'the action names role-to-assume and id-token: write (%s the Actions cache)',
    async (_, cache, cached) => {
      const before = cacheServer.requests.length;
      const r = await run({ 'aws-region': 'us-east-1' }, bareEnv(cache()));
      expect(cacheServer.requests.length > before).toBe(cached);
      expect(r.code).toBe(1);
      const error = errorLine(r);
      expect(error).toContain('No AWS credentials');
      expect(error).toContain('`role-to-assume`');
      expect(error).toContain('`permissions: id-token: write`');
      expect(error).toContain('aws-actions/configure-aws-credentials');
      expect(r.summary).toContain('role-to-assume');
      expect(r.summary).toContain('permissions: id-token: write');
      expectNoStack(r);
    },
    30_000,
  );

  it('the CLI names a profile or access keys instead', async () => {
    const r = await runCli(
      ['analyze', '--aws', '--region', 'us-east-1', '--service-network', 'analytics-mesh'],
      { env: bareEnv() },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: No AWS credentials: the AWS SDK's default chain found none/);
    expect(r.stderr).toContain('AWS_PROFILE');
    expect(r.stderr).toContain('AWS_ACCESS_KEY_ID');
    expect(r.stderr).not.toContain('role-to-assume');
    expectNoStack(r);
  }, 30_000);
});

describe('STS refuses the job token', () => {
  const withRole = (): NodeJS.ProcessEnv =>
    bareEnv({
      AWS_ENDPOINT_URL_STS: sts.url,
      ACTIONS_ID_TOKEN_REQUEST_URL: oidc.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.token,
    });

  /** Neither the token nor any of its three parts is shown; ::add-mask:: is how core masks it. */
  function expectNoToken(r: ActionRun, token: string): void {
    const shown = [r.stdout.replace(/^::add-mask::.*$/gm, ''), r.stderr, r.summary].join('\n');
    for (const part of token.split('.').filter(Boolean)) expect(shown).not.toContain(part);
  }

  it('AccessDenied names the sub and aud the trust policy must allow', async () => {
    oidc.claims = {};
    sts.inject(stsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity'));
    const r = await run({ 'aws-region': 'us-east-1', 'role-to-assume': ROLE }, withRole());
    expect(r.code).toBe(1);
    const error = errorLine(r);
    expect(error).toContain(`Could not assume ${ROLE} with GitHub OIDC`);
    expect(error).toContain('AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity');
    expect(error).toContain(
      'token.actions.githubusercontent.com:sub = `repo:octo-org/octo-repo:ref:refs/heads/main`',
    );
    expect(error).toContain('token.actions.githubusercontent.com:aud = `sts.amazonaws.com`');
    expect(error).toContain('repository = `octo-org/octo-repo`');
    expect(r.summary).toContain('repo:octo-org/octo-repo:ref:refs/heads/main');
    expectNoToken(r, oidc.tokens.at(-1)!);
    expectNoStack(r);
  }, 30_000);

  it('InvalidIdentityToken names the identity provider, the audience and an environment subject', async () => {
    oidc.claims = { sub: 'repo:octo-org/octo-repo:environment:production', environment: 'production' };
    sts.inject(stsError('InvalidIdentityToken', 'Incorrect token audience'));
    try {
      const r = await run(
        { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, audience: 'lattice-report' },
        withRole(),
      );
      expect(r.code).toBe(1);
      const error = errorLine(r);
      expect(error).toContain('InvalidIdentityTokenException: Incorrect token audience');
      expect(error).toContain(
        'IAM OIDC identity provider for https://token.actions.githubusercontent.com whose audiences include lattice-report',
      );
      expect(error).toContain(
        'token.actions.githubusercontent.com:sub = `repo:octo-org/octo-repo:environment:production`',
      );
      expect(error).toContain('token.actions.githubusercontent.com:aud = `lattice-report`');
      expect(error).toContain('environment = `production`');
      expectNoToken(r, oidc.tokens.at(-1)!);
    } finally {
      oidc.claims = {};
    }
  }, 30_000);
});

describe('a region whose endpoints do not resolve', () => {
  beforeAll(async () => {
    // These tests need a resolver that answers "no such name" for AWS hosts (this machine has no
    // other network; 0.1 s when measured). A resolver that answers with an address, or takes
    // seconds per name (the SDK tries six times), makes them meaningless or slow: say so plainly.
    const started = performance.now();
    // Duck-typed: the error comes from Node's realm, not the test's.
    const answer = await lookup(`vpc-lattice.${NO_REGION}.amazonaws.com`).then(
      (found) => found.address,
      (error: { code?: string }) => error.code,
    );
    const seconds = (performance.now() - started) / 1000;
    if (answer !== 'ENOTFOUND' || seconds > 3) {
      throw new Error(
        `DNS answered vpc-lattice.${NO_REGION}.amazonaws.com with ${answer} after ` +
          `${seconds.toFixed(1)} s; these tests need a fast "not found" (ENOTFOUND).`,
      );
    }
  }, 10_000);

  const keys = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

  it('names aws-region when the first call (VPC Lattice) cannot resolve its endpoint', async () => {
    const r = await run({ 'aws-region': NO_REGION }, bareEnv(keys));
    expect(r.code).toBe(1);
    const error = errorLine(r);
    expect(error).toContain(`No AWS endpoint for region ${NO_REGION}`);
    expect(error).toContain(`vpc-lattice.${NO_REGION}.amazonaws.com does not resolve`);
    expect(error).toContain('`aws-region`');
    expect(r.summary).toContain('aws-region');
    expectNoStack(r);
  }, 30_000);

  it('names aws-region when STS cannot be reached for the role', async () => {
    const r = await run(
      { 'aws-region': NO_REGION, 'role-to-assume': ROLE },
      bareEnv({ ACTIONS_ID_TOKEN_REQUEST_URL: oidc.url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.token }),
    );
    expect(r.code).toBe(1);
    const error = errorLine(r);
    expect(error).toContain(`No AWS endpoint for region ${NO_REGION}: sts.${NO_REGION}.amazonaws.com`);
    expect(error).toContain('`aws-region`');
    expect(error).not.toContain('trust policy');
  }, 30_000);

  it('names the AWS_ENDPOINT_URL_* variable when an override does not resolve', async () => {
    // .invalid never resolves (RFC 6761).
    const r = await run(
      { 'aws-region': 'us-east-1' },
      bareEnv({ ...keys, AWS_ENDPOINT_URL_VPC_LATTICE: 'http://lattice.invalid:4566' }),
    );
    expect(r.code).toBe(1);
    const error = errorLine(r);
    expect(error).toContain('The endpoint in AWS_ENDPOINT_URL_VPC_LATTICE cannot be reached');
    expect(error).toContain('lattice.invalid does not resolve');
    expect(error).not.toContain('aws-region');
  }, 30_000);

  it('the CLI names --region', async () => {
    const r = await runCli(
      ['analyze', '--aws', '--region', NO_REGION, '--service-network', 'analytics-mesh'],
      { env: bareEnv(keys) },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: No AWS endpoint for region ${NO_REGION}`);
    expect(r.stderr).toContain('--region (or AWS_REGION)');
    expectNoStack(r);
  }, 30_000);
});
