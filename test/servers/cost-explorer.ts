/**
 * A Cost Explorer endpoint for the tests, speaking the real AWS JSON 1.1 protocol. The product
 * has one Cost Explorer endpoint (AWS_ENDPOINT_URL_COST_EXPLORER); moto answers GetCostAndUsage
 * but not GetDimensionValues, GetAnomalies or GetCostForecast. So this server answers those three
 * from configured data and forwards everything else to moto unchanged.
 *
 * It also counts requests per operation (each costs $0.01 on real AWS, and tests assert on the
 * bill) and can make the next requests fail, to exercise the SDK's retries.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type {
  Anomaly,
  DimensionValuesWithAttributes,
  GetCostForecastResponse,
} from '@aws-sdk/client-cost-explorer';

const TARGET_PREFIX = 'AWSInsightsIndexService.';
const JSON_11 = 'application/x-amz-json-1.1';

/** A configured forecast, or the error GetCostForecast should answer with. */
export type ForecastSetting = GetCostForecastResponse | { error: string; message?: string };

export interface CostExplorerOptions {
  /** moto's URL: where GetCostAndUsage and every other unhandled operation go. */
  motoUrl: string;
  /** Values per `Dimension` (SERVICE, USAGE_TYPE, …), returned in this order. */
  dimensionValues?: Record<string, Array<string | DimensionValuesWithAttributes>>;
  anomalies?: Anomaly[];
  /** Unset means DataUnavailableException, which is what AWS says without enough history. */
  forecast?: ForecastSetting;
  /** Items per page for GetDimensionValues and GetAnomalies; 1000 unless set. */
  pageSize?: number;
}

export interface CostExplorerStats {
  /** Every request received, including retries and injected failures. */
  total: number;
  byOperation: Record<string, number>;
}

export interface CostExplorerFaults {
  /** The next `count` requests (of `operation` only, if given) get HTTP 400 LimitExceededException. */
  throttle(count: number, operation?: string): void;
  /** The next `count` requests (of `operation` only, if given) get HTTP 500. */
  serverError(count: number, operation?: string): void;
  /** Injected failures not yet served. */
  pending(): number;
  clear(): void;
}

export interface CostExplorerServer {
  url: string;
  /** Live counters; read them after the calls under test. */
  stats: CostExplorerStats;
  faults: CostExplorerFaults;
  setDimensionValues(values: NonNullable<CostExplorerOptions['dimensionValues']>): void;
  setAnomalies(anomalies: Anomaly[]): void;
  setForecast(forecast: ForecastSetting | undefined): void;
  resetStats(): void;
  close(): Promise<void>;
}

interface Fault {
  kind: 'throttle' | 'server-error';
  operation: string | undefined;
  remaining: number;
}

/** An error answer in the JSON 1.1 protocol: the SDK reads the code from `__type`. */
class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type JsonObject = Record<string, unknown>;

