/**
 * The Glue table check (ensureAccessLogTable) through the real SDK against moto's Glue: made when
 * asked, kept up to date when made here, never changed when someone else made it, and refused
 * when it cannot read the bucket the way the queries need. AWS_ENDPOINT_URL_GLUE leads the SDK to
 * moto; no endpoint is given to the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateTableCommand, GetTableCommand, type GlueClient } from '@aws-sdk/client-glue';
import {
  MANAGED_PROPERTY,
  accessLogTableInput,
  createGlueClient,
  ensureAccessLogTable,
  tableRoots,
} from '../../src/aws/athena-table.js';
import { DataError } from '../../src/errors.js';
import { DUMMY_CREDENTIALS, type MotoServer, startMoto } from '../servers/moto.js';

const saved = { ...process.env };
const location = { bucket: 'org-logs', prefix: 'lattice/' };
const ROOT_A = 'lattice/AWSLogs/111111111111/VpcLattice/AccessLogs/us-east-1/';
const ROOT_B = 'lattice/AWSLogs/222222222222/VpcLattice/AccessLogs/eu-west-1/';
let moto: MotoServer;
let glue: GlueClient;

beforeAll(async () => {
  moto = await startMoto();
  process.env.AWS_ENDPOINT_URL_GLUE = moto.url;
  glue = createGlueClient('us-east-1', DUMMY_CREDENTIALS);
}, 60_000);

afterAll(async () => {
  process.env = saved;
  glue?.destroy();
  await moto?.stop();
});

const request = (more: Partial<Parameters<typeof ensureAccessLogTable>[1]> = {}) => ({
  database: 'reports',
  table: 'access_logs',
  location,
  roots: [ROOT_A],
  rootsComplete: true,
  create: true,
  ...more,
});

async function parameters(database: string, table: string): Promise<Record<string, string>> {
  const found = await glue.send(new GetTableCommand({ DatabaseName: database, Name: table }));
  return found.Table?.Parameters ?? {};
}

describe('ensureAccessLogTable on moto', () => {
  it('says how to make a missing table when not asked to', async () => {
    const attempt = ensureAccessLogTable(glue, request({ database: 'absent', create: false }));
    await expect(attempt).rejects.toThrow(DataError);
    await expect(attempt).rejects.toThrow(
      /table absent\.access_logs does not exist.*lattice-analytics\.yaml.*create-athena-table: true/,
    );
  });

  it('makes the database and the table, then adds a new root to the table it made', async () => {
    const made = await ensureAccessLogTable(glue, request());
    expect(made).toMatchObject({ created: true, roots: [ROOT_A], warnings: [] });
    expect(await parameters('reports', 'access_logs')).toMatchObject({
      [MANAGED_PROPERTY]: 'true',
      'storage.location.template': 's3://org-logs/${log_root}${delivery_day}/',
    });
    const again = await ensureAccessLogTable(glue, request({ roots: [ROOT_A, ROOT_B] }));
    expect(again).toMatchObject({ created: false, updated: true, roots: [ROOT_A, ROOT_B], warnings: [] });
    expect(tableRoots(await parameters('reports', 'access_logs'))).toEqual([ROOT_A, ROOT_B]);
  });

  it('names the roots a table made elsewhere lacks, reads the others, and changes nothing', async () => {
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'reports',
        TableInput: accessLogTableInput('from_stack', location, [ROOT_A], false),
      }),
    );
    const state = await ensureAccessLogTable(glue, request({ table: 'from_stack', roots: [ROOT_A, ROOT_B] }));
    expect(state.updated).toBe(false);
    expect(state.roots).toEqual([ROOT_A]);
    expect(state.warnings).toEqual([
      expect.stringContaining(`are not in the Athena table reports.from_stack`),
    ]);
    expect(state.warnings[0]).toContain(ROOT_B);
    expect(tableRoots(await parameters('reports', 'from_stack'))).toEqual([ROOT_A]);
  });

  it('reads only the roots the bucket holds, unless the listing stopped short', async () => {
    const both = accessLogTableInput('two_roots', location, [ROOT_A, ROOT_B], false);
    await glue.send(new CreateTableCommand({ DatabaseName: 'reports', TableInput: both }));
    const complete = await ensureAccessLogTable(glue, request({ table: 'two_roots', roots: [ROOT_B] }));
    expect(complete.roots).toEqual([ROOT_B]);
    const partial = await ensureAccessLogTable(
      glue,
      request({ table: 'two_roots', roots: [ROOT_B], rootsComplete: false }),
    );
    expect(partial.roots).toEqual([ROOT_A, ROOT_B]);
  });

  it('refuses a table over another bucket, or without the access-log columns', async () => {
    const other = accessLogTableInput('other_bucket', { bucket: 'elsewhere', prefix: '' }, [ROOT_A], true);
    await glue.send(new CreateTableCommand({ DatabaseName: 'reports', TableInput: other }));
    await expect(ensureAccessLogTable(glue, request({ table: 'other_bucket' }))).rejects.toThrow(
      /places its partitions at "s3:\/\/elsewhere\/.*not s3:\/\/org-logs\//,
    );
    const narrow = accessLogTableInput('narrow', location, [ROOT_A], true);
    narrow.StorageDescriptor!.Columns = narrow.StorageDescriptor!.Columns!.filter(
      (c) => c.Name !== 'duration',
    );
    await glue.send(new CreateTableCommand({ DatabaseName: 'reports', TableInput: narrow }));
    await expect(ensureAccessLogTable(glue, request({ table: 'narrow' }))).rejects.toThrow(
      /lacks the columns duration/,
    );
  });
});
