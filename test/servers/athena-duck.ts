/**
 * Athena that runs its SQL: a proxy in front of moto that executes each query on DuckDB over the
 * objects in moto's S3 that the query's Glue table (in moto's Glue) points at, and hands the rows
 * to moto as the query's result. Point the SDK at it with AWS_ENDPOINT_URL_ATHENA.
 *
 * What moto 5.2.1 does (test/integration/athena-client.test.ts reads it): no SQL; each
 * StartQueryExecution takes the next result queued with POST /moto-api/static/athena/query-results
 * (moto/athena/models.py, _store_predefined_query_results, at start); DataScannedInBytes always 0;
 * no FAILED state; a missing workgroup is InvalidRequestException.
 *
 * What the proxy adds, for requests with X-Amz-Target `AmazonAthena.*` (every other request
 * passes to moto unchanged, streamed):
 * - StartQueryExecution: finds the tables (`FROM db.table`, or `FROM table` in the context's
 *   database), reads each from moto's Glue with the caller's access key (Athena reads Glue and S3
 *   as the caller), and picks the partitions Athena's partition projection would: `enum` values
 *   (narrowed by `"col" = '...'`), and the `date` column's values named by `"col" = '...'` that
 *   match its `format` (only y, M, d patterns) and lie in its `range` (end NOW: today, UTC). Each
 *   partition's place is `storage.location.template` with `${col}` replaced (Hive-style
 *   `col=value/` folders under the table's Location without one). The objects directly in it
 *   (Trino reads no sub-folders by default, ASSUMED) whose names do not start with `_` or `.`
 *   (Hive's hidden files) are downloaded, `.gz` ones gunzipped (Hadoop picks the codec by the
 *   extension), read as the OpenX SerDe does (athena-duck-sql.ts) and queried on DuckDB. The rows
 *   are queued in moto and the request forwarded, both under one lock, so concurrent queries each
 *   take their own result.
 * - GetQueryExecution: Statistics.DataScannedInBytes becomes the sum of the objects' sizes.
 * - A query Athena would fail (no such database or table, a location in a bucket that does not
 *   exist, SQL DuckDB cannot run, or a query this emulation cannot plan) starts in moto with no
 *   result and is shown FAILED once moto says SUCCEEDED, with AthenaError category 2 (user) and
 *   type 1000 ("User error", Athena error catalog) and a reason in Trino's words where known
 *   (`TABLE_NOT_FOUND: line L:C: Table 'awsdatacatalog.db.t' does not exist`: ASSUMED wording);
 *   its GetQueryResults is InvalidRequestException. So a wrong table definition shows the way the
 *   action would meet it in AWS: a FAILED query naming the cause, or (a template into another
 *   prefix of the bucket) a query that reads no object, which `queries[].objects` shows.
 * Not emulated: Glue partitions of tables without projection (such a table reads nothing here),
 * `injected` and `integer` projection, queries over a date column with no equality predicate,
 * ClientRequestToken idempotency (moto makes a new query for each start), result reuse, the
 * workgroup's bytes-scanned limit, and results written to the output location as Athena writes them.
 * Tables are found as a name after FROM or JOIN, so `extract(hour FROM x)` would be taken for one.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { GetDatabaseCommand, GetTableCommand, GlueClient, type Table } from '@aws-sdk/client-glue';
import { ListObjectsV2Command, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  type AthenaResultSet,
  type SerdeRow,
  athenaResultSet,
  createAthenaTable,
  objectRows,
} from './athena-duck-sql.js';

export interface AthenaDuckQuery {
  /** moto's QueryExecutionId. */
  id: string;
  sql: string;
  /** The sum of the sizes of the objects read (their stored, compressed sizes). */
  bytesScanned: number;
  /** Every object read, in the order read. */
  objects: Array<{ uri: string; size: number }>;
  /** Result rows, the header row not counted. */
  rows: number;
  /** Why the query is shown FAILED; absent when it succeeds. */
  error?: string;
}

export interface AthenaDuck {
  url: string;
  /** Every query started through the proxy, in the order moto started them. */
  queries: AthenaDuckQuery[];
  close(): Promise<void>;
}

/** The caller of a request, from its SigV4 Authorization header: the key moto maps to an account. */
interface Caller {
  accessKeyId: string;
  region: string;
}

/** A query Athena would end FAILED, with its StateChangeReason. */
class QueryFailed extends Error {}

interface Plan {
  result?: AthenaResultSet;
  objects: Array<{ uri: string; size: number }>;
  error?: string;
}

interface TableRef {
  database: string;
  table: string;
  /** Where the name starts in the SQL, for Trino's `line L:C`. */
  at: number;
}

