/**
 * The action's inputs, read once and validated into one typed, frozen config. Nothing else calls
 * core.getInput. Every problem names the input and the fix, and all are reported together,
 * before any AWS call.
 */
import { isIsoDay } from './analysis/dates.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './analysis/thresholds.js';
import { UsageError } from './errors.js';

export type PublishTarget = 'summary' | 'issue' | 'pr-comment';
export type CommentBehavior = 'update' | 'new' | 'delete-and-new' | 'hide-and-new';
export type FailOn = 'never' | 'warning' | 'critical';

export interface Config {
  region: string;
  roleToAssume?: string;
  audience: string;
  roleSessionName: string;
  roleDurationSeconds: number;
  serviceNetwork?: string;
  logGroupNames: string[];
  lookbackDays: number;
  endDate?: string;
  costMetric: string;
  costTagKey?: string;
  thresholds: Thresholds;
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
}

/** The defaults of action.yml; a test keeps the two in step. */
export const INPUT_DEFAULTS = {
  'aws-region': '',
  'role-to-assume': '',
  audience: 'sts.amazonaws.com',
  'role-session-name': 'GitHubActions',
  'role-duration-seconds': '3600',
  'service-network': '',
  'log-group-names': '',
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
} as const;

export type InputName = keyof typeof INPUT_DEFAULTS;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** The window's length in whole days, for the action and the command line. */
export const LOOKBACK_DAYS = { min: 1, max: 90 } as const;

/** The shape of an AWS region name, such as us-east-1. */
export function isRegionName(value: string): boolean {
  return REGION.test(value);
}
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\-/]{1,512}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const LOG_GROUP = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const COST_METRICS = [
  'UnblendedCost',
  'AmortizedCost',
  'BlendedCost',
  'NetUnblendedCost',
  'NetAmortizedCost',
];
const TARGETS: readonly PublishTarget[] = ['summary', 'issue', 'pr-comment'];
const BEHAVIORS: readonly CommentBehavior[] = ['update', 'new', 'delete-and-new', 'hide-and-new'];
const FAIL_ON: readonly FailOn[] = ['never', 'warning', 'critical'];

function list(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Reads inputs with `getInput` (core.getInput in the action) and validates them all. */
export function readConfig(getInput: (name: InputName) => string): Config {
  const problems: string[] = [];
  const input = (name: InputName): string => {
    const value = getInput(name).trim();
    return value === '' ? INPUT_DEFAULTS[name] : value;
  };
  const problem = (name: InputName, message: string): void => {
    problems.push(`Input ${name} ${message}`);
  };
  const integer = (name: InputName, min: number, max: number): number => {
    const raw = input(name);
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max)
      problem(name, `must be a whole number from ${min} to ${max} (got "${raw}").`);
    return n;
  };
  const number = (name: InputName): number => {
    const raw = input(name);
    const n = Number(raw);
    if (raw === '' || !Number.isFinite(n) || n < 0)
      problem(name, `must be a non-negative number (got "${raw}").`);
    return n;
  };
  const oneOf = <T extends string>(name: InputName, allowed: readonly T[]): T => {
    const raw = input(name);
    if (!allowed.includes(raw as T)) problem(name, `must be one of ${allowed.join(', ')} (got "${raw}").`);
    return raw as T;
  };

  const region = input('aws-region');
  if (!region)
    problem(
      'aws-region',
      'is required: the region of the service network and its log group, e.g. us-east-1.',
    );
  else if (!isRegionName(region))
    problem('aws-region', `must be an AWS region name such as us-east-1 (got "${region}").`);

  const roleToAssume = input('role-to-assume');
  if (roleToAssume && !ROLE_ARN.test(roleToAssume)) {
    problem(
      'role-to-assume',
      `must be an IAM role ARN such as arn:aws:iam::123456789012:role/lattice-report (got "${roleToAssume}").`,
    );
  }
  const audience = input('audience');
  const roleSessionName = input('role-session-name');
  if (!SESSION_NAME.test(roleSessionName)) {
    problem('role-session-name', 'must be 2 to 64 letters, digits or any of _+=,.@- .');
  }
  const roleDurationSeconds = integer('role-duration-seconds', 900, 43_200);

  const logGroupNames = list(input('log-group-names'));
  for (const name of logGroupNames) {
    if (!LOG_GROUP.test(name)) problem('log-group-names', `has an invalid log group name "${name}".`);
  }
  const serviceNetwork = input('service-network') || undefined;
  if (!serviceNetwork && logGroupNames.length === 0) {
    problem(
      'service-network',
      'or log-group-names must be set: the network to report on, or the log groups of its access logs.',
    );
  }
  const lookbackDays = integer('lookback-days', LOOKBACK_DAYS.min, LOOKBACK_DAYS.max);
  const endDate = input('end-date') || undefined;
  if (endDate && !isIsoDay(endDate)) problem('end-date', `must be a date as YYYY-MM-DD (got "${endDate}").`);
  const costMetric = oneOf('cost-metric', COST_METRICS);

  const publishTo = new Set<PublishTarget>();
  for (const target of list(input('publish-to'))) {
    if (TARGETS.includes(target as PublishTarget)) publishTo.add(target as PublishTarget);
    else problem('publish-to', `has an unknown target "${target}"; use any of ${TARGETS.join(', ')}.`);
  }
  const githubToken = getInput('github-token').trim();
  if ((publishTo.has('issue') || publishTo.has('pr-comment')) && !githubToken) {
    problem('github-token', 'is empty, but publish-to needs it to post; the default is ${{ github.token }}.');
  }
  const boolean = (name: InputName): boolean => {
    const raw = input(name).toLowerCase();
    if (raw !== 'true' && raw !== 'false') problem(name, `must be true or false (got "${raw}").`);
    return raw === 'true';
  };

  const config: Config = {
    region,
    ...(roleToAssume ? { roleToAssume } : {}),
    audience,
    roleSessionName,
    roleDurationSeconds,
    ...(serviceNetwork ? { serviceNetwork } : {}),
    logGroupNames,
    lookbackDays,
    ...(endDate ? { endDate } : {}),
    costMetric,
    ...(input('cost-tag-key') ? { costTagKey: input('cost-tag-key') } : {}),
    thresholds: {
      ...DEFAULT_THRESHOLDS,
      latencyP99Ms: number('latency-p99-ms'),
      errorRatePercent: number('error-rate-percent'),
      idleRequestsPerDay: number('idle-requests-per-day'),
    },
    publishTo,
    issueTitle: input('issue-title'),
    issueLabels: list(input('issue-labels')),
    commentBehavior: oneOf('comment-behavior', BEHAVIORS),
    githubToken,
    failOn: oneOf('fail-on', FAIL_ON),
    publishMetrics: boolean('publish-metrics'),
    reportDir: input('report-dir'),
    cache: boolean('cache'),
    settlingDays: number('settling-days'),
  };
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return Object.freeze(config);
}
