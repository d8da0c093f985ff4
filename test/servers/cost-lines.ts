/**
 * GetCostAndUsage computed from cost lines, the way Cost Explorer answers it (API reference,
 * "GetCostAndUsage", and the "Expression", "GroupDefinition" and "Group" data types):
 * - TimePeriod: Start inclusive, End exclusive; DAILY or MONTHLY periods, clipped to it.
 * - Filter: And / Or / Not of Dimensions (Key, Values) and Tags (Key, Values).
 * - GroupBy: at most two, dimensions or tag keys; each group's Keys are in GroupBy's order, a tag's
 *   as "key$value" ("key$" untagged). Grouped periods have an empty Total, ungrouped ones a Total.
 * - A management account sees its members' lines, a member only its own ("Management account in
 *   an organization in Organizations have access to all member accounts"); grouping by
 *   LINKED_ACCOUNT adds DimensionValueAttributes with the account's name ("if the value is a linked
 *   account, the attribute is that account name"; the attribute key `description` is assumed).
 * Not emulated: paging (one page always), Estimated beyond what lines say, other metrics' units.
 */
import { ApiError, isObject, type JsonObject } from './aws-json.js';
import { addDays, dayRange } from '../../src/model/dates.js';

/** One amount on a day, as a bill line: the dimensions GetCostAndUsage filters and groups by. */
export interface CostLine {
  day: string;
  usageType: string;
  amount: number;
  /** Default 'Usage'; credits are 'Credit' with a negative amount. */
  recordType?: string;
  region?: string;
  /** Default 'Amazon Virtual Private Cloud'. */
  service?: string;
  tags?: Record<string, string>;
  estimated?: boolean;
}

/** A line as an account's Cost Explorer sees it: with the account it was billed to. */
export interface VisibleLine extends CostLine {
  linkedAccount: string;
}

const MAX_GROUPS = 2;

function dimension(line: VisibleLine, key: string): string {
  switch (key) {
    case 'USAGE_TYPE':
      return line.usageType;
    case 'RECORD_TYPE':
      return line.recordType ?? 'Usage';
    case 'LINKED_ACCOUNT':
      return line.linkedAccount;
    case 'REGION':
      return line.region ?? 'global';
    case 'SERVICE':
      return line.service ?? 'Amazon Virtual Private Cloud';
    default:
      throw new ApiError('ValidationException', `Dimension ${key} is not served here.`);
  }
}

/** The values of `key` among `lines`, sorted: what GetDimensionValues lists for a period. */
export function dimensionValues(lines: VisibleLine[], key: string): string[] {
  return [...new Set(lines.map((l) => dimension(l, key)))].sort();
}

function matches(line: VisibleLine, expression: JsonObject): boolean {
  const parts = ['And', 'Or', 'Not', 'Dimensions', 'Tags'].filter((k) => expression[k] !== undefined);
  if (parts.length !== 1) {
    throw new ApiError(
      'ValidationException',
      'An Expression holds exactly one of And, Or, Not, Dimensions, Tags.',
    );
  }
  const list = (value: unknown): JsonObject[] => (Array.isArray(value) ? value.filter(isObject) : []);
  const values = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
  if (expression.And !== undefined) return list(expression.And).every((e) => matches(line, e));
  if (expression.Or !== undefined) return list(expression.Or).some((e) => matches(line, e));
  if (expression.Not !== undefined) return isObject(expression.Not) && !matches(line, expression.Not);
  if (isObject(expression.Dimensions)) {
    const { Key, Values } = expression.Dimensions;
    return values(Values).includes(dimension(line, String(Key)));
  }
  const tags = isObject(expression.Tags) ? expression.Tags : {};
  return values(tags.Values).includes(line.tags?.[String(tags.Key)] ?? '');
}

function groupKey(line: VisibleLine, definition: { Type: string; Key: string }): string {
  if (definition.Type === 'TAG') return `${definition.Key}$${line.tags?.[definition.Key] ?? ''}`;
  return dimension(line, definition.Key);
}

