/**
 * Mermaid `xychart-beta` charts of daily cost and requests. A Mermaid block is code that GitHub
 * executes in its renderer, so nothing from the logs goes into it: only days as `Nov 16`, numbers
 * and the fixed titles below. Service names appear in the Markdown legend under the chart, escaped.
 *
 * A chart is first planned as plain data (what is stacked, what is a line, the axis), checked
 * against readability rules by `chartRuleViolations`, and only then written as Mermaid.
 */
import { dayRange, isIsoDay } from '../model/dates.js';
import { codeSpan } from './escape.js';
import { formatDay, plural } from './format.js';
import type { Report, ServiceReport } from '../model/report.js';
import { compareText } from '../model/compare.js';

/** A series colour: the hex given to Mermaid and the square emoji that stands for it in the legend. */
interface SeriesColour {
  emoji: string;
  hex: string;
}

// xychart has no legend GitHub can be trusted to draw, so each colour is paired with the emoji
// square that looks like it. Every colour keeps 3:1 contrast on GitHub's light (#ffffff) and dark
// (#0d1117) canvas, which leaves mid-tones only; the unit tests compute the ratios.
/** @testseam */
export const SERVICE_COLOURS: readonly SeriesColour[] = [
  { emoji: '🟦', hex: '#2F81F7' },
  { emoji: '🟧', hex: '#DB6D28' },
  { emoji: '🟩', hex: '#2DA44E' },
  { emoji: '🟪', hex: '#986EE2' },
  { emoji: '🟥', hex: '#E5534B' },
  { emoji: '🟨', hex: '#B08800' },
];
/** The merged "all other services" segment, always on top of the stack. @testseam */
export const OTHERS_COLOUR: SeriesColour = { emoji: '🟫', hex: '#A87640' };
const TOTAL_COLOUR = SERVICE_COLOURS[0] as SeriesColour;

/** A series thinner than this share of the axis everywhere is a few pixels high: not drawn alone. */
const VISIBLE_SHARE = 0.02;
/** A service whose daily cost moves by this share of the axis or more "varies". */
const VARYING_SHARE = 0.05;
/** Lines drawn over the stack, for services that vary but are not the bottom segment. */
const MAX_LINES = 2;
/** Nice axis maxima, times a power of ten: close above the peak, with round ticks. */
const NICE_STEPS = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
/** Mermaid prints ticks as plain numbers (`30000`), so large axes change unit instead. */
const UNIT_SCALES = [
  { divisor: 1e9, prefix: 'billion ' },
  { divisor: 1e6, prefix: 'million ' },
  { divisor: 1e3, prefix: 'thousand ' },
];

/** One drawn series, in the axis unit. */
interface PlannedSeries {
  /** A segment's own height (not cumulative), or a line's value, one per day. */
  values: number[];
  colour: SeriesColour;
  /** Markdown, already escaped. */
  label: string;
  /** A sum of several services: allowed as a stack segment, never as a line. */
  merged: boolean;
}

/** What a chart draws, as data: the readability rules are checked on this, not on the Mermaid text. @testseam */
export interface ChartPlan {
  title: string;
  yAxisTitle: string;
  days: string[];
  axisMax: number;
  /** Stacked bars, bottom to top. */
  segments: PlannedSeries[];
  /** Drawn over the bars. */
  lines: PlannedSeries[];
  /** Markdown, after the legend. */
  note?: string;
}

interface XyChartSpec {
  /** Fixed text chosen by this module, never from the report. */
  title: string;
  yAxisTitle: string;
  /** UTC days `YYYY-MM-DD`, one x-axis category each. */
  days: string[];
  axisMax: number;
  /** Drawn in this order, each over the last: the tallest first, so a stack shows. */
  bars: Array<{ values: number[]; colour: SeriesColour }>;
  lines: Array<{ values: number[]; colour: SeriesColour }>;
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
  /** Markdown said before the legend entries, e.g. how to read the stack. */
  legendTitle?: string;
  /** Markdown after the legend, e.g. what was too small to draw. */
  note?: string;
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
  const series = [...spec.bars, ...spec.lines];
  for (const { values } of series) {
    if (values.length !== spec.days.length) throw new Error('Every chart series needs one value per day');
  }
  if (!(Number.isFinite(spec.axisMax) && spec.axisMax > 0))
    throw new Error('The axis needs a positive maximum');
  // Four significant digits of the axis: finer than a pixel, and Mermaid's grammar has no exponents.
  const decimals = Math.min(12, Math.max(0, 4 - Math.floor(Math.log10(spec.axisMax))));
  const palette = series.map(({ colour }) => colour.hex).join(', ');
  const list = (values: number[]): string => values.map((v) => chartNumber(v, decimals)).join(', ');
  return [
    '---',
    'config:',
    '  themeVariables:',
    '    xyChart:',
    `      plotColorPalette: "${palette}"`,
    '---',
    'xychart-beta',
    `    title "${spec.title}"`,
    `    x-axis [${spec.days.map((day) => `"${formatDay(day)}"`).join(', ')}]`,
    `    y-axis "${spec.yAxisTitle}" 0 --> ${chartNumber(spec.axisMax, decimals)}`,
    ...spec.bars.map(({ values }) => `    bar [${list(values)}]`),
    ...spec.lines.map(({ values }) => `    line [${list(values)}]`),
  ].join('\n');
}

