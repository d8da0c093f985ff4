/**
 * Mermaid `xychart-beta` charts of daily cost and requests. A Mermaid block is code that GitHub
 * executes in its renderer, so nothing from the logs goes into it: only MM-DD days, numbers and the
 * fixed titles below. Service names appear in the Markdown legend under the chart, escaped.
 */
import { dayRange, isIsoDay } from '../model/dates.js';
import { codeSpan } from './escape.js';
import { formatAxisDay, plural } from './format.js';
import type { Report, ServiceReport } from '../model/report.js';

/** A series colour: the hex given to Mermaid and the square emoji that stands for it in the legend. */
interface SeriesColour {
  emoji: string;
  hex: string;
}

// xychart has no legend, so each colour is paired with the emoji square that looks like it.
/** @testseam */
export const TOTAL_COLOUR: SeriesColour = { emoji: '⬛', hex: '#3D444D' };
/** @testseam */
export const SERIES_COLOURS: readonly SeriesColour[] = [
  { emoji: '🟦', hex: '#2F81F7' },
  { emoji: '🟧', hex: '#F0883E' },
  { emoji: '🟩', hex: '#3FB950' },
  { emoji: '🟥', hex: '#F85149' },
  { emoji: '🟪', hex: '#A371F7' },
  { emoji: '🟫', hex: '#9E6A43' },
  { emoji: '🟨', hex: '#D4A72C' },
];

/** Services drawn as their own line; the rest are summed into one "other" line. */
const TOP_SERVICES_IN_CHART = 5;

interface XyChartSpec {
  /** Fixed text chosen by this module, never from the report. */
  title: string;
  yAxisTitle: string;
  /** UTC days `YYYY-MM-DD`, one x-axis category each. */
  days: string[];
  /** Drawn first, so the lines stay visible on top of it. */
  bar?: { values: number[]; colour: SeriesColour };
  lines: Array<{ values: number[]; colour: SeriesColour }>;
  /** Decimals kept in the data; Mermaid's grammar has no exponent notation. */
  decimals: number;
}

interface LegendEntry {
  colour: SeriesColour;
  /** Markdown, already escaped. */
  label: string;
}

export interface Chart {
  /** Mermaid source, without the code fence. */
  mermaid: string;
  legend: LegendEntry[];
}

const FIXED_TEXT = /^[A-Za-z0-9 ().,$/-]*$/;

/** Builds the Mermaid source of an xychart with explicit series colours in its frontmatter. @testseam */
export function xyChart(spec: XyChartSpec): string {
  for (const text of [spec.title, spec.yAxisTitle]) {
    if (!FIXED_TEXT.test(text))
      throw new Error(`Chart text must be fixed ASCII, got ${JSON.stringify(text)}`);
  }
  for (const day of spec.days) {
    if (!isIsoDay(day)) throw new Error(`Chart days must be YYYY-MM-DD, got ${JSON.stringify(day)}`);
  }
  const series = [...(spec.bar ? [spec.bar] : []), ...spec.lines];
  for (const { values } of series) {
    if (values.length !== spec.days.length) throw new Error('Every chart series needs one value per day');
  }
  const maxValue = Math.max(0, ...series.flatMap(({ values }) => values.map(finiteOrZero)));
  const palette = series.map(({ colour }) => colour.hex).join(', ');
  const lines = [
    '---',
    'config:',
    '  themeVariables:',
    '    xyChart:',
    `      plotColorPalette: "${palette}"`,
    '---',
    'xychart-beta',
    `    title "${spec.title}"`,
    `    x-axis [${spec.days.map((day) => `"${formatAxisDay(day)}"`).join(', ')}]`,
    `    y-axis "${spec.yAxisTitle}" 0 --> ${chartNumber(Math.max(niceCeiling(maxValue), 10 ** -spec.decimals), spec.decimals)}`,
    ...(spec.bar
      ? [`    bar [${spec.bar.values.map((v) => chartNumber(v, spec.decimals)).join(', ')}]`]
      : []),
    ...spec.lines.map(
      ({ values }) => `    line [${values.map((v) => chartNumber(v, spec.decimals)).join(', ')}]`,
    ),
  ];
  return lines.join('\n');
}

