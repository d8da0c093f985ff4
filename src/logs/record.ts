/**
 * One VPC Lattice access-log record, reduced to the fields the report uses.
 * Lattice writes one JSON object per request; a missing value is the string "-".
 */
import { MAX_YEAR, MIN_YEAR, isIsoDay } from '../model/dates.js';
import { type AccessLogRecord, isAuthDenied } from '../model/record.js';

export type ParseResult = { ok: true; record: AccessLogRecord } | { ok: false; reason: string };

const SERVICE_ARN = /^arn:aws[a-z-]*:vpc-lattice:[a-z0-9-]+:\d{12}:service\/svc-[0-9a-z-]+$/;

/** The test toRecord applies to serviceArn; the fast path (fast-scan.ts) applies the same one. */
export function isServiceArn(value: string): boolean {
  return SERVICE_ARN.test(value);
}
/** Lattice's form, UTC with Z; an explicit numeric offset (±HH:MM) is also exact. */
const UTC_SECOND = /^((\d{4})-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const NUMERIC = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** Shortens untrusted text quoted in an error message. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function absent(value: unknown): boolean {
  return value === undefined || value === null || value === '-';
}

/** A number, or a string holding one. Returns undefined for anything else. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
  return undefined;
}

// Few distinct days occur in a log, so their validity is checked once each.
const validDays = new Map<string, boolean>();
function isRealDay(day: string): boolean {
  let valid = validDays.get(day);
  if (valid === undefined) {
    valid = isIsoDay(day);
    if (validDays.size < 100_000) validDays.set(day, valid);
  }
  return valid;
}

function utcDayHour(startTime: string): { day: string; hour: number } | { reason: string } {
  const notTime = (): { reason: string } => ({
    reason: `startTime is not an ISO-8601 time as YYYY-MM-DDTHH:MM:SSZ: ${quote(startTime)}`,
  });
  const m = UTC_SECOND.exec(startTime);
  if (!m) {
    // Read in the machine's zone, such a time would give a day that depends on where the tool runs.
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/.test(startTime)) {
      return { reason: `startTime has no time zone (Lattice writes UTC, ending in Z): ${quote(startTime)}` };
    }
    return notTime();
  }
  const outside = (): { reason: string } => ({
    reason: `startTime ${startTime.length > 40 ? quote(startTime) : startTime} is outside the years ${MIN_YEAR}-${MAX_YEAR}`,
  });
  let day = m[1]!;
  let hour = Number(m[3]);
  const minute = Number(m[4]);
  // 60 is a leap second.
  if (hour > 23 || minute > 59 || Number(m[5]) > 60) return notTime();
  if (m[6] !== undefined) {
    const offsetHours = Number(m[7]);
    const offsetMinutes = Number(m[8]);
    if (offsetHours > 23 || offsetMinutes > 59) return notTime();
    // An offset moves the time by less than a day, so a year one past the bounds may still land
    // inside; further out (where Date.UTC would read 0-99 as 1900-1999) it cannot.
    const year = Number(m[2]);
    if (year < MIN_YEAR - 1 || year > MAX_YEAR + 1) return outside();
    const local = Date.UTC(year, Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)), hour, minute);
    if (new Date(local).toISOString().slice(0, 10) !== day) return notTime();
    // UTC is the local time minus its offset, exactly: whole minutes, no zone database involved.
    const sign = m[6] === '+' ? 1 : -1;
    const utc = new Date(local - sign * (offsetHours * 60 + offsetMinutes) * 60_000).toISOString();
    day = utc.slice(0, 10);
    hour = Number(utc.slice(11, 13));
  }
  const year = Number(day.slice(0, 4));
  if (year < MIN_YEAR || year > MAX_YEAR) return outside();
  return isRealDay(day) ? { day, hour } : notTime();
}

function nonNegative(fields: Record<string, unknown>, name: string): { value: number } | { reason: string } {
  const raw = fields[name];
  if (absent(raw)) return { value: 0 };
  const n = toNumber(raw);
  if (n === undefined || n < 0) return { reason: `${name} is not a non-negative number: ${quote(raw)}` };
  return { value: n };
}

/** Validates a decoded log event. Required: serviceArn, startTime, duration. */
export function toRecord(value: unknown): ParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const fields = value as Record<string, unknown>;

  const serviceArn = fields.serviceArn;
  if (absent(serviceArn)) return { ok: false, reason: 'serviceArn is missing' };
  if (typeof serviceArn !== 'string' || !isServiceArn(serviceArn)) {
    return { ok: false, reason: `serviceArn is not a VPC Lattice service ARN: ${quote(serviceArn)}` };
  }

  const startTime = fields.startTime;
  if (absent(startTime)) return { ok: false, reason: 'startTime is missing' };
  const when =
    typeof startTime === 'string'
      ? utcDayHour(startTime)
      : { reason: `startTime is not an ISO-8601 time as YYYY-MM-DDTHH:MM:SSZ: ${quote(startTime)}` };
  if ('reason' in when) return { ok: false, reason: when.reason };

  if (absent(fields.duration)) return { ok: false, reason: 'duration is missing' };
  const duration = toNumber(fields.duration);
  if (duration === undefined || duration < 0) {
    return { ok: false, reason: `duration is not a non-negative number: ${quote(fields.duration)}` };
  }

  let responseCode: number | null = null;
  if (!absent(fields.responseCode)) {
    const code = toNumber(fields.responseCode);
    if (code === undefined || !Number.isInteger(code) || code < 0 || code > 999) {
      return { ok: false, reason: `responseCode is not an HTTP status: ${quote(fields.responseCode)}` };
    }
    responseCode = code;
  }

  const received = nonNegative(fields, 'bytesReceived');
  if ('reason' in received) return { ok: false, reason: received.reason };
  const sent = nonNegative(fields, 'bytesSent');
  if ('reason' in sent) return { ok: false, reason: sent.reason };

  const denied = fields.authDeniedReason;
  if (!absent(denied) && typeof denied !== 'string') {
    return { ok: false, reason: `authDeniedReason is not a string: ${quote(denied)}` };
  }
  const host = fields.hostHeader;

  return {
    ok: true,
    record: {
      serviceArn,
      day: when.day,
      hour: when.hour,
      duration,
      responseCode,
      bytesReceived: received.value,
      bytesSent: sent.value,
      authDenied: isAuthDenied(denied),
      hostHeader: typeof host === 'string' && host !== '-' ? host : null,
    },
  };
}

/** Parses one JSONL line. */
export function parseLine(line: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `invalid JSON (${(error as Error).message.slice(0, 80)})` };
  }
  return toRecord(value);
}
