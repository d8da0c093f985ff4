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
  r = await runner.run({
    inputs: {
      'aws-region': REGION,
      'role-to-assume': 'arn:aws:iam::123456789012:role/lattice-report',
      'service-network': NETWORK,
      'lookback-days': '7',
      'end-date': DEMO_END,
      'publish-to': 'pr-comment',
      'cost-increase-above': '100',
      cache: 'false',
    },
    event: pullRequestEvent(pull),
    env: {
      ...world.env,
      GITHUB_API_URL: github.url,
      GITHUB_GRAPHQL_URL: github.graphqlUrl,
      ACTIONS_ID_TOKEN_REQUEST_URL: oidc.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.token,
    },
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

  it('reads only the infrastructure files, through the pull request API', () => {
    const contents = github.requests.filter((q) => q.path.includes('/contents/'));
    expect(contents.map((q) => decodeURIComponent(q.path.split('/contents/')[1]!))).toEqual([
      'infra/lattice.yaml',
      'infra/lattice.yaml',
    ]);
  });
});
