/**
 * A Cost Explorer endpoint for the tests, speaking the real AWS JSON 1.1 protocol. The product
 * has one Cost Explorer endpoint (AWS_ENDPOINT_URL_COST_EXPLORER); moto answers GetCostAndUsage
 * but not GetDimensionValues, GetAnomalies or GetCostForecast. So this server answers those three
 * from configured data and forwards everything else to moto unchanged.
 *
 * Data is per account, the account of the request's access key (./caller.ts asks moto). Cost
 * Explorer has one endpoint in us-east-1 for every region, so regions are not partitions here:
 * a line's region is its REGION dimension. An account given cost lines (setCostLines) gets
 * GetCostAndUsage computed from them (./cost-lines.ts), its organization's management account
 * its members' lines too; without lines the request goes to moto's seeded answers as before.
 *
 * It also counts requests per operation (each costs $0.01 on real AWS, and tests assert on the
 * bill) and can make the next requests fail, to exercise the SDK's retries.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  Anomaly,
  DimensionValuesWithAttributes,
  GetCostForecastResponse,
} from '@aws-sdk/client-cost-explorer';
import {
  ApiError,
  header,
  isObject,
  optionalNumber,
  optionalString,
  paginate,
  parseRequest,
  sendJson,
  startJsonService,
  type JsonObject,
  type JsonService,
} from './aws-json.js';
import { addDays, dayRange } from '../../src/model/dates.js';
import { callerResolver, type Target } from './caller.js';
import { costAndUsage, type CostLine, dimensionValues as valuesOf, type VisibleLine } from './cost-lines.js';

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
  /** The account the options above and loading without a target are for; default 123456789012. */
  accountId?: string;
}

/** One resource's amount on one day, for GetCostAndUsageWithResources. */
export interface ResourceCost {
  day: string;
  resourceId: string;
  usageType: string;
  amount: number;
}

/** Resource-level data: the rows, and the day the 14 days are counted back from. */
export interface ResourceLevel {
  rows: ResourceCost[];
  today: string;
}

/** An AWS Organizations organization as Cost Explorer sees it. */
export interface Organization {
  management: string;
  members: string[];
  /** Account names, for DimensionValueAttributes. */
  names?: Record<string, string>;
}

/**
 * Its faults answer LimitExceededException (HTTP 400) and InternalServerError (HTTP 500). Each
 * setter is for `target.account`, else the default account (`options.accountId`).
 */
export interface CostExplorerServer extends JsonService {
  setDimensionValues(values: NonNullable<CostExplorerOptions['dimensionValues']>, target?: Target): void;
  setAnomalies(anomalies: Anomaly[], target?: Target): void;
  setForecast(forecast: ForecastSetting | undefined, target?: Target): void;
  /** Unset: the account has not opted in, and GetCostAndUsageWithResources says so. */
  setResourceLevel(level: ResourceLevel | undefined, target?: Target): void;
  /** The account's own bill; from then on its GetCostAndUsage is computed, not moto's. */
  setCostLines(lines: CostLine[], target?: Target): void;
  /** Its management account's Cost Explorer sees the members' lines as well. */
  setOrganization(organization: Organization | undefined): void;
}

interface AccountData {
  dimensionValues: NonNullable<CostExplorerOptions['dimensionValues']>;
  anomalies: Anomaly[];
  forecast: ForecastSetting | undefined;
  resourceLevel: ResourceLevel | undefined;
  lines: CostLine[] | undefined;
}

export async function startCostExplorer(options: CostExplorerOptions): Promise<CostExplorerServer> {
  const motoUrl = options.motoUrl.replace(/\/+$/, '');
  const pageSize = options.pageSize ?? 1000;
  const defaultAccount = options.accountId ?? '123456789012';
  // The default region only names unsigned requests: data is per account.
  const callers = callerResolver({ account: defaultAccount, region: 'us-east-1' }, motoUrl);
  const accounts = new Map<string, AccountData>();
  const data = (account: string): AccountData => {
    let found = accounts.get(account);
    if (!found) {
      found = {
        dimensionValues: {},
        anomalies: [],
        forecast: undefined,
        resourceLevel: undefined,
        lines: undefined,
      };
      accounts.set(account, found);
    }
    return found;
  };
  const of = (target: Target | undefined): AccountData => data(target?.account ?? defaultAccount);
  Object.assign(of(undefined), {
    dimensionValues: options.dimensionValues ?? {},
    anomalies: options.anomalies ?? [],
    forecast: options.forecast,
  });
  let organization: Organization | undefined;

  /** The lines `account` sees, or undefined when its GetCostAndUsage is moto's. */
  const visibleLines = (account: string): VisibleLine[] | undefined => {
    const own = accounts.get(account)?.lines;
    const members = organization?.management === account ? organization.members : [account];
    if (own === undefined && !members.some((m) => accounts.get(m)?.lines)) return undefined;
    return members.flatMap((m) => (accounts.get(m)?.lines ?? []).map((l) => ({ ...l, linkedAccount: m })));
  };

  const service = await startJsonService({
    targetPrefix: 'AWSInsightsIndexService.',
    throttleCode: 'LimitExceededException',
    internalErrorCode: 'InternalServerError',
    operations: {
      GetDimensionValues: (request, caller) =>
        getDimensionValues(
          request,
          data(caller.account).dimensionValues,
          pageSize,
          visibleLines(caller.account),
        ),
      GetAnomalies: (request, caller) => getAnomalies(request, data(caller.account).anomalies, pageSize),
      GetCostForecast: (request, caller) => getCostForecast(request, data(caller.account).forecast),
      GetCostAndUsageWithResources: (request, caller) =>
        getCostAndUsageWithResources(request, data(caller.account).resourceLevel),
    },
    partition: (req) => callers.partition(req),
    fallback: async (req, res, body, caller) => {
      const lines = visibleLines(caller.account);
      if (lines === undefined || header(req, 'x-amz-target') !== 'AWSInsightsIndexService.GetCostAndUsage') {
        return forward(req, res, body, motoUrl);
      }
      const names = new Map(Object.entries(organization?.names ?? {}));
      return sendJson(res, 200, costAndUsage(parseRequest(body), lines, names));
    },
  });
  return {
    ...service,
    setDimensionValues: (values, target) => void (of(target).dimensionValues = values),
    setAnomalies: (list, target) => void (of(target).anomalies = list),
    setForecast: (setting, target) => void (of(target).forecast = setting),
    setResourceLevel: (level, target) => void (of(target).resourceLevel = level),
    setCostLines: (lines, target) => void (of(target).lines = lines),
    setOrganization: (org) => void (organization = org),
  };
}

