/**
 * moto's server (a third-party AWS emulator, 5.2 here) for the end-to-end tests: one process per
 * test file on a free port, plus the two ways we fill it with data: Cost Explorer results through
 * moto's own seeding endpoint, and a Lattice service network created through the real SDK.
 *
 * What moto 5.2.1 really does for our calls (read from its source, checked in test/integration/test-servers.test.ts):
 * - Every request is answered for one account: MOTO_ACCOUNT_ID if set, else the account of the
 *   access key. Keys from STS AssumeRole* belong to the role ARN's account, so a role in another
 *   account than 123456789012 sees none of the resources created with the dummy keys.
 * - GetCostAndUsage pops the next seeded response for each new request body and caches it by that
 *   exact body: an identical request gets the same response again; an empty queue gives
 *   `{ResultsByTime: [], DimensionValueAttributes: []}`.
 * - Lattice stores networks and services by id. Get* by ARN happens to work (moto takes the last
 *   path segment), CreateAccessLogSubscription and CreateServiceNetworkServiceAssociation by ARN do
 *   not, and ListServiceNetworkServiceAssociations filtered by an ARN silently returns nothing.
 * - Lattice lists page by 50. ListServiceNetworkServiceAssociations pages correctly, but a
 *   `maxResults` reaches moto's paginator as a string and fails with HTTP 500. ListServices and
 *   ListServiceNetworks ignore `nextToken` (and `maxResults`): page 2 repeats page 1 with the same
 *   token, so their SDK paginators never end beyond 50 items. ListAccessLogSubscriptions takes the
 *   id or the ARN and always answers `nextToken: ""`.
 * - Lattice services have no `createdAt` (listeners and associations do); lattice-clock.ts adds one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { GetCostAndUsageResponse } from '@aws-sdk/client-cost-explorer';
import {
  CreateAccessLogSubscriptionCommand,
  CreateServiceCommand,
  CreateServiceNetworkCommand,
  CreateServiceNetworkServiceAssociationCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { freePort } from './free-port.js';

/** The account moto answers for when nothing else says otherwise. */
export const MOTO_DEFAULT_ACCOUNT_ID = '123456789012';

/** Credentials moto accepts without checking; the SDK just needs something to sign with. */
export const DUMMY_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export interface MotoServer {
  url: string;
  port: number;
  /** The account every request is answered for, when moto was started with one. */
  accountId: string | undefined;
  /** Stops moto and everything it started; safe to call twice. */
  stop(): Promise<void>;
  /** Forgets every resource and seeded result (POST /moto-api/reset). */
  reset(): Promise<void>;
}

export interface StartMotoOptions {
  /** Answer every request for this account (MOTO_ACCOUNT_ID), whatever the credentials. */
  accountId?: string;
  /** How long to wait for the first answer; moto imports every backend, about 2 s here. */
  startTimeoutMs?: number;
}

const INSTALL_HINT =
  "moto_server was not found: run pip install 'moto[server]~=5.2.1' (npm test installs it into .tmp/moto-venv).";

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/**
 * The moto_server to run: the one test/global-setup-moto.mjs found or installed for this run
 * (LATTICE_TEST_MOTO_SERVER), else the one on PATH.
 */
export function motoServerCommand(): string | undefined {
  const chosen = process.env.LATTICE_TEST_MOTO_SERVER;
  if (chosen) return chosen;
  return onPath('moto_server') ? 'moto_server' : undefined;
}

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  if (motoServerCommand() === undefined) throw new Error(INSTALL_HINT);
  let lastError: unknown;
  // The free port can be taken between probing and binding; a fresh one nearly always works.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(port, options);
    } catch (error) {
      lastError = error;
      if (!String(error).includes('Address already in use')) break;
    }
  }
  throw lastError;
}

async function launch(port: number, options: StartMotoOptions): Promise<MotoServer> {
  const env = { ...process.env };
  delete env.MOTO_ACCOUNT_ID;
  if (options.accountId) env.MOTO_ACCOUNT_ID = options.accountId;

  const child = spawnMotoProcess(port, env);
  const url = `http://127.0.0.1:${port}`;

  // moto logs every request; keep draining so it never blocks on a full pipe, and keep the tail
  // for the error message if it fails to start.
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  // 'error' without 'exit' happens when sh itself cannot be started.
  let hasExited = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      output += `\n${error.message}`;
      resolve();
    });
  }).then(() => void (hasExited = true));

  const server: MotoServer = {
    url,
    port,
    accountId: options.accountId,
    stop: () => stopGroup(child, exited),
    reset: async () => {
      const response = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (hasExited) break;
    if (await answers(`${url}/moto-api/`)) return server;
    await sleep(100);
  }
  await server.stop();
  throw new Error(
    `moto_server on port ${port} did not start${hasExited ? ' (it exited)' : ''}:\n${output.trim()}`,
  );
}

/**
 * The process group `sh` leads: moto, plus a watchdog reading our stdin pipe. If this Node process
 * dies without calling stop(), even by SIGKILL, the kernel closes the pipe, `read` returns and
 * `kill 0` ends the whole group. If moto exits by itself (port taken, crash), `wait` returns and
 * the group ends too, so the caller sees `exit` at once. pyenv's shims exec, so moto is a member.
 * `$0` is the port, `$1` the moto_server command.
 * (`<&3`: without job control a background job's stdin would be /dev/null.)
 */