/**
 * The daily cost chart, planned from the data:
 * - bars stack every service, so a bar is the day's cost of all services;
 * - services that reach 2 % of the axis on some day get their own segment (at most six, by cost);
 *   the rest are one "all other services" segment on top, or, if even their sum stays under 2 %,
 *   are left out and named in a note;
 * - the service whose cost varies most is the bottom segment, where its height reads off the axis;
 *   other services that vary (at most two) also get a line in their colour, stacked high enough
 *   that the line runs over other colours, and only if it does not lie on another line.
 * @testseam
 */
export function costChartPlan(report: Report): ChartPlan | null {
  const days = windowDays(report);
  if (days === null || report.services.length === 0) return null;
  const byCost = [...report.services]
    .sort((a, b) => b.cost.total - a.cost.total || compareText(a.name, b.name) || compareText(a.arn, b.arn))
    .map((service) => ({ service, values: dailyValues(service, days, (day) => day.cost) }));
  const total = sumSeries(
    byCost.map(({ values }) => values),
    days.length,
  );
  const peak = Math.max(...total);
  if (!(peak > 0)) return null;
  const { axisMax, divisor, prefix } = axisFor(peak);
  const scaled = byCost.map((entry) => ({ ...entry, values: entry.values.map((v) => v / divisor) }));
  const visible = VISIBLE_SHARE * axisMax;
  const varying = VARYING_SHARE * axisMax;

  const own = scaled.filter(({ values }) => Math.max(...values) >= visible).slice(0, SERVICE_COLOURS.length);
  const rest = scaled.filter((entry) => !own.includes(entry));
  const spread = (values: number[]): number => Math.max(...values) - Math.min(...values);
  // The service that varies most sits at the bottom, where its cost reads off the axis. Other varying
  // services go on top of the steady ones: their lines then run over other colours, not their own.
  const varies = own
    .filter(({ values }) => spread(values) >= varying)
    .sort((a, b) => spread(b.values) - spread(a.values));
  const steady = own.filter((entry) => !varies.includes(entry));
  const stacked = [...varies.slice(0, 1), ...steady, ...varies.slice(1)];
  const segments: PlannedSeries[] = stacked.map(({ service, values }, index) => ({
    values,
    colour: SERVICE_COLOURS[index] ?? OTHERS_COLOUR,
    label: serviceLabel(service),
    merged: false,
  }));
  let note: string | undefined;
  if (rest.length > 0) {
    const restValues = sumSeries(
      rest.map(({ values }) => values),
      days.length,
    );
    const label =
      own.length === 0
        ? `all ${plural(rest.length, 'service')}`
        : rest.length === 1
          ? 'the other service'
          : `the other ${plural(rest.length, 'service')}`;
    if (Math.max(...restValues) >= visible) {
      segments.push({ values: restValues, colour: OTHERS_COLOUR, label, merged: true });
    } else {
      note = `Not drawn: ${label}, under 2 % of the scale every day.`;
    }
  }

  const lines: PlannedSeries[] = [];
  segments.forEach((segment, index) => {
    if (index === 0 || lines.length >= MAX_LINES || segment.merged || spread(segment.values) < varying)
      return;
    const base = sumSeries(
      segments.slice(0, index).map(({ values }) => values),
      days.length,
    );
    if (!belowEveryDay(segment.values, base, visible / 2)) return;
    if (lines.some((line) => !apartSomewhere(line.values, segment.values, visible))) return;
    lines.push(segment);
  });
  return {
    title: 'Daily Lattice cost (USD)',
    yAxisTitle: `${prefix}USD`,
    days,
    axisMax,
    segments,
    lines,
    ...(note === undefined ? {} : { note }),
  };
}

/**
 * Readability rules a plan must keep; the broken ones are returned, none for a good chart.
 * A Mermaid line is 2 px on a plot about 250 px high, so 2 % of the axis is the least gap that shows.
 * @testseam
 */
export function chartRuleViolations(plan: ChartPlan): string[] {
  const broken: string[] = [];
  const visible = VISIBLE_SHARE * plan.axisMax;
  for (const line of plan.lines) {
    if (line.merged) broken.push(`${line.label} is a sum drawn as a line`);
  }
  plan.lines.forEach((line, index) => {
    for (const other of plan.lines.slice(index + 1)) {
      if (!apartSomewhere(line.values, other.values, visible))
        broken.push(`lines ${line.label} and ${other.label} lie within 2 % of the axis every day`);
    }
  });
  for (const line of plan.lines) {
    // A line over the segment of its own colour would vanish into it.
    const index = plan.segments.findIndex((segment) => segment.colour === line.colour);
    if (index < 0) continue;
    const base = sumSeries(
      plan.segments.slice(0, index).map((segment) => segment.values),
      plan.days.length,
    );
    if (!belowEveryDay(line.values, base, visible / 2))
      broken.push(`line ${line.label} runs over its own colour`);
  }
  for (const series of [...plan.segments, ...plan.lines]) {
    if (Math.max(0, ...series.values) < visible) broken.push(`${series.label} is too small to see`);
  }
  const stackPeak = Math.max(
    0,
    ...sumSeries(
      plan.segments.map((segment) => segment.values),
      plan.days.length,
    ),
  );
  const linePeak = Math.max(0, ...plan.lines.flatMap((line) => line.values));
  if (Math.max(stackPeak, linePeak) > plan.axisMax * (1 + 1e-9)) broken.push('a series runs above the axis');
  const colours = plan.segments.map((segment) => segment.colour.hex);
  if (new Set(colours).size !== colours.length) broken.push('two segments share a colour');
  return broken;
}

