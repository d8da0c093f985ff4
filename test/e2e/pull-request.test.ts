/**
 * The bundled action on a pull_request whose CloudFormation template removes the idle service and
 * adds a new one: the sticky comment leads with the change impact, priced from the live report.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../../src/model/report.js';
import {
  type ActionRun,
  type ActionRunner,
  createActionRunner,
  pullRequestEvent,
} from '../helpers/action-runner.js';
import { type AwsWorld, DEMO_END, NETWORK, REGION, startAwsWorld } from '../helpers/aws-world.js';
import { Cleanup, allSettledOrThrow } from '../helpers/cleanup.js';
import { type OidcServer, startOidcServer } from '../helpers/oidc.js';
import { type GitHubServer, startGitHubServer } from '../servers/github.js';

const cleanup = new Cleanup();
let world: AwsWorld;
let github: GitHubServer;
let oidc: OidcServer;
let runner: ActionRunner;

/** The infrastructure before: the network, the idle `legacy-reports` and its association. */
const BASE = `AWSTemplateFormatVersion: '2010-09-09'
Description: Lattice services of the analytics team
Parameters:
  NetworkName:
    Type: String
    Default: ${NETWORK}
Resources:
  Network:
    Type: AWS::VpcLattice::ServiceNetwork
    Properties:
      Name: !Ref NetworkName
      AuthType: AWS_IAM
  LegacyReports:
    Type: AWS::VpcLattice::Service
    Properties:
      Name: legacy-reports
      AuthType: AWS_IAM
  LegacyReportsInNetwork:
    Type: AWS::VpcLattice::ServiceNetworkServiceAssociation
    Properties:
      ServiceNetworkIdentifier: !Ref Network
      ServiceIdentifier: !GetAtt LegacyReports.Arn
`;

/** After: legacy-reports and its association gone, orders-v2 added to the network. */
const HEAD = `AWSTemplateFormatVersion: '2010-09-09'
Description: Lattice services of the analytics team
Parameters:
  NetworkName:
    Type: String
    Default: ${NETWORK}
Resources:
  Network:
    Type: AWS::VpcLattice::ServiceNetwork
    Properties:
      Name: !Ref NetworkName
      AuthType: AWS_IAM
  OrdersV2:
    Type: AWS::VpcLattice::Service
    Properties:
      Name: !Sub '\${NetworkName}-orders-v2'
      AuthType: AWS_IAM
  OrdersV2InNetwork:
    Type: AWS::VpcLattice::ServiceNetworkServiceAssociation
    Properties:
      ServiceNetworkIdentifier: !Ref Network
      ServiceIdentifier: !Ref OrdersV2
`;

let pull: number;
let r: ActionRun;
let env: NodeJS.ProcessEnv;
const INPUTS = {
  'aws-region': REGION,
  'role-to-assume': 'arn:aws:iam::123456789012:role/lattice-report',
  'service-network': NETWORK,
  'lookback-days': '7',
  'end-date': DEMO_END,
  'publish-to': 'pr-comment',
  cache: 'false',
};

beforeAll(async () => {
  [world, github, oidc, runner] = await allSettledOrThrow([
    cleanup.track(startAwsWorld({ logFile: false }), (w) => w.close()),
    cleanup.track(startGitHubServer(), (g) => g.close()),
    cleanup.track(startOidcServer(), (o) => o.close()),
    cleanup.track(createActionRunner(), (a) => a.close()),
  ]);
  pull = github.seedPullRequest({
    title: 'Retire legacy-reports, add orders-v2',
    base: { files: { 'infra/lattice.yaml': BASE, 'README.md': '# app\n' } },
    head: { files: { 'infra/lattice.yaml': HEAD, 'README.md': '# app, now with orders\n' } },
  }).number;
  env = {
    ...world.env,
    GITHUB_API_URL: github.url,
    GITHUB_GRAPHQL_URL: github.graphqlUrl,
    ACTIONS_ID_TOKEN_REQUEST_URL: oidc.url,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.token,
  };
  r = await runner.run({
    inputs: { ...INPUTS, 'cost-increase-above': '100' },
    event: pullRequestEvent(pull),
    env,
    token: github.token,
  });
}, 180_000);

afterAll(() => cleanup.close());