const DUMMY_SECRET = 'testing';
const JSON_11 = 'application/x-amz-json-1.1';
/** Response headers that describe the connection or encoding, not the body. */
const HOP_HEADERS = new Set([
  'connection',
  'content-encoding',
  'content-length',
  'keep-alive',
  'transfer-encoding',
]);

function callerOf(request: IncomingMessage): Caller {
  const auth = request.headers.authorization ?? '';
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(auth);
  return { accessKeyId: m?.[1] ?? 'testing', region: m?.[2] ?? 'us-east-1' };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** `text` with its string literals blanked (same length), so SQL words are not found inside them. */
function withoutLiterals(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, (s) => `'${' '.repeat(s.length - 2)}'`);
}

const unquote = (part: string): string =>
  part
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .replaceAll('""', '"')
    .toLowerCase();

/**
 * The tables a query reads: qualified names, and unqualified ones that are not its CTEs, in
 * `database` (the context's, else Athena's `default`).
 */
function tableRefs(sql: string, database: string): TableRef[] {
  const code = withoutLiterals(sql);
  const name = '(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)';
  const ctes = new Set(
    [...code.matchAll(new RegExp(`(?:\\bWITH|,)\\s*(${name})\\s+AS\\s*\\(`, 'gi'))].map((m) =>
      unquote(m[1]!),
    ),
  );
  const refs: TableRef[] = [];
  for (const m of code.matchAll(new RegExp(`\\b(?:FROM|JOIN)\\s+(${name})(?:\\s*\\.\\s*(${name}))?`, 'gi'))) {
    const at = m.index + m[0].length - m[0].replace(/^\S+\s+/, '').length;
    if (m[2] !== undefined) refs.push({ database: unquote(m[1]!), table: unquote(m[2]), at });
    else if (!ctes.has(unquote(m[1]!))) refs.push({ database, table: unquote(m[1]!), at });
  }
  return refs;
}

/** Trino's position of an error: `line L:C`, both from 1. */
function lineCol(sql: string, at: number): string {
  const before = sql.slice(0, at).split('\n');
  return `line ${before.length}:${before[before.length - 1]!.length + 1}`;
}

/** The values `"column" = '...'` gives a column in the query (any case, quoted or not). */
function equalities(sql: string, column: string): string[] {
  const pattern = new RegExp(`(?:"${column}"|\\b${column}\\b)\\s*=\\s*'((?:[^']|'')*)'`, 'gi');
  return [...sql.matchAll(pattern)].map((m) => m[1]!.replaceAll("''", "'"));
}

