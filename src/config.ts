/**
 * Settings, read once and validated into typed values: the action's inputs (readConfig) and the
 * command line's flags (the CLI builds a SettingsReader over its flags). Both use the same checks,
 * so a value means the same thing and fails with the same words in either place. Every problem
 * names the input or flag and the fix, and all are reported together, before any AWS call.
 */
import { checkDay } from './analysis/window.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './analysis/thresholds.js';
import { UsageError } from './errors.js';
import { isRegionName } from './model/names.js';
import type { AccountSpec, AthenaSettings, AwsSettings, CostSource, LogSource } from './pipeline/aws.js';
import { COMMENT_BEHAVIORS, type CommentBehavior } from './publish/comment.js';

type PublishTarget = 'summary' | 'issue' | 'pr-comment';
type FailOn = 'never' | 'warning' | 'critical' | 'partial';

export interface Config extends AwsSettings {
  roleToAssume?: string;
  audience: string;
  roleSessionName: string;
  roleDurationSeconds: number;
  publishTo: ReadonlySet<PublishTarget>;
  issueTitle: string;
  issueLabels: string[];
  commentBehavior: CommentBehavior;
  githubToken: string;
  failOn: FailOn;
  publishMetrics: boolean;
  reportDir: string;
  cache: boolean;
  settlingDays: number;
  /** Globs of the infrastructure files whose Lattice changes a pull request's comment prices. */
  iacPaths: string[];
  terraformPlanJson?: string;
  /** Fail when a pull request adds more than this, USD per month. */
  costIncreaseAbove?: number;
}

/** The defaults of action.yml; a test keeps the two in step. */
export const INPUT_DEFAULTS = {
  'aws-region': '',
  regions: '',
  accounts: '',
  'member-role-name': 'lattice-cost-report-member',
  'cost-source': 'each-account',
  'role-to-assume': '',
  audience: 'sts.amazonaws.com',
  'role-session-name': 'GitHubActions',
  'role-duration-seconds': '3600',
  'service-network': '',
  'log-group-names': '',
  'log-source': 'cloudwatch',
  'athena-workgroup': 'lattice-cost-report',
  'athena-database': 'lattice_cost_report',
  'athena-table': 'access_logs',
  'create-athena-table': 'false',
  's3-direct-read-mb': '0',
  'lookback-days': '7',
  'end-date': '',
  'cost-metric': 'UnblendedCost',
  'cost-tag-key': '',
  'latency-p99-ms': String(DEFAULT_THRESHOLDS.latencyP99Ms),
  'error-rate-percent': String(DEFAULT_THRESHOLDS.errorRatePercent),
  'idle-requests-per-day': String(DEFAULT_THRESHOLDS.idleRequestsPerDay),
  'publish-to': 'summary',
  'issue-title': 'VPC Lattice cost & performance report',
  'issue-labels': 'lattice-cost-report',
  'comment-behavior': 'update',
  'github-token': '',
  'fail-on': 'never',
  'publish-metrics': 'false',
  'report-dir': 'lattice-cost-report',
  cache: 'true',
  'settling-days': '1',
  'iac-paths': '',
  'terraform-plan-json': '',
  'cost-increase-above': '',
} as const;

export type InputName = keyof typeof INPUT_DEFAULTS;

/** The window's length in whole days, for the action and the command line. */
const LOOKBACK_DAYS = { min: 1, max: 90 } as const;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\-/]{1,512}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const LOG_GROUP = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const COST_METRICS = [
  'UnblendedCost',
  'AmortizedCost',
  'BlendedCost',
  'NetUnblendedCost',
  'NetAmortizedCost',
] as const;
const TARGETS: readonly PublishTarget[] = ['summary', 'issue', 'pr-comment'];
const FAIL_ON: readonly FailOn[] = ['never', 'warning', 'critical', 'partial'];
const COST_SOURCES: readonly CostSource[] = ['each-account', 'payer'];
const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** S3 bucket naming rules (S3 User Guide, "General purpose bucket naming rules"): 3-63 characters. */
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;
/** Athena WorkGroup names (API reference, StartQueryExecution: WorkGroup pattern). */
const WORKGROUP = /^[a-zA-Z0-9._-]{1,128}$/;
/** Athena reads lower-case names of letters, digits and underscores ("Names for tables, databases, and columns"). */
const ATHENA_NAME = /^[a-z0-9_]{1,255}$/;
/** A day read on the runner is at most this big: past it Athena is the faster and cheaper engine. */
const MAX_DIRECT_READ_MB = 10_240;
/** An account label is shown in the report; long enough for a team's name. */
const MAX_LABEL_CHARS = 64;