describe('the pull-request comment prices the pull request', () => {
  it('leads with the change impact, the saving equal to the idle service monthly cost', async () => {
    expect([r.code, r.stderr]).toEqual([0, '']);
    const report = JSON.parse(await readFile(join(r.workspace, r.outputs['report-json']!), 'utf8')) as Report;
    const legacy = report.services.find((s) => s.name === 'legacy-reports')!;
    const idle = report.findings.find((f) => f.kind === 'idle-service' && f.service === legacy.arn)!;
    expect(idle.estimatedMonthlySavings).toBeGreaterThan(0);
    const hourly = report.costBasis.prices[REGION]!.serviceHour;
    const added = Math.round(hourly * 730 * 100) / 100;

    const comment = github.commentsOn(pull).find((c) => String(c.id) === r.outputs['comment-id'])!;
    expect(comment.body.startsWith('### VPC Lattice changes in this pull request')).toBe(true);
    const rows = comment.body.split('\n').filter((line) => /^\| (➕|➖|✏️) \|/.test(line));
    expect(rows).toHaveLength(4);
    const removed = rows.find((row) => row.includes('Removed service') && row.includes('`legacy-reports`'))!;
    expect(removed).toContain(`**-$${idle.estimatedMonthlySavings!.toFixed(2)}/mo**`);
    expect(rows.find((row) => row.includes('Added service'))).toContain(`\`${NETWORK}-orders-v2\``);
    expect(comment.body).toContain('<summary>The full report</summary>');
    expect(comment.body).toContain(`<!-- lattice-cost-report:${NETWORK}.${REGION}.`);

    const delta = Math.round((added - idle.estimatedMonthlySavings!) * 100) / 100;
    expect(r.outputs['monthly-cost-delta']).toBe(delta.toFixed(2));
    expect(r.outputs['changed-resources']).toBe('4');
    expect(comment.body).toContain(
      `**This pull request: ${delta < 0 ? '-' : '+'}$${Math.abs(delta).toFixed(2)}/mo**`,
    );
  });

  it('cost-increase-above fails the step when the changes add more than that a month', async () => {
    // Another pull request that only adds orders-v2: +1 service-month at list price.
    const adding = github.seedPullRequest({
      title: 'Add orders-v2',
      base: { files: { 'infra/lattice.yaml': BASE } },
      head: { files: { 'infra/lattice.yaml': `${BASE}${HEAD.slice(HEAD.indexOf('  OrdersV2:'))}` } },
    }).number;
    const gated = await runner.run({
      inputs: { ...INPUTS, 'cost-increase-above': '10' },
      event: pullRequestEvent(adding),
      env,
      token: github.token,
    });
    expect(gated.code).toBe(1);
    expect(Number(gated.outputs['monthly-cost-delta'])).toBeGreaterThan(10);
    expect(gated.stdout).toMatch(
      /::error::cost-increase-above: this pull request adds \d+\.\d\d USD\/month of VPC Lattice cost, more than 10\./,
    );
    // The comment is posted before the gate fails the step.
    expect(github.commentsOn(adding)).toHaveLength(1);
  }, 120_000);

  it('without AWS access (no OIDC token, as for a fork) still lists the changes at list prices', async () => {
    const offline = github.seedPullRequest({
      title: 'Retire legacy-reports (from a fork)',
      base: { files: { 'infra/lattice.yaml': BASE } },
      head: { files: { 'infra/lattice.yaml': HEAD } },
    }).number;
    const { ACTIONS_ID_TOKEN_REQUEST_URL: _u, ACTIONS_ID_TOKEN_REQUEST_TOKEN: _t, ...noOidc } = env;
    const run = await runner.run({
      inputs: INPUTS,
      event: pullRequestEvent(offline),
      env: noOidc,
      token: github.token,
    });
    expect([run.code, run.stderr]).toEqual([0, '']);
    const [comment] = github.commentsOn(offline);
    expect(comment!.body).toContain('Live usage was not available');
    expect(comment!.body).toContain('No AWS access for this run, so no live usage');
    expect(comment!.body).toMatch(/Added service .*\*\*\+\$18\.25\/mo\*\* at the us-east-1 list price/);
    expect(run.outputs['monthly-cost-delta']).toBe('18.25');
    expect(run.stdout).toMatch(/::warning::No AWS access for this run/);
  }, 120_000);

  it('reads only the infrastructure files, through the pull request API', () => {
    const contents = github.requests.filter((q) => q.path.includes('/contents/'));
    const paths = contents.map((q) => decodeURIComponent(q.path.split('/contents/')[1]!));
    // Base and head of the template on each run; README.md is not infrastructure.
    expect(paths.length).toBeGreaterThanOrEqual(2);
    expect(new Set(paths)).toEqual(new Set(['infra/lattice.yaml']));
  });
});