/** A Java DateTimeFormatter pattern of y, M, d and literals as a RegExp, or undefined. */
function dateFormat(format: string): RegExp | undefined {
  if (!/^(?:yyyy|MM|dd|[^A-Za-z'])+$/.test(format)) return undefined;
  const source = format.replace(/yyyy|MM|dd|[^A-Za-z]/g, (t) =>
    t === 'yyyy'
      ? '(\\d{4})'
      : t === 'MM'
        ? '(\\d{2})'
        : t === 'dd'
          ? '(\\d{2})'
          : t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
  );
  return new RegExp(`^${source}$`);
}

/** A date projection value as YYYY-MM-DD (for comparing), or undefined if `format` does not read it. */
function isoOf(value: string, format: string): string | undefined {
  const pattern = dateFormat(format);
  const m = pattern?.exec(value);
  if (!m) return undefined;
  const order = [...format.matchAll(/yyyy|MM|dd/g)].map((t) => t[0]);
  const part = (t: string) => m[order.indexOf(t) + 1]!;
  const iso = `${part('yyyy')}-${part('MM')}-${part('dd')}`;
  const time = Date.parse(`${iso}T00:00:00Z`);
  return Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== iso ? undefined : iso;
}

/** The partitions partition projection gives for the query: each a column → value record. */
function projectedPartitions(table: Table, sql: string): Array<Record<string, string>> {
  const p = table.Parameters ?? {};
  const keys = (table.PartitionKeys ?? []).map((k) => k.Name!.toLowerCase());
  if (keys.length === 0) return [{}];
  if (p['projection.enabled'] !== 'true') return [];
  let partitions: Array<Record<string, string>> = [{}];
  for (const key of keys) {
    const type = p[`projection.${key}.type`];
    const asked = equalities(sql, key);
    let values: string[];
    if (type === 'enum') {
      const all = (p[`projection.${key}.values`] ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      values = asked.length > 0 ? all.filter((v) => asked.includes(v)) : all;
    } else if (type === 'date') {
      const format = p[`projection.${key}.format`] ?? '';
      if (!dateFormat(format))
        throw new QueryFailed(`athena-duck cannot read the date format ${JSON.stringify(format)} of ${key}`);
      if (asked.length === 0)
        throw new QueryFailed(
          `athena-duck needs "${key}" = '...' in the query to pick the partitions of ${key}`,
        );
      if (
        (p[`projection.${key}.interval`] ?? '1') !== '1' ||
        (p[`projection.${key}.interval.unit`] ?? 'DAYS') !== 'DAYS'
      ) {
        throw new QueryFailed(
          `athena-duck emulates only a date projection of one day per partition (${key})`,
        );
      }
      const [from = '', to = ''] = (p[`projection.${key}.range`] ?? '').split(',').map((s) => s.trim());
      const today = new Date().toISOString().slice(0, 10);
      const start = isoOf(from, format);
      const end = to.toUpperCase() === 'NOW' ? today : isoOf(to, format);
      if (!start || !end)
        throw new QueryFailed(`athena-duck cannot read the range of ${key}: ${p[`projection.${key}.range`]}`);
      // A value the format does not read, or out of the range, is no partition: no rows.
      values = asked.filter((v) => {
        const iso = isoOf(v, format);
        return iso !== undefined && iso >= start && iso <= end;
      });
    } else {
      throw new QueryFailed(`athena-duck does not emulate ${key}'s projection type ${JSON.stringify(type)}`);
    }
    partitions = partitions.flatMap((part) => values.map((v) => ({ ...part, [key]: v })));
  }
  return partitions;
}

/** Where a partition's objects are, as s3://bucket/prefix/ . */
function partitionLocation(table: Table, partition: Record<string, string>): string {
  const template = table.Parameters?.['storage.location.template'];
  let uri: string;
  if (template !== undefined) {
    uri = template.replace(/\$\{([^}]+)\}/g, (whole, name: string) => partition[name.toLowerCase()] ?? whole);
  } else {
    const base = (table.StorageDescriptor?.Location ?? '').replace(/\/?$/, '/');
    uri =
      base +
      Object.entries(partition)
        .map(([k, v]) => `${k}=${v}/`)
        .join('');
  }
  return uri.endsWith('/') ? uri : `${uri}/`;
}

export async function startAthenaDuck(options: { motoUrl: string }): Promise<AthenaDuck> {
  const target = new URL(options.motoUrl);
  const queries: AthenaDuckQuery[] = [];
  const byId = new Map<string, AthenaDuckQuery>();
  const clients = new Map<string, { glue: GlueClient; s3: S3Client; sts: STSClient; account?: string }>();

  /** moto's clients acting as the caller: moto answers them for the caller's account. */
  const clientsOf = (caller: Caller) => {
    const id = `${caller.accessKeyId}/${caller.region}`;
    let c = clients.get(id);
    if (!c) {
      const config = {
        region: caller.region,
        endpoint: options.motoUrl,
        credentials: { accessKeyId: caller.accessKeyId, secretAccessKey: DUMMY_SECRET },
        maxAttempts: 1,
      };
      c = {
        glue: new GlueClient(config),
        s3: new S3Client({ ...config, forcePathStyle: true }),
        sts: new STSClient(config),
      };
      clients.set(id, c);
    }
    return c;
  };

  const accountOf = async (caller: Caller): Promise<string> => {
    const c = clientsOf(caller);
    c.account ??= (await c.sts.send(new GetCallerIdentityCommand({}))).Account!;
    return c.account;
  };

  const getTable = async (caller: Caller, ref: TableRef, sql: string): Promise<Table> => {
    const { glue } = clientsOf(caller);
    try {
      await glue.send(new GetDatabaseCommand({ Name: ref.database }));
    } catch (error) {
      if ((error as Error).name !== 'EntityNotFoundException') throw error;
      throw new QueryFailed(
        `SCHEMA_NOT_FOUND: ${lineCol(sql, ref.at)}: Schema '${ref.database}' does not exist`,
      );
    }
    try {
      return (await glue.send(new GetTableCommand({ DatabaseName: ref.database, Name: ref.table }))).Table!;
    } catch (error) {
      if ((error as Error).name !== 'EntityNotFoundException') throw error;
      throw new QueryFailed(
        `TABLE_NOT_FOUND: ${lineCol(sql, ref.at)}: Table 'awsdatacatalog.${ref.database}.${ref.table}' does not exist`,
      );
    }
  };

  /** The objects of one partition, read; their sizes are added to `objects`. */
  const readPartition = async (
    caller: Caller,
    location: string,
    objects: Plan['objects'],
  ): Promise<SerdeRow[][]> => {
    const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
    if (!m) throw new QueryFailed(`HIVE_UNKNOWN_ERROR: not an S3 location: ${location}`);
    const [, bucket, prefix] = m as unknown as [string, string, string];
    const { s3 } = clientsOf(caller);
    const keys: Array<{ key: string; size: number }> = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        );
      } catch (error) {
        // ASSUMED wording: how Athena words a partition in a missing bucket was not found.
        if ((error as Error).name === 'NoSuchBucket') {
          throw new QueryFailed(`HIVE_FILESYSTEM_ERROR: The specified bucket does not exist: ${location}`);
        }
        throw error;
      }
      for (const o of page.Contents ?? []) {
        const name = o.Key!.slice(prefix.length);
        if (name === '' || name.startsWith('_') || name.startsWith('.')) continue;
        keys.push({ key: o.Key!, size: o.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const parts: SerdeRow[][] = [];
    for (const { key, size } of keys) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const bytes = Buffer.from(await object.Body!.transformToByteArray());
      const text = (key.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
      objects.push({ uri: `s3://${bucket}/${key}`, size });
      parts.push(objectRows(text));
    }
    return parts;
  };

  /** Runs the query as Athena would; a QueryFailed is the reason it ends FAILED. */
  const plan = async (caller: Caller, sql: string, database: string | undefined): Promise<Plan> => {
    const objects: Plan['objects'] = [];
    try {
      const refs = tableRefs(sql, (database ?? 'default').toLowerCase());
      const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
      const duck = await instance.connect();
      try {
        const made = new Set<string>();
        for (const ref of refs) {
          const name = `${ref.database}.${ref.table}`;
          if (made.has(name)) continue;
          made.add(name);
          const table = await getTable(caller, ref, sql);
          const parts: Array<{ rows: SerdeRow[]; partition: Record<string, string> }> = [];
          for (const partition of projectedPartitions(table, sql)) {
            for (const rows of await readPartition(caller, partitionLocation(table, partition), objects)) {
              parts.push({ rows, partition });
            }
          }
          await createAthenaTable(duck, {
            database: ref.database,
            table: ref.table,
            columns: (table.StorageDescriptor?.Columns ?? []).map((c) => c.Name!.toLowerCase()),
            partitionKeys: (table.PartitionKeys ?? []).map((k) => k.Name!.toLowerCase()),
            parts,
          });
        }
        if (database !== undefined) {
          await duck.run(`CREATE SCHEMA IF NOT EXISTS "${database.replaceAll('"', '""')}"`);
          await duck.run(`USE memory."${database.replaceAll('"', '""')}"`);
        }
        let result;
        try {
          result = await duck.runAndReadAll(sql);
        } catch (error) {
          throw new QueryFailed(`athena-duck: DuckDB could not run the query: ${(error as Error).message}`);
        }
        return { result: athenaResultSet(result), objects };
      } finally {
        duck.closeSync();
        instance.closeSync();
      }
    } catch (error) {
      if (error instanceof QueryFailed) return { objects, error: error.message };
      throw error;
    }
  };

  /** Queues one result in moto for the caller's account and region. */
  const queue = async (caller: Caller, result: AthenaResultSet): Promise<void> => {
    const response = await fetch(new URL('/moto-api/static/athena/query-results', target), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        account_id: await accountOf(caller),
        region: caller.region,
        results: [{ rows: result.rows, column_info: result.columnInfo }],
      }),
    });
    const text = await response.text();
    if (response.status !== 201)
      throw new Error(`moto refused the Athena result: HTTP ${response.status} ${text}`);
  };

  /** Sends the request, with its buffered body, to moto; the answer is buffered too. */
  const forward = async (request: IncomingMessage, body: Buffer) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers.set(name, value);
    }
    const upstream = await fetch(new URL(request.url ?? '/', target), { method: 'POST', headers, body });
    const passed: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!HOP_HEADERS.has(name)) passed[name] = value;
    });
    return { status: upstream.status, headers: passed, body: Buffer.from(await upstream.arrayBuffer()) };
  };

  let lock: Promise<unknown> = Promise.resolve();
  /** Runs `task` after every task before it has ended. */
  const serialized = <T>(task: () => Promise<T>): Promise<T> => {
    const run = lock.then(task, task);
    lock = run.catch(() => undefined);
    return run;
  };

  const startQuery = async (request: IncomingMessage, body: Buffer) => {
    const input = JSON.parse(body.toString('utf8')) as {
      QueryString?: string;
      QueryExecutionContext?: { Database?: string };
    };
    const caller = callerOf(request);
    const sql = input.QueryString ?? '';
    const planned = await plan(caller, sql, input.QueryExecutionContext?.Database);
    return serialized(async () => {
      if (planned.result) await queue(caller, planned.result);
      const answer = await forward(request, body);
      const id =
        answer.status === 200
          ? (JSON.parse(answer.body.toString('utf8')) as { QueryExecutionId?: string }).QueryExecutionId
          : undefined;
      if (id === undefined) {
        // moto refused the start (a missing workgroup): the queued result must not go to the next query.
        if (planned.result) await drain(request);
        return answer;
      }
      const query: AthenaDuckQuery = {
        id,
        sql,
        bytesScanned: planned.error ? 0 : planned.objects.reduce((sum, o) => sum + o.size, 0),
        objects: planned.objects,
        rows: planned.result ? planned.result.rows.length - 1 : 0,
        ...(planned.error ? { error: planned.error } : {}),
      };
      queries.push(query);
      byId.set(id, query);
      return answer;
    });
  };

  /** Takes the result left in moto's queue with a query of no workgroup (moto then checks none). */
  const drain = async (request: IncomingMessage): Promise<void> => {
    const headers: Record<string, string> = {
      'content-type': JSON_11,
      'x-amz-target': 'AmazonAthena.StartQueryExecution',
    };
    if (request.headers.authorization) headers.authorization = request.headers.authorization;
    await fetch(target, {
      method: 'POST',
      headers,
      body: JSON.stringify({ QueryString: 'SELECT 1 -- athena-duck: drain' }),
    });
  };

  /** GetQueryExecution as Athena would answer it: bytes scanned, and FAILED where Athena fails. */
  const describeQuery = async (request: IncomingMessage, body: Buffer) => {
    const answer = await forward(request, body);
    const { QueryExecutionId: id } = JSON.parse(body.toString('utf8')) as { QueryExecutionId?: string };
    const query = id === undefined ? undefined : byId.get(id);
    if (answer.status !== 200 || !query) return answer;
    const output = JSON.parse(answer.body.toString('utf8')) as {
      QueryExecution?: { Status?: Record<string, unknown>; Statistics?: Record<string, unknown> };
    };
    const execution = output.QueryExecution ?? {};
    execution.Statistics = { ...execution.Statistics, DataScannedInBytes: query.bytesScanned };
    if (query.error && execution.Status?.State === 'SUCCEEDED') {
      execution.Status = {
        ...execution.Status,
        State: 'FAILED',
        StateChangeReason: query.error,
        AthenaError: { ErrorCategory: 2, ErrorType: 1000, Retryable: false, ErrorMessage: query.error },
      };
    }
    return { ...answer, body: Buffer.from(JSON.stringify(output)) };
  };

  const queryResults = async (request: IncomingMessage, body: Buffer) => {
    const { QueryExecutionId: id } = JSON.parse(body.toString('utf8')) as { QueryExecutionId?: string };
    const query = id === undefined ? undefined : byId.get(id);
    if (query?.error) {
      // ASSUMED wording; Athena answers GetQueryResults of a failed query with this exception.
      const message = `Query did not finish successfully. Final query state: FAILED (${query.error})`;
      return {
        status: 400,
        headers: { 'content-type': JSON_11, 'x-amzn-errortype': 'InvalidRequestException' },
        body: Buffer.from(JSON.stringify({ __type: 'InvalidRequestException', Message: message })),
      };
    }
    return forward(request, body);
  };

  const athena = async (operation: string, request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const answer =
      operation === 'StartQueryExecution'
        ? await startQuery(request, body)
        : operation === 'GetQueryExecution'
          ? await describeQuery(request, body)
          : operation === 'GetQueryResults'
            ? await queryResults(request, body)
            : await forward(request, body);
    response.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
    response.end(answer.body);
  };

  /** Any other request, streamed both ways. */
  const passThrough = (request: IncomingMessage, response: ServerResponse) => {
    const upstream = httpRequest(
      {
        hostname: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: target.host },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502);
      response.end(String(error));
    });
    request.pipe(upstream);
  };

  const server = createServer((request, response) => {
    const operation = request.headers['x-amz-target'];
    if (request.method === 'POST' && typeof operation === 'string' && operation.startsWith('AmazonAthena.')) {
      athena(operation.slice('AmazonAthena.'.length), request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(
          `athena-duck: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      });
    } else {
      passThrough(request, response);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const c of clients.values()) {
        c.glue.destroy();
        c.s3.destroy();
        c.sts.destroy();
      }
    },
  };
}