const SUPERVISOR = [
  'exec 3<&0 0</dev/null',
  '"$1" -H 127.0.0.1 -p "$0" 3<&- &',
  'moto=$!',
  '(read _ignored <&3; kill 0) &',
  'exec 3<&-',
  'wait "$moto"',
  'kill 0',
].join('\n');

/** Starts moto under SUPERVISOR. Exported so a test can close the pipe as a dying parent would. */
export function spawnMotoProcess(port: number, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const command = motoServerCommand();
  if (command === undefined) throw new Error(INSTALL_HINT);
  return spawn('sh', ['-c', SUPERVISOR, String(port), command], {
    detached: true,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Kills the whole process group, waits until no member is left, then lets go of the pipes. */
async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const pid = child.pid;
  if (pid !== undefined) {
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
    if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
    while (groupAlive(pid) && Date.now() < deadline + 2000) await sleep(50);
  }
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
  if (child.pid === undefined || (child.exitCode === null && child.signalCode === null)) await exited;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
}

/**
 * Whether a process of the group still runs. On Linux we read /proc, because kill(-pgid, 0) also
 * counts zombies: moto, orphaned when sh dies first, stays one until init gets round to it.
 */
function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after its last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Queues Cost Explorer responses in moto: each new GetCostAndUsage request body takes the next
 * one (see the header comment for the caching). `accountId` must match the account the requests
 * are answered for (MotoServer.accountId, or the assumed role's account).
 */
export async function seedCostAndUsage(
  motoUrl: string,
  responses: GetCostAndUsageResponse[],
  accountId: string = MOTO_DEFAULT_ACCOUNT_ID,
): Promise<void> {
  const response = await fetch(`${motoUrl}/moto-api/static/ce/cost-and-usage-results`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account_id: accountId, results: responses }),
  });
  const text = await response.text();
  if (response.status !== 201) {
    throw new Error(`moto refused the Cost Explorer results: HTTP ${response.status} ${text}`);
  }
}

export interface LatticeMeshOptions {
  networkName: string;
  /** Service names (moto does not check them; real AWS wants 3-40 of [a-z0-9-]). */
  services: string[];
  /** A CloudWatch Logs log group ARN: adds an access log subscription on the network. */
  logGroupArn?: string;
  /** Access log subscriptions on services: service name → log group ARN. */
  serviceLogGroupArns?: Record<string, string>;
  region: string;
  /** The account to create it in (moto's x-moto-account-id header); default: the dummy keys' account. */
  accountId?: string;
}

export interface LatticeResource {
  id: string;
  arn: string;
  name: string;
}

interface AccessLogSubscription {
  id: string;
  arn: string;
  destinationArn: string;
}

export interface LatticeMesh {
  region: string;
  network: LatticeResource;
  services: Array<
    LatticeResource & {
      associationId: string;
      associationArn: string;
      accessLogSubscription?: AccessLogSubscription;
    }
  >;
  accessLogSubscription?: AccessLogSubscription;
}

/** A service network with its services associated, created through the real SDK. */
export async function createLatticeMesh(motoUrl: string, options: LatticeMeshOptions): Promise<LatticeMesh> {
  const lattice = new VPCLatticeClient({
    endpoint: motoUrl,
    region: options.region,
    credentials: DUMMY_CREDENTIALS,
  });
  const account = options.accountId;
  if (account !== undefined) {
    // moto 5.2.1 answers for this account whatever the key (core/responses.py, get_current_account).
    lattice.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = account;
        return next(args);
      },
      { step: 'build', name: 'motoAccount' },
    );
  }
  const subscribe = async (
    resourceIdentifier: string,
    destinationArn: string,
  ): Promise<AccessLogSubscription> => {
    // moto rejects an ARN here ("must start with 'sn-' or 'svc-'"); real AWS takes either.
    const subscription = await lattice.send(
      new CreateAccessLogSubscriptionCommand({ resourceIdentifier, destinationArn }),
    );
    if (!subscription.id || !subscription.arn) throw new Error('moto returned no access log subscription');
    return { id: subscription.id, arn: subscription.arn, destinationArn };
  };
  try {
    const network = await lattice.send(new CreateServiceNetworkCommand({ name: options.networkName }));
    const networkResource = resource(network, 'service network');
    const services: LatticeMesh['services'] = [];
    for (const name of options.services) {
      const service = resource(await lattice.send(new CreateServiceCommand({ name })), 'service');
      // moto finds networks and services by id only, so associate by id.
      const association = await lattice.send(
        new CreateServiceNetworkServiceAssociationCommand({
          serviceNetworkIdentifier: networkResource.id,
          serviceIdentifier: service.id,
        }),
      );
      if (!association.id || !association.arn) throw new Error(`moto returned no association for ${name}`);
      const logGroupArn = options.serviceLogGroupArns?.[name];
      services.push({
        ...service,
        associationId: association.id,
        associationArn: association.arn,
        ...(logGroupArn ? { accessLogSubscription: await subscribe(service.id, logGroupArn) } : {}),
      });
    }
    const mesh: LatticeMesh = { region: options.region, network: networkResource, services };
    if (options.logGroupArn)
      mesh.accessLogSubscription = await subscribe(networkResource.id, options.logGroupArn);
    return mesh;
  } finally {
    lattice.destroy();
  }
}

function resource(created: { id?: string; arn?: string; name?: string }, what: string): LatticeResource {
  if (!created.id || !created.arn || !created.name) throw new Error(`moto returned an incomplete ${what}`);
  return { id: created.id, arn: created.arn, name: created.name };
}
