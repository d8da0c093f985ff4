/**
 * Who is calling a test server, as AWS would know it: the region from the SigV4 credential scope
 * and the account from the access key. The scope is `Credential=AKID/DATE/REGION/SERVICE/aws4_request`
 * (IAM User Guide, "Elements of an AWS API request signature"). moto mints the keys of assumed roles
 * and does not check signatures, so the account of a key is asked of moto's STS GetCallerIdentity
 * (moto 5.2.1, sts/models.py: the assumed role's account, else MOTO_ACCOUNT_ID or the default).
 */
import type { IncomingMessage } from 'node:http';

/** The account and region a request acts in, or a test loads data for. */
export interface Partition {
  account: string;
  region: string;
}

/** Where a loading helper puts data; what is left out is the server's default. */
export type Target = Partial<Partition>;

const SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/** The access key, date, region and service of a SigV4 Authorization header. */
export function credentialScope(
  authorization: string | undefined,
): { accessKeyId: string; date: string; region: string; service: string } | undefined {
  const m = authorization === undefined ? null : SCOPE.exec(authorization);
  return m ? { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]! } : undefined;
}

export interface CallerResolver {
  /** The partition of a request; one without a signature is the default one. */
  partition(req: IncomingMessage): Promise<Partition>;
  defaults: Partition;
}

/**
 * Without `motoUrl` every key is the default account (the servers' single-account behaviour);
 * with it, moto says whose key it is, once per key.
 */
export function callerResolver(defaults: Partition, motoUrl?: string): CallerResolver {
  const accounts = new Map<string, Promise<string>>();
  const accountOf = (scope: NonNullable<ReturnType<typeof credentialScope>>): Promise<string> => {
    let account = accounts.get(scope.accessKeyId);
    if (!account) {
      account = motoCaller(motoUrl!, scope.accessKeyId, scope.region).then((c) => c.account);
      // A failed look-up is not remembered: the next request asks again.
      account.catch(() => accounts.delete(scope.accessKeyId));
      accounts.set(scope.accessKeyId, account);
    }
    return account;
  };
  return {
    defaults,
    partition: async (req) => {
      const header = req.headers.authorization;
      const scope = credentialScope(typeof header === 'string' ? header : undefined);
      if (!scope) return defaults;
      const account = motoUrl === undefined ? defaults.account : await accountOf(scope);
      return { account, region: scope.region };
    },
  };
}

/**
 * A query-protocol call to moto (STS, IAM) as `accessKeyId`, or in `account` (moto's
 * x-moto-account-id header, which wins over the key). moto routes by the service in the
 * credential scope and checks no signature, so the signature is a placeholder.
 */
export async function motoQuery(
  motoUrl: string,
  service: 'sts' | 'iam',
  params: Record<string, string>,
  as: { accessKeyId?: string; account?: string; region?: string },
): Promise<{ ok: boolean; status: number; text: string }> {
  const key = as.accessKeyId ?? 'testing';
  const response = await fetch(`${motoUrl.replace(/\/+$/, '')}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${key}/20260101/${as.region ?? 'us-east-1'}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
      ...(as.account ? { 'x-moto-account-id': as.account } : {}),
    },
    body: new URLSearchParams(params).toString(),
  });
  return { ok: response.ok, status: response.status, text: await response.text() };
}

/** moto's STS GetCallerIdentity for a key: its account and ARN. */
export async function motoCaller(
  motoUrl: string,
  accessKeyId: string,
  region = 'us-east-1',
): Promise<{ account: string; arn: string }> {
  const answer = await motoQuery(
    motoUrl,
    'sts',
    { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    { accessKeyId, region },
  );
  const account = /<Account>(\d{12})<\/Account>/.exec(answer.text)?.[1];
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(answer.text)?.[1];
  if (!answer.ok || !account || !arn) {
    throw new Error(`moto GetCallerIdentity failed: HTTP ${answer.status} ${answer.text}`);
  }
  return { account, arn };
}

export const partitionKey = (p: Partition): string => `${p.account}/${p.region}`;