/** Daily cost: services stacked per day, with lines for varying services (see `costChartPlan`). */
export function dailyCostChart(report: Report): Chart | null {
  const plan = costChartPlan(report);
  return plan === null ? null : planChart(plan, 'Bars stack, from the bottom:');
}

/** Daily requests of all services together. */
export function dailyRequestsChart(report: Report): Chart | null {
  const days = windowDays(report);
  if (days === null || report.services.length === 0) return null;
  const total = sumSeries(
    report.services.map((service) => dailyValues(service, days, (day) => day.requests)),
    days.length,
  );
  const peak = Math.max(...total);
  if (!(peak > 0)) return null;
  const { axisMax, divisor, prefix } = axisFor(peak);
  return planChart({
    title: 'Daily requests',
    yAxisTitle: `${prefix}requests`,
    days,
    axisMax,
    segments: [
      {
        values: total.map((value) => value / divisor),
        colour: TOTAL_COLOUR,
        label: 'requests to all services',
        merged: true,
      },
    ],
    lines: [],
  });
}

/** The chart as a fenced Mermaid block followed by its legend line. */
export function chartMarkdown(chart: Chart): string {
  const entries = chart.legend.map(({ colour, label }) => `${colour.emoji} ${label}`).join(' · ');
  const legend = [chart.legendTitle, entries, chart.note === undefined ? undefined : `_${chart.note}_`]
    .filter((part) => part !== undefined)
    .join(' ');
  return `\`\`\`mermaid\n${chart.mermaid}\n\`\`\`\n\n${legend}`;
}

function planChart(plan: ChartPlan, stackTitle?: string): Chart {
  // Cumulative heights, tallest first: each later bar covers the lower part of the one before.
  const cumulative: number[][] = [];
  let running = new Array<number>(plan.days.length).fill(0);
  for (const segment of plan.segments) {
    running = running.map((value, index) => value + (segment.values[index] ?? 0));
    cumulative.push(running);
  }
  const bars = plan.segments
    .map((segment, index) => ({ values: cumulative[index] ?? [], colour: segment.colour }))
    .reverse();
  const mermaid = xyChart({
    title: plan.title,
    yAxisTitle: plan.yAxisTitle,
    days: plan.days,
    axisMax: plan.axisMax,
    bars,
    lines: plan.lines.map(({ values, colour }) => ({ values, colour })),
  });
  const legend = plan.segments.map(({ colour, label }) => ({
    colour,
    label: plan.lines.some((line) => line.colour === colour) ? `${label} (also a line)` : label,
  }));
  return {
    mermaid,
    legend,
    ...(stackTitle !== undefined && plan.segments.length > 1 ? { legendTitle: stackTitle } : {}),
    ...(plan.note === undefined ? {} : { note: plan.note }),
  };
}

/** The axis for a peak: a nice maximum close above it, in a unit whose ticks stay short. */
function axisFor(peak: number): { axisMax: number; divisor: number; prefix: string } {
  const max = niceCeiling(peak);
  const scale = UNIT_SCALES.find(({ divisor }) => max >= divisor);
  const divisor = scale?.divisor ?? 1;
  // Re-rounded after dividing so 30000 / 1000 is exactly 30, not 29.999999999999996.
  return { axisMax: Number((max / divisor).toPrecision(6)), divisor, prefix: scale?.prefix ?? '' };
}

/** Whether `values` stays at least `margin` under `ceiling` on every day. */
function belowEveryDay(values: number[], ceiling: number[], margin: number): boolean {
  return values.every((value, index) => value <= (ceiling[index] ?? 0) - margin);
}

/** Whether two series are at least `gap` apart on some day. */
function apartSomewhere(a: number[], b: number[], gap: number): boolean {
  return a.some((value, index) => Math.abs(value - (b[index] ?? 0)) >= gap);
}

function serviceLabel(service: ServiceReport): string {
  return codeSpan(service.name || service.id || service.arn, { inTable: false, maxLength: 40 });
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
  for (const day of service.daily)
    byDay.set(day.date, (byDay.get(day.date) ?? 0) + Math.max(0, finiteOrZero(pick(day))));
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

/** The nice number at or above `value` (1, 1.2, 1.5, 2 … 8, 10 times a power of ten). @testseam */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = NICE_STEPS.find((factor) => factor * magnitude >= value * (1 - 1e-12)) ?? 10;
  return Number((step * magnitude).toPrecision(6));
}