export async function startCostExplorer(options: CostExplorerOptions): Promise<CostExplorerServer> {
  const motoUrl = options.motoUrl.replace(/\/+$/, '');
  const pageSize = options.pageSize ?? 1000;
  let dimensionValues = options.dimensionValues ?? {};
  let anomalies = options.anomalies ?? [];
  let forecast = options.forecast;
  const stats: CostExplorerStats = { total: 0, byOperation: {} };
  const faults: Fault[] = [];

  const takeFault = (operation: string): Fault | undefined => {
    const fault = faults.find(
      (f) => f.remaining > 0 && (f.operation === undefined || f.operation === operation),
    );
    if (fault) fault.remaining--;
    return fault;
  };

  const handlers: Record<string, (request: JsonObject) => unknown> = {
    GetDimensionValues: (request) => getDimensionValues(request, dimensionValues, pageSize),
    GetAnomalies: (request) => getAnomalies(request, anomalies, pageSize),
    GetCostForecast: (request) => getCostForecast(request, forecast),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const target = header(req, 'x-amz-target') ?? '';
    const operation = target.startsWith(TARGET_PREFIX)
      ? target.slice(TARGET_PREFIX.length)
      : target || 'unknown';
    stats.total++;
    stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;

    const fault = takeFault(operation);
    if (fault?.kind === 'throttle') throw new ApiError('LimitExceededException', 'Rate exceeded');
    if (fault?.kind === 'server-error') throw new ApiError('InternalServerError', 'Injected failure', 500);

    const handler = handlers[operation];
    if (req.method !== 'POST' || !handler) return forward(req, res, body, motoUrl);
    if (!(header(req, 'content-type') ?? '').startsWith(JSON_11)) {
      throw new ApiError('UnsupportedMediaType', `Expected Content-Type ${JSON_11}`, 415);
    }
    sendJson(res, 200, handler(parseRequest(body)));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const apiError =
        error instanceof ApiError ? error : new ApiError('InternalServerError', String(error), 500);
      if (res.headersSent) return void res.destroy();
      sendJson(res, apiError.status, { __type: apiError.code, message: apiError.message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const inject = (kind: Fault['kind'], count: number, operation?: string): void => {
    faults.push({ kind, operation, remaining: count });
  };

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    faults: {
      throttle: (count, operation) => inject('throttle', count, operation),
      serverError: (count, operation) => inject('server-error', count, operation),
      pending: () => faults.reduce((sum, f) => sum + f.remaining, 0),
      clear: () => void faults.splice(0),
    },
    setDimensionValues: (values) => void (dimensionValues = values),
    setAnomalies: (list) => void (anomalies = list),
    setForecast: (setting) => void (forecast = setting),
    resetStats: () => {
      // In place, so references the caller kept stay live.
      stats.total = 0;
      for (const operation of Object.keys(stats.byOperation)) delete stats.byOperation[operation];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The SDK keeps connections alive; close() alone would wait for them.
        server.closeAllConnections();
      }),
  };
}

// ---- The three operations moto lacks ----

function getDimensionValues(
  request: JsonObject,
  configured: NonNullable<CostExplorerOptions['dimensionValues']>,
  pageSize: number,
): unknown {
  requireDateInterval(request.TimePeriod, 'TimePeriod');
  const dimension = requireString(request.Dimension, 'Dimension');
  // A substring match ignoring case; the API reference only says "the value that you want to
  // search the filter values for", so tests should not lean on finer points.
  const search = optionalString(request.SearchString)?.toLowerCase();
  const all = (configured[dimension] ?? []).map((v) =>
    typeof v === 'string' ? { Value: v, Attributes: {} } : v,
  );
  const matching = search ? all.filter((v) => (v.Value ?? '').toLowerCase().includes(search)) : all;
  // AWS documents MaxResults as used only together with SortBy.
  const maxResults = request.SortBy === undefined ? undefined : optionalNumber(request.MaxResults);
  const page = paginate(request, matching, Math.min(pageSize, maxResults ?? pageSize));
  return {
    DimensionValues: page.items,
    ReturnSize: page.items.length,
    TotalSize: matching.length,
    ...(page.nextPageToken ? { NextPageToken: page.nextPageToken } : {}),
  };
}

function getAnomalies(request: JsonObject, configured: Anomaly[], pageSize: number): unknown {
  const interval = requireObject(request.DateInterval, 'DateInterval');
  const start = requireString(interval.StartDate, 'DateInterval.StartDate').slice(0, 10);
  const end = optionalString(interval.EndDate)?.slice(0, 10);
  const monitorArn = optionalString(request.MonitorArn);
  const feedback = optionalString(request.Feedback);
  const impact =
    request.TotalImpact === undefined ? undefined : requireObject(request.TotalImpact, 'TotalImpact');

  const matching = configured.filter((anomaly) => {
    // DateInterval is matched against the end date; an anomaly still open has none yet.
    const day = (anomaly.AnomalyEndDate ?? anomaly.AnomalyStartDate ?? '').slice(0, 10);
    if (day < start || (end !== undefined && day > end)) return false;
    if (monitorArn !== undefined && anomaly.MonitorArn !== monitorArn) return false;
    if (feedback !== undefined && anomaly.Feedback !== feedback) return false;
    return impact === undefined || matchesImpact(anomaly.Impact?.TotalImpact ?? 0, impact);
  });
  const page = paginate(
    request,
    matching,
    Math.min(pageSize, optionalNumber(request.MaxResults) ?? pageSize),
  );
  return { Anomalies: page.items, ...(page.nextPageToken ? { NextPageToken: page.nextPageToken } : {}) };
}

function matchesImpact(value: number, filter: JsonObject): boolean {
  const from = optionalNumber(filter.StartValue) ?? 0;
  const to = optionalNumber(filter.EndValue);
  switch (requireString(filter.NumericOperator, 'TotalImpact.NumericOperator')) {
    case 'EQUAL':
      return value === from;
    case 'GREATER_THAN_OR_EQUAL':
      return value >= from;
    case 'LESS_THAN_OR_EQUAL':
      return value <= from;
    case 'GREATER_THAN':
      return value > from;
    case 'LESS_THAN':
      return value < from;
    case 'BETWEEN':
      if (to === undefined) throw new ApiError('ValidationException', 'BETWEEN needs TotalImpact.EndValue');
      return value >= from && value <= to;
    default:
      throw new ApiError('ValidationException', 'Unknown TotalImpact.NumericOperator');
  }
}

function getCostForecast(request: JsonObject, forecast: ForecastSetting | undefined): unknown {
  requireDateInterval(request.TimePeriod, 'TimePeriod');
  requireString(request.Metric, 'Metric');
  requireString(request.Granularity, 'Granularity');
  if (forecast === undefined) {
    throw new ApiError(
      'DataUnavailableException',
      'Insufficient amount of historical data to generate forecast.',
    );
  }
  if ('error' in forecast) throw new ApiError(forecast.error, forecast.message ?? forecast.error);
  return forecast;
}

// ---- Paging: the token is opaque to the client, and bound to the rest of the request ----

function paginate<T>(request: JsonObject, items: T[], size: number): { items: T[]; nextPageToken?: string } {
  const { NextPageToken: token, MaxResults: _ignored, ...rest } = request;
  const fingerprint = JSON.stringify(rest);
  let offset = 0;
  if (token !== undefined) {
    offset = decodeToken(token, fingerprint);
  }
  const end = offset + Math.max(1, size);
  const nextPageToken =
    end < items.length
      ? Buffer.from(JSON.stringify({ offset: end, fingerprint })).toString('base64url')
      : undefined;
  return { items: items.slice(offset, end), ...(nextPageToken ? { nextPageToken } : {}) };
}

function decodeToken(token: unknown, fingerprint: string): number {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8'));
    if (
      isObject(decoded) &&
      typeof decoded.offset === 'number' &&
      Number.isInteger(decoded.offset) &&
      decoded.offset >= 0 &&
      decoded.fingerprint === fingerprint
    ) {
      return decoded.offset;
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError('InvalidNextTokenException', 'The pagination token is invalid.');
}

// ---- Forwarding to moto ----

async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  motoUrl: string,
): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    // Authorization carries the account and region moto answers for; hop-by-hop headers stay here.
    if (
      value === undefined ||
      ['host', 'connection', 'content-length', 'transfer-encoding', 'expect'].includes(name)
    ) {
      continue;
    }
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const upstream = await fetch(`${motoUrl}${req.url ?? '/'}`, {
    method: req.method ?? 'POST',
    headers,
    ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
  });
  const payload = Buffer.from(await upstream.arrayBuffer());
  const out: Record<string, string> = {};
  upstream.headers.forEach((value, name) => {
    // fetch has already decoded the body, so length and encoding are ours to set.
    if (
      !['connection', 'content-length', 'content-encoding', 'transfer-encoding', 'keep-alive'].includes(name)
    ) {
      out[name] = value;
    }
  });
  res.writeHead(upstream.status, { ...out, 'content-length': payload.length });
  res.end(payload);
}

// ---- Small helpers ----

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': JSON_11,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseRequest(body: Buffer): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.length ? body.toString('utf8') : '{}');
  } catch {
    throw new ApiError('SerializationException', 'The request body is not valid JSON.');
  }
  if (!isObject(parsed))
    throw new ApiError('SerializationException', 'The request body must be a JSON object.');
  return parsed;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireObject(value: unknown, name: string): JsonObject {
  if (!isObject(value)) throw new ApiError('ValidationException', `${name} is required.`);
  return value;
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '')
    throw new ApiError('ValidationException', `${name} is required.`);
  return value;
}

function requireDateInterval(value: unknown, name: string): void {
  const interval = requireObject(value, name);
  requireString(interval.Start, `${name}.Start`);
  requireString(interval.End, `${name}.End`);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
