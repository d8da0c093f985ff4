/**
 * STS in front of moto, adding the check moto leaves out: AssumeRole only into a role that exists
 * and whose trust policy allows the caller. moto 5.2.1 mints keys for any role ARN ("the role does
 * not need to exist", sts/models.py), while AWS refuses with AccessDenied (HTTP 403) "User: … is
 * not authorized to perform: sts:AssumeRole on resource: …" (STS API reference, AssumeRole; IAM
 * User Guide, "Cross-account policy evaluation logic": the role's trust policy must allow the
 * principal). Identity policies of the caller are not evaluated. Every other request passes.
 *
 * Roles are moto's own IAM roles, made and changed with the helpers below, so "delete the member
 * role" or "trust someone else" makes an account unreachable the way it would be on AWS.
 */
import { credentialScope, motoCaller, motoQuery } from './caller.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

const IAM_VERSION = '2010-05-08';

/** A trust policy letting these principals (ARNs or account ids) call sts:AssumeRole. */
export function trustPolicy(principals: string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: principals }, Action: 'sts:AssumeRole' }],
  });
}

/** An IAM call in moto's `account`; its XML answer, or an error naming the action. */
async function iam(motoUrl: string, account: string, params: Record<string, string>): Promise<string> {
  const answer = await motoQuery(motoUrl, 'iam', { Version: IAM_VERSION, ...params }, { account });
  if (!answer.ok) throw new Error(`moto ${params.Action} failed: HTTP ${answer.status} ${answer.text}`);
  return answer.text;
}

/** Creates an IAM role in moto's `account`. */
export async function createRole(
  motoUrl: string,
  account: string,
  name: string,
  trust: string,
): Promise<void> {
  await iam(motoUrl, account, { Action: 'CreateRole', RoleName: name, AssumeRolePolicyDocument: trust });
}

/** Replaces a role's trust policy in moto (IAM UpdateAssumeRolePolicy). */
export async function updateTrust(
  motoUrl: string,
  account: string,
  name: string,
  trust: string,
): Promise<void> {
  await iam(motoUrl, account, { Action: 'UpdateAssumeRolePolicy', RoleName: name, PolicyDocument: trust });
}

/** The role's trust policy as JSON, or undefined when moto has no such role. */
async function roleTrust(motoUrl: string, account: string, name: string): Promise<unknown> {
  const answer = await motoQuery(
    motoUrl,
    'iam',
    { Action: 'GetRole', Version: IAM_VERSION, RoleName: name },
    { account },
  );
  if (answer.status === 404 || /NoSuchEntity/.test(answer.text)) return undefined;
  const document = /<AssumeRolePolicyDocument>([^<]*)<\/AssumeRolePolicyDocument>/.exec(answer.text)?.[1];
  if (!answer.ok || document === undefined)
    throw new Error(`moto GetRole failed: HTTP ${answer.status} ${answer.text}`);
  // IAM answers the document URL-encoded (IAM API reference, Role data type), in XML text.
  const xml = document
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return JSON.parse(decodeURIComponent(xml)) as unknown;
}

const asList = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

/**
 * Whether an Allow statement for sts:AssumeRole names the caller: its role (from an assumed-role
 * session ARN) or user ARN, its account's root, its account id, or "*".
 */
function trusts(policy: unknown, callerArn: string, callerAccount: string): boolean {
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(callerArn);
  const matchesCaller = (principal: string): boolean => {
    if (
      principal === '*' ||
      principal === callerAccount ||
      principal === `arn:aws:iam::${callerAccount}:root`
    ) {
      return true;
    }
    if (principal === callerArn) return true;
    const role = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(principal);
    return !!session && !!role && role[1] === session[2] && role[2] === session[3];
  };
  const statements = asList((policy as { Statement?: unknown }).Statement) as Array<Record<string, unknown>>;
  return statements.some((s) => {
    if (s.Effect !== 'Allow') return false;
    const actions = asList(s.Action).map(String);
    if (!actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) return false;
    const principal = s.Principal;
    const names =
      principal === '*' ? ['*'] : asList((principal as { AWS?: unknown } | undefined)?.AWS).map(String);
    return names.some(matchesCaller);
  });
}

function accessDenied(callerArn: string, roleArn: string): { status: number; body: string } {
  const message = `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
  return {
    status: 403,
    body:
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
      `<Code>AccessDenied</Code><Message>${message}</Message></Error><RequestId>sts-gate</RequestId></ErrorResponse>`,
  };
}

export interface StsGate extends FaultProxy {
  /** AssumeRole requests refused, in order: the role ARN and the caller. */
  denied: Array<{ roleArn: string; callerArn: string }>;
}

export async function startStsGate(motoUrl: string): Promise<StsGate> {
  const denied: StsGate['denied'] = [];
  const proxy = await startFaultProxy(motoUrl, {
    intercept: async (request, body) => {
      const params = new URLSearchParams(body.toString('utf8'));
      if (params.get('Action') !== 'AssumeRole') return undefined;
      const roleArn = params.get('RoleArn') ?? '';
      const role = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
      const scope = credentialScope(request.headers.authorization);
      if (!role || !scope) return undefined; // moto's own validation answers
      const caller = await motoCaller(motoUrl, scope.accessKeyId, scope.region);
      const policy = await roleTrust(motoUrl, role[1]!, role[2]!);
      if (policy !== undefined && trusts(policy, caller.arn, caller.account)) return undefined;
      denied.push({ roleArn, callerArn: caller.arn });
      return accessDenied(caller.arn, roleArn);
    },
  });
  return Object.assign(proxy, { denied });
}