/** A comma- or newline-separated list, trimmed, without empty items. */
function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * Reads named settings and collects every problem. `get` returns the raw value, or undefined or
 * '' when the setting is absent (its default then applies); `label` is how the user wrote the name
 * ("Input lookback-days", "--lookback-days").
 */
export class SettingsReader<Name extends string> {
  readonly problems: string[] = [];

  constructor(
    private readonly get: (name: Name) => string | undefined,
    private readonly label: (name: Name) => string,
    private readonly defaults: Partial<Record<Name, string>> = {},
  ) {}

  problem(name: Name, message: string): void {
    this.problems.push(`${this.label(name)} ${message}`);
  }

  /** The trimmed value, or the default when it is empty. */
  text(name: Name): string {
    const value = (this.get(name) ?? '').trim();
    return value === '' ? (this.defaults[name] ?? '') : value;
  }

  optional(name: Name): string | undefined {
    return this.text(name) || undefined;
  }

  list(name: Name): string[] {
    return splitList(this.text(name));
  }

  integer(name: Name, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.text(name);
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
      this.problem(name, `must be a whole number ${range} (got "${raw}").`);
    }
    return n;
  }

  number(name: Name): number {
    const raw = this.text(name);
    const n = Number(raw);
    if (raw === '' || !Number.isFinite(n) || n < 0)
      this.problem(name, `must be a non-negative number (got "${raw}").`);
    return n;
  }

  oneOf<T extends string>(name: Name, allowed: readonly T[]): T {
    const raw = this.text(name);
    if (!allowed.includes(raw as T))
      this.problem(name, `must be one of ${allowed.join(', ')} (got "${raw}").`);
    return raw as T;
  }

  boolean(name: Name): boolean {
    const raw = this.text(name).toLowerCase();
    if (raw !== 'true' && raw !== 'false') this.problem(name, `must be true or false (got "${raw}").`);
    return raw === 'true';
  }

  /** A UTC day, YYYY-MM-DD, or undefined when not given. */
  day(name: Name): string | undefined {
    const value = this.optional(name);
    try {
      checkDay(value, this.label(name));
    } catch (error) {
      this.problems.push((error as Error).message);
    }
    return value;
  }

  /** `required` says why it is needed when it must be given; `fallback` is used when it is not. */
  region(name: Name, required: string | undefined, fallback?: string): string {
    const region = this.text(name) || fallback || '';
    if (!region) {
      if (required !== undefined) this.problem(name, required);
    } else if (!isRegionName(region)) {
      this.problem(name, `must be an AWS region name such as us-east-1 (got "${region}").`);
    }
    return region;
  }

  /** Regions to cover: `home` first, then the others listed, each once. */
  regions(name: Name, home: string): string[] {
    const regions = [home];
    for (const region of this.list(name)) {
      if (!isRegionName(region))
        this.problem(name, `has "${region}", which is not an AWS region name such as eu-west-1.`);
      else if (!regions.includes(region)) regions.push(region);
    }
    return home ? regions : regions.slice(1);
  }

  /**
   * One account per line (or comma): `ID`, `ID=ROLE_ARN`, either followed by a label; or the
   * single word `organization`. Empty: the credentials' own account.
   */
  accounts(name: Name): AccountSpec[] | 'organization' {
    const lines = this.text(name)
      .split(/[\n,]/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    if (lines.length === 1 && lines[0] === 'organization') return 'organization';
    const accounts: AccountSpec[] = [];
    for (const line of lines) {
      const [first = '', ...rest] = line.split(/\s+/);
      const [id = '', roleArn] = first.split('=', 2);
      const label = rest.join(' ');
      if (!ACCOUNT_ID.test(id)) {
        this.problem(
          name,
          `has "${line}": each line is a 12-digit account id, optionally =ROLE_ARN and a label.`,
        );
        continue;
      }
      if (roleArn !== undefined && (!ROLE_ARN.test(roleArn) || roleArn.split(':')[4] !== id)) {
        this.problem(name, `has "${line}": the role must be an IAM role ARN in account ${id}.`);
        continue;
      }
      if (Array.from(label).length > MAX_LABEL_CHARS) {
        this.problem(name, `has a label longer than ${MAX_LABEL_CHARS} characters for ${id}.`);
        continue;
      }
      if (accounts.some((a) => a.id === id)) {
        this.problem(name, `lists ${id} twice.`);
        continue;
      }
      accounts.push({ id, ...(roleArn ? { roleArn } : {}), ...(label ? { label } : {}) });
    }
    return accounts;
  }

  roleName(name: Name): string {
    const role = this.text(name);
    if (!ROLE_NAME.test(role)) this.problem(name, `must be an IAM role name (got "${role}").`);
    return role;
  }

  costSource(name: Name): CostSource {
    return this.oneOf(name, COST_SOURCES);
  }

  logGroupNames(name: Name): string[] {
    const names = this.list(name);
    for (const group of names) {
      if (!LOG_GROUP.test(group)) this.problem(name, `has an invalid log group name "${group}".`);
    }
    return names;
  }

  /** `cloudwatch`, `auto`, or `s3://BUCKET[/PREFIX]` (the prefix taken as a folder). */
  logSource(name: Name): LogSource {
    const raw = this.text(name);
    if (raw === 'cloudwatch' || raw === 'auto') return { kind: raw };
    const m = S3_URI.exec(raw);
    const prefix = (m?.[2] ?? '').replace(/^\/+/, '');
    if (!m || prefix.includes('//') || /[,\p{Cc}]/u.test(prefix)) {
      this.problem(
        name,
        `must be cloudwatch, auto, or the S3 location of the access logs as s3://BUCKET/PREFIX (got "${raw}").`,
      );
      return { kind: 'cloudwatch' };
    }
    return {
      kind: 's3',
      location: { bucket: m[1]!, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` },
    };
  }

  /** Where Athena reads S3 logs, and when the runner reads a day itself. */
  athena(names: {
    workGroup: Name;
    database: Name;
    table: Name;
    create: Name;
    directReadMb: Name;
  }): AthenaSettings {
    const workGroup = this.text(names.workGroup);
    if (!WORKGROUP.test(workGroup))
      this.problem(
        names.workGroup,
        `must be an Athena workgroup name: letters, digits, . _ - (got "${workGroup}").`,
      );
    const database = this.text(names.database);
    const table = this.text(names.table);
    for (const [name, value] of [
      [names.database, database],
      [names.table, table],
    ] as const) {
      if (!ATHENA_NAME.test(value))
        this.problem(
          name,
          `must be lower-case letters, digits and underscores, as Athena names are (got "${value}").`,
        );
    }
    const directReadMb = this.number(names.directReadMb);
    if (directReadMb > MAX_DIRECT_READ_MB)
      this.problem(
        names.directReadMb,
        `must be at most ${MAX_DIRECT_READ_MB}: a bigger day is Athena's to scan (got "${directReadMb}").`,
      );
    return { workGroup, database, table, createTable: this.boolean(names.create), directReadMb };
  }

  /** The log source is compatible with the other log settings. */
  checkLogSource(
    source: LogSource,
    names: { logGroups: Name; network: Name },
    logGroups: string[],
    network?: string,
  ): void {
    if (source.kind !== 'cloudwatch' && logGroups.length > 0)
      this.problem(
        names.logGroups,
        `is for log-source cloudwatch; the access logs are read from ${source.kind === 's3' ? 'S3' : "the network's subscription"}. Remove one of the two.`,
      );
    if (source.kind === 'auto' && !network)
      this.problem(
        names.network,
        "is required with log-source auto: the network's access-log subscription names where its logs go.",
      );
  }

  lookbackDays(name: Name): number {
    return this.integer(name, LOOKBACK_DAYS.min, LOOKBACK_DAYS.max);
  }

  costMetric(name: Name): string {
    return this.oneOf(name, COST_METRICS);
  }

  /** The three thresholds the action and the CLI expose; the rest keep their defaults. */
  thresholds(names: { latency: Name; errorRate: Name; idle: Name }): Thresholds {
    return {
      ...DEFAULT_THRESHOLDS,
      latencyP99Ms: this.number(names.latency),
      errorRatePercent: this.number(names.errorRate),
      idleRequestsPerDay: this.number(names.idle),
    };
  }

  /** Throws every problem found, one per line. */
  check(): void {
    if (this.problems.length > 0) throw new UsageError(this.problems.join('\n'));
  }
}

/** The names of the Athena settings, the same as inputs and as flags. */
export const ATHENA_INPUTS = {
  workGroup: 'athena-workgroup',
  database: 'athena-database',
  table: 'athena-table',
  create: 'create-athena-table',
  directReadMb: 's3-direct-read-mb',
} as const;

/** The names of the settings the action and the CLI's `--aws` share, as inputs and as flags. */
export const THRESHOLD_INPUTS = {
  latency: 'latency-p99-ms',
  errorRate: 'error-rate-percent',
  idle: 'idle-requests-per-day',
} as const;

/** Reads the action's inputs with `getInput` (core.getInput) and validates them all. */
export function readConfig(getInput: (name: InputName) => string): Config {
  const r = new SettingsReader<InputName>(getInput, (name) => `Input ${name}`, INPUT_DEFAULTS);

  const region = r.region(
    'aws-region',
    'is required: the region of the service network and its log group, e.g. us-east-1.',
  );
  const roleToAssume = r.optional('role-to-assume');
  if (roleToAssume && !ROLE_ARN.test(roleToAssume)) {
    r.problem(
      'role-to-assume',
      `must be an IAM role ARN such as arn:aws:iam::123456789012:role/lattice-report (got "${roleToAssume}").`,
    );
  }
  const roleSessionName = r.text('role-session-name');
  if (!SESSION_NAME.test(roleSessionName)) {
    r.problem('role-session-name', 'must be 2 to 64 letters, digits or any of _+=,.@- .');
  }
  const roleDurationSeconds = r.integer('role-duration-seconds', 900, 43_200);
  const logGroupNames = r.logGroupNames('log-group-names');
  const serviceNetwork = r.optional('service-network');
  const logSource = r.logSource('log-source');
  r.checkLogSource(
    logSource,
    { logGroups: 'log-group-names', network: 'service-network' },
    logGroupNames,
    serviceNetwork,
  );
  if (logSource.kind === 'cloudwatch' && !serviceNetwork && logGroupNames.length === 0) {
    r.problem(
      'service-network',
      'or log-group-names must be set: the network to report on, or the log groups of its access logs.',
    );
  }
  const lookbackDays = r.lookbackDays('lookback-days');
  const endDate = r.day('end-date');
  const costMetric = r.costMetric('cost-metric');

  const publishTo = new Set<PublishTarget>();
  for (const target of r.list('publish-to')) {
    if (TARGETS.includes(target as PublishTarget)) publishTo.add(target as PublishTarget);
    else r.problem('publish-to', `has an unknown target "${target}"; use any of ${TARGETS.join(', ')}.`);
  }
  const githubToken = getInput('github-token').trim();
  if ((publishTo.has('issue') || publishTo.has('pr-comment')) && !githubToken) {
    r.problem(
      'github-token',
      'is empty, but publish-to needs it to post; the default is ${{ github.token }}.',
    );
  }
  const costTagKey = r.optional('cost-tag-key');
  const terraformPlanJson = r.optional('terraform-plan-json');

  const config: Config = {
    region,
    regions: r.regions('regions', region),
    accounts: r.accounts('accounts'),
    memberRoleName: r.roleName('member-role-name'),
    costSource: r.costSource('cost-source'),
    ...(roleToAssume ? { roleToAssume } : {}),
    audience: r.text('audience'),
    roleSessionName,
    roleDurationSeconds,
    ...(serviceNetwork ? { serviceNetwork } : {}),
    logGroupNames,
    logSource,
    athena: r.athena(ATHENA_INPUTS),
    lookbackDays,
    ...(endDate ? { endDate } : {}),
    costMetric,
    ...(costTagKey ? { costTagKey } : {}),
    thresholds: r.thresholds(THRESHOLD_INPUTS),
    publishTo,
    issueTitle: r.text('issue-title'),
    issueLabels: r.list('issue-labels'),
    commentBehavior: r.oneOf('comment-behavior', COMMENT_BEHAVIORS),
    githubToken,
    failOn: r.oneOf('fail-on', FAIL_ON),
    publishMetrics: r.boolean('publish-metrics'),
    reportDir: r.text('report-dir'),
    cache: r.boolean('cache'),
    settlingDays: r.number('settling-days'),
    iacPaths: r.list('iac-paths'),
    ...(terraformPlanJson ? { terraformPlanJson } : {}),
    ...(r.optional('cost-increase-above') ? { costIncreaseAbove: r.number('cost-increase-above') } : {}),
  };
  r.check();
  return Object.freeze(config);
}
