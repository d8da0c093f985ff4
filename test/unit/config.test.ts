import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { INPUT_DEFAULTS, type InputName, readConfig } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';

const action = parse(await readFile('action.yml', 'utf8')) as {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
};

function config(inputs: Partial<Record<InputName, string>>) {
  return readConfig((name) => inputs[name] ?? '');
}

describe('action.yml and config.ts', () => {
  it('declare the same inputs with the same defaults', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.keys(INPUT_DEFAULTS).sort());
    for (const [name, spec] of Object.entries(action.inputs)) {
      if (name === 'github-token') expect(spec.default).toBe('${{ github.token }}');
      else expect([name, spec.default ?? '']).toEqual([name, INPUT_DEFAULTS[name as InputName]]);
      expect(spec.description.length).toBeGreaterThan(10);
    }
  });

  it('are all documented in the README tables', async () => {
    const readme = await readFile('README.md', 'utf8');
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)]) {
      expect([name, new RegExp(`^\\| \`${name}\` +\\|`, 'm').test(readme)]).toEqual([name, true]);
    }
  });

  it('declare the outputs of DESIGN §3, and what each publish did', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(
      [
        'bytes-scanned',
        'comment-id',
        'comment-result',
        'issue-result',
        'monthly-cost-delta',
        'changed-resources',
        'critical-count',
        'findings-count',
        'issue-number',
        'report-json',
        'report-markdown',
        'total-cost',
      ].sort(),
    );
  });
});