/** Daily cost: a bar of all services per day and a line for each of the top services by cost. */
export function dailyCostChart(report: Report): Chart | null {
  const days = windowDays(report);
  if (days === null || report.services.length === 0) return null;
  const byCost = [...report.services].sort(
    (a, b) => b.cost.total - a.cost.total || compareText(a.name, b.name) || compareText(a.arn, b.arn),
  );
  const top = byCost.slice(0, TOP_SERVICES_IN_CHART);
  const rest = byCost.slice(TOP_SERVICES_IN_CHART);
  const perDay = (service: ServiceReport): number[] => dailyValues(service, days, (day) => day.cost);
  const topLines = top.map((service, index) => ({
    service,
    values: perDay(service),
    colour: seriesColour(index),
  }));
  const otherLine =
    rest.length > 0
      ? { values: sumSeries(rest.map(perDay), days.length), colour: seriesColour(top.length) }
      : null;
  const total = sumSeries(byCost.map(perDay), days.length);
  if (total.every((value) => value === 0)) return null;

  const mermaid = xyChart({
    title: 'Daily Lattice cost (USD)',
    yAxisTitle: 'USD',
    days,
    bar: { values: total, colour: TOTAL_COLOUR },
    lines: [...topLines, ...(otherLine ? [otherLine] : [])],
    decimals: 4,
  });
  const legend: LegendEntry[] = [
    { colour: TOTAL_COLOUR, label: 'all services (bars)' },
    ...topLines.map(({ service, colour }) => ({ colour, label: serviceLabel(service) })),
    ...(otherLine ? [{ colour: otherLine.colour, label: plural(rest.length, 'other service') }] : []),
  ];
  return { mermaid, legend };
}

/** Daily requests of all services together. */
export function dailyRequestsChart(report: Report): Chart | null {
  const days = windowDays(report);
  if (days === null || report.services.length === 0) return null;
  const total = sumSeries(
    report.services.map((service) => dailyValues(service, days, (day) => day.requests)),
    days.length,
  );
  if (total.every((value) => value === 0)) return null;
  const mermaid = xyChart({
    title: 'Daily requests',
    yAxisTitle: 'requests',
    days,
    bar: { values: total, colour: TOTAL_COLOUR },
    lines: [],
    decimals: 0,
  });
  return { mermaid, legend: [{ colour: TOTAL_COLOUR, label: 'requests to all services' }] };
}

/** The chart as a fenced Mermaid block followed by its legend line. */
export function chartMarkdown(chart: Chart): string {
  const legend = chart.legend.map(({ colour, label }) => `${colour.emoji} ${label}`).join(' · ');
  return `\`\`\`mermaid\n${chart.mermaid}\n\`\`\`\n\n${legend}`;
}

function serviceLabel(service: ServiceReport): string {
  return codeSpan(service.name || service.id || service.arn, { inTable: false, maxLength: 40 });
}

function seriesColour(index: number): SeriesColour {
  return SERIES_COLOURS[index % SERIES_COLOURS.length] ?? TOTAL_COLOUR;
}

/** Every day of the window, or null when the window is not a usable range of UTC days. */
function windowDays(report: Report): string[] | null {
  const { start, end } = report.window;
  if (!isIsoDay(start) || !isIsoDay(end) || end <= start) return null;
  // A chart with hundreds of categories is unreadable and slow to render; GitHub's windows are short.
  const days = dayRange(start, end);
  return days.length > 0 && days.length <= 366 ? days : null;
}

function dailyValues(
  service: ServiceReport,
  days: string[],
  pick: (day: ServiceReport['daily'][number]) => number,
): number[] {
  const byDay = new Map<string, number>();
  for (const day of service.daily) byDay.set(day.date, (byDay.get(day.date) ?? 0) + finiteOrZero(pick(day)));
  return days.map((day) => byDay.get(day) ?? 0);
}

function sumSeries(series: number[][], length: number): number[] {
  const sums = new Array<number>(length).fill(0);
  for (const values of series) values.forEach((value, index) => (sums[index] = (sums[index] ?? 0) + value));
  return sums;
}

function finiteOrZero(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

/** Plain decimal text: no exponent, no negative values (costs and counts are never below zero). */
function chartNumber(value: number, decimals: number): string {
  const fixed = Math.max(0, finiteOrZero(value)).toFixed(decimals);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** The next round number at or above `value` (1, 2, 2.5, 5 times a power of ten), for the y-axis. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * magnitude >= value) ?? 10;
  return step * magnitude;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