// ---- The three operations moto lacks ----

/** Configured values first; an account with cost lines lists those of the period otherwise. */
function getDimensionValues(
  request: JsonObject,
  configured: NonNullable<CostExplorerOptions['dimensionValues']>,
  pageSize: number,
  lines: VisibleLine[] | undefined,
): unknown {
  requireDateInterval(request.TimePeriod, 'TimePeriod');
  const dimension = requireString(request.Dimension, 'Dimension');
  const period = request.TimePeriod as { Start: string; End: string };
  if (configured[dimension] === undefined && lines !== undefined) {
    const inPeriod = lines.filter((l) => l.day >= period.Start && l.day < period.End);
    configured = { [dimension]: valuesOf(inPeriod, dimension) };
  }
  // A substring match ignoring case; the API reference only says "the value that you want to
  // search the filter values for", so tests should not lean on finer points.
  const search = optionalString(request.SearchString)?.toLowerCase();
  const all = (configured[dimension] ?? []).map((v) =>
    typeof v === 'string' ? { Value: v, Attributes: {} } : v,
  );
  const matching = search ? all.filter((v) => (v.Value ?? '').toLowerCase().includes(search)) : all;
  // AWS documents MaxResults as used only together with SortBy.
  const maxResults = request.SortBy === undefined ? undefined : optionalNumber(request.MaxResults);
  const page = paginate(request, matching, Math.min(pageSize, maxResults ?? pageSize), 'NextPageToken');
  return {
    DimensionValues: page.items,
    ReturnSize: page.items.length,
    TotalSize: matching.length,
    ...(page.next ? { NextPageToken: page.next } : {}),
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
    'NextPageToken',
  );
  return { Anomalies: page.items, ...(page.next ? { NextPageToken: page.next } : {}) };
}

/**
 * Documented (API reference): Filter, Granularity and TimePeriod are required, Metrics too, and the
 * period must start within the last 14 days; a request groups or filters by resource. Assumed: the
 * error of an account that has not opted in (DataUnavailableException), and that no row is dropped
 * by the Filter (the tests configure Lattice rows only).
 */
function getCostAndUsageWithResources(request: JsonObject, level: ResourceLevel | undefined): unknown {
  const period = requireObject(request.TimePeriod, 'TimePeriod');
  const start = requireString(period.Start, 'TimePeriod.Start');
  const end = requireString(period.End, 'TimePeriod.End');
  requireObject(request.Filter, 'Filter');
  if (request.Granularity !== 'DAILY')
    throw new ApiError('ValidationException', 'Only DAILY is served here.');
  const metrics = Array.isArray(request.Metrics) ? request.Metrics.map(String) : [];
  if (metrics.length === 0) throw new ApiError('ValidationException', 'Metrics is required.');
  const keys = (Array.isArray(request.GroupBy) ? request.GroupBy : []).map((g) =>
    isObject(g) ? String(g.Key) : '',
  );
  if (!keys.includes('RESOURCE_ID')) {
    throw new ApiError('ValidationException', 'Group by or filter by RESOURCE_ID.');
  }
  if (!level) {
    throw new ApiError('DataUnavailableException', 'Resource-level data is not enabled for this account.');
  }
  if (start < addDays(level.today, -14)) {
    throw new ApiError('ValidationException', 'Start date is more than 14 days ago.');
  }
  const results = dayRange(start, end).map((day) => ({
    TimePeriod: { Start: day, End: addDays(day, 1) },
    Total: {},
    Groups: level.rows
      .filter((r) => r.day === day)
      .map((r) => ({
        Keys: keys.map((k) => (k === 'RESOURCE_ID' ? r.resourceId : r.usageType)),
        Metrics: Object.fromEntries(metrics.map((m) => [m, { Amount: r.amount.toFixed(10), Unit: 'USD' }])),
      })),
    Estimated: false,
  }));
  return { GroupDefinitions: keys.map((Key) => ({ Type: 'DIMENSION', Key })), ResultsByTime: results };
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