/** The periods of [start, end): days, or calendar months clipped to the range. */
function periods(start: string, end: string, granularity: string): Array<{ Start: string; End: string }> {
  if (granularity === 'DAILY') return dayRange(start, end).map((d) => ({ Start: d, End: addDays(d, 1) }));
  if (granularity !== 'MONTHLY')
    throw new ApiError('ValidationException', `Granularity ${granularity} is not served here.`);
  const out: Array<{ Start: string; End: string }> = [];
  for (let from = start; from < end;) {
    const next = `${addDays(`${from.slice(0, 7)}-28`, 4).slice(0, 7)}-01`;
    const to = next < end ? next : end;
    out.push({ Start: from, End: to });
    from = to;
  }
  return out;
}

const amount = (value: number): string => value.toFixed(10);

export function costAndUsage(
  request: JsonObject,
  lines: VisibleLine[],
  accountNames: ReadonlyMap<string, string>,
): unknown {
  const period = isObject(request.TimePeriod) ? request.TimePeriod : {};
  const start = typeof period.Start === 'string' ? period.Start : '';
  const end = typeof period.End === 'string' ? period.End : '';
  if (!start || !end || start >= end)
    throw new ApiError('ValidationException', 'TimePeriod needs Start before End.');
  const metrics = Array.isArray(request.Metrics) ? request.Metrics.map(String) : [];
  if (metrics.length === 0) throw new ApiError('ValidationException', 'Metrics is required.');
  const definitions = (Array.isArray(request.GroupBy) ? request.GroupBy : []).map((g) => ({
    Type: isObject(g) ? String(g.Type) : '',
    Key: isObject(g) ? String(g.Key) : '',
  }));
  if (definitions.length > MAX_GROUPS) {
    throw new ApiError('ValidationException', 'You can group by at most two dimensions or tag keys.');
  }
  const filter = request.Filter === undefined ? undefined : request.Filter;
  if (filter !== undefined && !isObject(filter))
    throw new ApiError('ValidationException', 'Filter must be an Expression.');
  const chosen = lines.filter((l) => l.day >= start && l.day < end && (!filter || matches(l, filter)));
  const metricsOf = (sum: number): JsonObject =>
    Object.fromEntries(metrics.map((m) => [m, { Amount: amount(sum), Unit: 'USD' }]));

  const results = periods(start, end, String(request.Granularity ?? 'MONTHLY')).map((p) => {
    const inPeriod = chosen.filter((l) => l.day >= p.Start && l.day < p.End);
    const estimated = inPeriod.some((l) => l.estimated === true);
    if (definitions.length === 0) {
      return {
        TimePeriod: p,
        Total: metricsOf(inPeriod.reduce((s, l) => s + l.amount, 0)),
        Groups: [],
        Estimated: estimated,
      };
    }
    const sums = new Map<string, { keys: string[]; sum: number }>();
    for (const line of inPeriod) {
      const keys = definitions.map((d) => groupKey(line, d));
      const id = JSON.stringify(keys);
      const group = sums.get(id) ?? { keys, sum: 0 };
      group.sum += line.amount;
      sums.set(id, group);
    }
    const Groups = [...sums.values()]
      .sort((a, b) => (a.keys.join('\n') < b.keys.join('\n') ? -1 : 1))
      .map((g) => ({ Keys: g.keys, Metrics: metricsOf(g.sum) }));
    return { TimePeriod: p, Total: {}, Groups, Estimated: estimated };
  });
  const byAccount = definitions.some((d) => d.Type === 'DIMENSION' && d.Key === 'LINKED_ACCOUNT');
  return {
    GroupDefinitions: definitions,
    ResultsByTime: results,
    DimensionValueAttributes: byAccount
      ? dimensionValues(chosen, 'LINKED_ACCOUNT').map((Value) => ({
          Value,
          Attributes: { description: accountNames.get(Value) ?? Value },
        }))
      : [],
  };
}