describe('readConfig', () => {
  it('applies the defaults', () => {
    const c = config({ 'aws-region': 'us-east-1', 'service-network': 'mesh' });
    expect(c).toMatchObject({
      region: 'us-east-1',
      audience: 'sts.amazonaws.com',
      roleSessionName: 'GitHubActions',
      roleDurationSeconds: 3600,
      lookbackDays: 7,
      costMetric: 'UnblendedCost',
      commentBehavior: 'update',
      failOn: 'never',
      publishMetrics: false,
      reportDir: 'lattice-cost-report',
      issueLabels: ['lattice-cost-report'],
    });
    expect([...c.publishTo]).toEqual(['summary']);
    expect(c.thresholds).toMatchObject({ latencyP99Ms: 500, errorRatePercent: 1, idleRequestsPerDay: 100 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('covers one account and region by default, and reads regions and accounts', () => {
    const single = config({ 'aws-region': 'us-east-1', 'service-network': 'mesh' });
    expect(single).toMatchObject({
      regions: ['us-east-1'],
      accounts: [],
      memberRoleName: 'lattice-cost-report-member',
      costSource: 'each-account',
    });
    const fleet = config({
      'aws-region': 'us-east-1',
      'service-network': 'mesh',
      regions: 'eu-west-1, us-east-1\nap-south-1',
      accounts: [
        '111111111111',
        '222222222222 payments team',
        '# a comment',
        '333333333333=arn:aws:iam::333333333333:role/custom search',
      ].join('\n'),
      'cost-source': 'payer',
      'fail-on': 'partial',
    });
    expect(fleet.regions).toEqual(['us-east-1', 'eu-west-1', 'ap-south-1']);
    expect(fleet.accounts).toEqual([
      { id: '111111111111' },
      { id: '222222222222', label: 'payments team' },
      { id: '333333333333', roleArn: 'arn:aws:iam::333333333333:role/custom', label: 'search' },
    ]);
    expect(fleet).toMatchObject({ costSource: 'payer', failOn: 'partial' });
    expect(
      config({ 'aws-region': 'us-east-1', 'service-network': 'mesh', accounts: 'organization' }).accounts,
    ).toBe('organization');
  });

  it('names each bad account line, region and role name', () => {
    expect(() =>
      config({
        'aws-region': 'us-east-1',
        'service-network': 'mesh',
        regions: 'mars-1',
        accounts: '1234\n222222222222=arn:aws:iam::999999999999:role/x\n111111111111\n111111111111',
        'member-role-name': 'no spaces allowed',
        'cost-source': 'mine',
      }),
    ).toThrow(
      [
        'Input regions has "mars-1", which is not an AWS region name such as eu-west-1.',
        'Input accounts has "1234": each line is a 12-digit account id, optionally =ROLE_ARN and a label.',
        'Input accounts has "222222222222=arn:aws:iam::999999999999:role/x": the role must be an IAM role ARN in account 222222222222.',
        'Input accounts lists 111111111111 twice.',
        'Input member-role-name must be an IAM role name (got "no spaces allowed").',
        'Input cost-source must be one of each-account, payer (got "mine").',
      ].join('\n'),
    );
  });

  it('parses lists and numbers', () => {
    const c = config({
      'aws-region': 'eu-west-1',
      'log-group-names': '/a, /b\n/c',
      'publish-to': 'summary, issue,pr-comment',
      'github-token': 'ghs_x',
      'latency-p99-ms': '250.5',
      'publish-metrics': 'TRUE',
    });
    expect(c.logGroupNames).toEqual(['/a', '/b', '/c']);
    expect([...c.publishTo]).toEqual(['summary', 'issue', 'pr-comment']);
    expect(c.thresholds.latencyP99Ms).toBe(250.5);
    expect(c.publishMetrics).toBe(true);
  });

  it.each([
    [{ 'aws-region': '' }, 'Input aws-region is required'],
    [{ 'aws-region': 'Europe' }, 'Input aws-region must be an AWS region name'],
    [{ 'lookback-days': '7.5' }, 'Input lookback-days must be a whole number from 1 to 90'],
    [{ 'lookback-days': '0' }, 'Input lookback-days must be a whole number from 1 to 90'],
    [{ 'end-date': '2026-02-30' }, 'Input end-date must be a date as YYYY-MM-DD'],
    [
      { 'comment-behavior': 'replace' },
      'Input comment-behavior must be one of update, new, delete-and-new, hide-and-new',
    ],
    [{ 'publish-to': 'summary,email' }, 'Input publish-to has an unknown target "email"'],
    [{ 'fail-on': 'error' }, 'Input fail-on must be one of never, warning, critical'],
    [{ 'role-to-assume': 'lattice-report' }, 'Input role-to-assume must be an IAM role ARN'],
    [
      { 'role-duration-seconds': '60' },
      'Input role-duration-seconds must be a whole number from 900 to 43200',
    ],
    [{ 'cost-metric': 'Unblended' }, 'Input cost-metric must be one of'],
    [{ 'latency-p99-ms': 'fast' }, 'Input latency-p99-ms must be a non-negative number'],
    [{ 'publish-metrics': 'yes' }, 'Input publish-metrics must be true or false'],
    [{ 'service-network': '' }, 'Input service-network or log-group-names must be set'],
    [{ 'publish-to': 'issue', 'github-token': '' }, 'Input github-token is empty'],
  ] as Array<[Partial<Record<InputName, string>>, string]>)('names the input: %j', (inputs, message) => {
    const attempt = () => config({ 'aws-region': 'us-east-1', 'service-network': 'mesh', ...inputs });
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });

  it('reads the log source: CloudWatch by default, an S3 location as a folder, or auto', () => {
    const base = { 'aws-region': 'us-east-1', 'service-network': 'mesh' };
    expect(config(base).logSource).toEqual({ kind: 'cloudwatch' });
    expect(config({ ...base, 'log-source': 'auto' }).logSource).toEqual({ kind: 'auto' });
    expect(config({ ...base, 'log-source': 's3://my-logs' }).logSource).toEqual({
      kind: 's3',
      location: { bucket: 'my-logs', prefix: '' },
    });
    expect(config({ ...base, 'log-source': 's3://my-logs/lattice/prod' }).logSource).toEqual({
      kind: 's3',
      location: { bucket: 'my-logs', prefix: 'lattice/prod/' },
    });
    // The logs name the services: no network needed to read a bucket.
    expect(config({ 'aws-region': 'us-east-1', 'log-source': 's3://my-logs/x/' }).logSource).toMatchObject({
      kind: 's3',
      location: { prefix: 'x/' },
    });
    expect(config(base).athena).toEqual({
      workGroup: 'lattice-cost-report',
      database: 'lattice_cost_report',
      table: 'access_logs',
      createTable: false,
      directReadMb: 0,
    });
    expect(
      config({ ...base, 'athena-table': 'logs_v2', 'create-athena-table': 'true', 's3-direct-read-mb': '64' })
        .athena,
    ).toMatchObject({ table: 'logs_v2', createTable: true, directReadMb: 64 });
  });

  it.each([
    [{ 'log-source': 's3:/x' }, 'Input log-source must be cloudwatch, auto, or the S3 location'],
    [{ 'log-source': 's3://Bad_Bucket/p' }, 'Input log-source must be'],
    [{ 'log-source': 'https://x.s3.amazonaws.com/p' }, 'Input log-source must be'],
    [{ 'log-source': 's3://b-1/a,b' }, 'Input log-source must be'],
    [
      { 'log-source': 's3://b-1/p', 'log-group-names': 'g' },
      'Input log-group-names is for log-source cloudwatch',
    ],
    [
      { 'log-source': 'auto', 'service-network': '' },
      'Input service-network is required with log-source auto',
    ],
    [{ 'athena-table': 'Access-Logs' }, 'Input athena-table must be lower-case letters'],
    [{ 'athena-workgroup': 'my group' }, 'Input athena-workgroup must be an Athena workgroup name'],
    [{ 's3-direct-read-mb': '20000' }, 'Input s3-direct-read-mb must be at most 10240'],
  ] as Array<[Partial<Record<InputName, string>>, string]>)(
    'names the log-source problem: %j',
    (inputs, message) => {
      const attempt = () => config({ 'aws-region': 'us-east-1', 'service-network': 'mesh', ...inputs });
      expect(attempt).toThrow(UsageError);
      expect(attempt).toThrow(message);
    },
  );

  it('reports every problem at once', () => {
    expect(() =>
      config({ 'aws-region': 'x', 'lookback-days': 'x', 'fail-on': 'x', 'service-network': 'm' }),
    ).toThrow(/aws-region[\s\S]*lookback-days[\s\S]*fail-on/);
  });
});
