import { BYTES_PER_GB } from '../model/costs.js';
import { markdownText } from './escape.js';

/**
 * Number and date formatting for the report. Everything goes through `Intl` with the `en-US` locale
 * and UTC, so the same report renders to the same text on every machine.
 */

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimalFormat = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const twoSignificantFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2 });
const dayFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const dayWithYearFormat = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
});

const currencyFormats = new Map<string, { whole: Intl.NumberFormat; small: Intl.NumberFormat }>();

function currencyFormat(currency: string): { whole: Intl.NumberFormat; small: Intl.NumberFormat } {
  // Cost Explorer reports ISO 4217 units; anything else would make Intl throw, so fall back to USD.
  const code = /^[A-Z]{3}$/.test(currency) ? currency : 'USD';
  let formats = currencyFormats.get(code);
  if (formats === undefined) {
    formats = {
      whole: new Intl.NumberFormat('en-US', { style: 'currency', currency: code }),
      small: new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency: code,
        minimumFractionDigits: 0,
        maximumSignificantDigits: 2,
      }),
    };
    currencyFormats.set(code, formats);
  }
  return formats;
}

/**
 * `$1,234.56`; amounts under a cent keep two significant digits (`$0.004`, `$0.0012`) because Lattice
 * per-request charges are that small; below a hundredth of a cent they show as `<$0.0001`.
 */
export function formatUsd(amount: number, currency = 'USD'): string {
  if (!Number.isFinite(amount)) return '–';
  const { whole, small } = currencyFormat(currency);
  const magnitude = Math.abs(amount);
  if (magnitude === 0 || magnitude >= 0.01) return whole.format(amount);
  if (magnitude < 0.0001) return `${amount < 0 ? '>-' : '<'}${small.format(amount < 0 ? -0.0001 : 0.0001)}`;
  return small.format(amount);
}

const unitPriceFormat = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 6,
});

/** A list price, with every digit it has: `$0.025`, `$0.10`, `$0.0000001`. */
export function formatUnitPrice(amount: number): string {
  return Number.isFinite(amount) ? unitPriceFormat.format(amount) : '–';
}

/** `150,004`. */
export function formatInteger(value: number): string {
  return Number.isFinite(value) ? integerFormat.format(Math.round(value)) : '–';
}

/**
 * A fraction as a percentage number without the sign, for table columns headed `%`: `4.1`, `0`,
 * and `<0.1` for small non-zero rates that would otherwise read as no errors at all.
 */
export function formatPercentNumber(fraction: number): string {
  if (!Number.isFinite(fraction)) return '–';
  if (fraction === 0) return '0';
  const percent = fraction * 100;
  if (Math.abs(percent) < 0.05) return percent > 0 ? '<0.1' : '>-0.1';
  return oneDecimalFormat.format(percent);
}

/** A fraction as a percentage: `4.1%`. */
export function formatPercent(fraction: number): string {
  const value = formatPercentNumber(fraction);
  return value === '–' ? value : `${value}%`;
}

/** Milliseconds: `1,240`, and one decimal under 10 ms where the digit still means something. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (Math.abs(ms) < 10 && ms !== Math.round(ms)) return oneDecimalFormat.format(ms);
  return integerFormat.format(Math.round(ms));
}

/** How long a connection stayed open: `850 ms`, `4.2 s`, `3.5 min`. */
export function formatLifetime(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${integerFormat.format(Math.round(ms))} ms`;
  if (ms < 60_000) return `${oneDecimalFormat.format(ms / 1000)} s`;
  return `${oneDecimalFormat.format(ms / 60_000)} min`;
}

/** Bytes as GB of 1024^3 bytes, the unit Lattice bills: `171.9`, `0.31`, `<0.01`, `0`. */
export function formatGb(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  if (bytes === 0) return '0';
  const gb = bytes / BYTES_PER_GB;
  if (Math.abs(gb) >= 1) return oneDecimalFormat.format(gb);
  if (Math.abs(gb) < 0.01) return '<0.01';
  return twoSignificantFormat.format(gb);
}

/** A data size with a binary unit, for bytes scanned: `197 MB`, `1.4 GB`, `512 B`. */
export function formatDataSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? integerFormat : oneDecimalFormat;
  return `${digits.format(value)} ${units[unit]}`;
}

/**
 * Relative change from `previous` to `current`: `▲ 9.5%`, `▼ 31%`, `0.0%`; `new` when there was
 * nothing before; `–` when there is no previous value to compare with.
 */
export function formatDelta(current: number, previous: number | null | undefined): string {
  if (
    previous === null ||
    previous === undefined ||
    !Number.isFinite(previous) ||
    !Number.isFinite(current)
  ) {
    return '–';
  }
  if (previous === 0) return current === 0 ? '–' : 'new';
  const change = ((current - previous) / Math.abs(previous)) * 100;
  const magnitude = Math.abs(change);
  const text = magnitude < 10 ? oneDecimalFormat.format(magnitude) : integerFormat.format(magnitude);
  if (text === '0.0') return '0.0%';
  return `${change > 0 ? '▲' : '▼'} ${text}%`;
}

/** A signed amount for impacts: `+$2.07`, `-$0.50`, `+1,204`. */
export function formatSigned(value: number, format: (magnitude: number) => string): string {
  if (!Number.isFinite(value)) return '–';
  return `${value < 0 ? '-' : '+'}${format(Math.abs(value))}`;
}

/** `Nov 16`; the input is a UTC day `YYYY-MM-DD`. Anything else is escaped and shown as given. */
export function formatDay(day: string, withYear = false): string {
  const time = ISO_DAY.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(time)) return markdownText(day, { maxLength: 40 });
  return (withYear ? dayWithYearFormat : dayFormat).format(time);
}

/**
 * Days from `start` to the exclusive `end`, shown as the last included day: `Nov 16 – Nov 22`,
 * with years only when the range crosses one.
 */
export function formatDateRange(start: string, end: string): string {
  const startTime = ISO_DAY.test(start) ? Date.parse(`${start}T00:00:00Z`) : Number.NaN;
  const endTime = ISO_DAY.test(end) ? Date.parse(`${end}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(startTime) || Number.isNaN(endTime)) return `${formatDay(start)} – ${formatDay(end)}`;
  const lastDay = new Date(endTime - 86_400_000).toISOString().slice(0, 10);
  if (lastDay <= start) return formatDay(start);
  const crossesYear = lastDay.slice(0, 4) !== start.slice(0, 4);
  return `${formatDay(start, crossesYear)} – ${formatDay(lastDay, crossesYear)}`;
}

/** The report window: `Nov 16 – Nov 22 (7 days)`. */
export function formatWindow(window: { start: string; end: string; days: number }): string {
  return `${formatDateRange(window.start, window.end)} (${plural(window.days, 'day')})`;
}

/** `1 finding`, `3 findings`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatInteger(count)} ${count === 1 ? singular : pluralForm}`;
}
