/** OIDC -> STS against moto's STS, with the real @actions/core token client. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as core from '@actions/core';
import { assumeRoleWithOidc } from '../../src/aws/credentials.js';
import { UsageError } from '../../src/errors.js';
import { type FaultProxy, startFaultProxy, stsError } from '../servers/fault-proxy.js';
import { type MotoServer, startMoto } from '../servers/moto.js';
import { type OidcServer, startOidcServer } from '../helpers/oidc.js';

let moto: MotoServer;
let sts: FaultProxy;
let oidc: OidcServer;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  sts = await startFaultProxy(moto.url);
  oidc = await startOidcServer();
  process.env.AWS_ENDPOINT_URL_STS = sts.url;
  process.env.ACTIONS_ID_TOKEN_REQUEST_URL = oidc.url;
  process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = oidc.token;
}, 60_000);

afterAll(async () => {
  process.env = saved;
  await Promise.all([sts?.close(), oidc?.close(), moto?.stop()]);
});

const request = {
  roleArn: 'arn:aws:iam::123456789012:role/lattice-report',
  audience: 'sts.amazonaws.com',
  sessionName: 'GitHubActions',
  durationSeconds: 900,
  region: 'us-east-1',
};

describe('assumeRoleWithOidc', () => {
  it('exchanges the job token for masked role credentials', async () => {
    const masked: string[] = [];
    const credentials = await assumeRoleWithOidc(request, {
      getIdToken: (aud) => core.getIDToken(aud),
      mask: (v) => masked.push(v),
    });
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(masked).toEqual([credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken]);
    expect(oidc.audiences.at(-1)).toBe('sts.amazonaws.com');
  });

  it('survives a transient IDPCommunicationError and a throttled STS', async () => {
    sts.inject(
      stsError('IDPCommunicationError', 'the IdP did not answer'),
      stsError('Throttling', 'Rate exceeded'),
    );
    const before = sts.requests;
    const retries: string[] = [];
    const credentials = await assumeRoleWithOidc(request, {
      getIdToken: (aud) => core.getIDToken(aud),
      mask: () => {},
      retry: { attempts: 5, baseMs: 10, maxMs: 50 },
      log: (m) => retries.push(m),
    });
    expect(credentials.secretAccessKey).toBeTruthy();
    expect(sts.requests - before).toBe(3);
    expect(retries).toHaveLength(2);
  });

  it('does not retry a rejected token and says what to check', async () => {
    sts.inject(stsError('InvalidIdentityToken', 'bad audience'));
    const before = sts.requests;
    const attempt = assumeRoleWithOidc(request, {
      getIdToken: (aud) => core.getIDToken(aud),
      mask: () => {},
      retry: { attempts: 5, baseMs: 10, maxMs: 50 },
    });
    await expect(attempt).rejects.toThrow(
      /Could not assume arn:aws:iam::123456789012:role\/lattice-report with GitHub OIDC.*token\.actions\.githubusercontent\.com:sub = `repo:octo-org\/octo-repo:ref:refs\/heads\/main`/s,
    );
    expect(sts.requests - before).toBe(1);
  });

  it('asks for id-token: write when the job has no OIDC variables', async () => {
    const attempt = assumeRoleWithOidc(request, {
      getIdToken: () => Promise.reject(new Error('unreachable')),
      mask: () => {},
      env: {},
    });
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(/permissions: id-token: write.*forks/s);
  });
});
