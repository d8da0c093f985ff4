import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Lexer } from 'marked';

import {
  chartMarkdown,
  chartRuleViolations,
  costChartPlan,
  dailyCostChart,
  dailyRequestsChart,
  niceCeiling,
  OTHERS_COLOUR,
  SERVICE_COLOURS,
  xyChart,
  type ChartPlan,
} from '../../src/report/charts.js';
import type { Report, ServiceReport } from '../../src/model/report.js';
import { extractMermaidBlocks, parseMermaid, parseMermaidConfig } from '../helpers/mermaid.js';
import { fleetReport, hostileReport, sampleReport } from '../fixtures/report/reports.js';

const WEEK = [
  '2026-11-16',
  '2026-11-17',
  '2026-11-18',
  '2026-11-19',
  '2026-11-20',
  '2026-11-21',
  '2026-11-22',
];
const WEEK_LABELS = ['Nov 16', 'Nov 17', 'Nov 18', 'Nov 19', 'Nov 20', 'Nov 21', 'Nov 22'];
const BLUE = SERVICE_COLOURS[0]!;

function paletteOf(config: unknown): string[] {
  const palette = (config as { config?: { themeVariables?: { xyChart?: { plotColorPalette?: string } } } })
    .config?.themeVariables?.xyChart?.plotColorPalette;
  return (palette ?? '').split(',').map((colour) => colour.trim());
}

/** `[kind, values]` of every series, in declaration order: Mermaid colours and draws them in that order. */
function seriesOf(mermaid: string): Array<[string, number[]]> {
  return [...mermaid.matchAll(/^ {4}(bar|line) \[([^\]]*)\]$/gm)].map((match) => [
    match[1] ?? '',
    (match[2] ?? '').split(', ').map(Number),
  ]);
}

/** A report over WEEK whose services have the given daily costs (and requests of 1000 a day). */
function reportWith(costs: Record<string, number[]>): Report {
  const report = sampleReport();
  const template = report.services[0] as ServiceReport;
  report.services = Object.entries(costs).map(([name, daily], index) => ({
    ...structuredClone(template),
    name,
    id: `svc-${index}`,
    arn: `arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-${index}`,
    cost: { total: daily.reduce((sum, cost) => sum + cost, 0), hours: 0, data: 0, requests: 0 },
    daily: daily.map((cost, day) => ({
      ...structuredClone(template.daily[0]!),
      date: WEEK[day]!,
      cost,
      requests: 1000,
    })),
  }));
  return report;
}

/** The demo's shape: one service that varies and eight that cost 0.6000–0.6015 a day. */
function demoLikeReport(): Report {
  return reportWith({
    'media-export': [1.8146, 1.8047, 1.7342, 1.8349, 4.1965, 1.1761, 1.1602],
    'orders-api': [0.6006, 0.6007, 0.6006, 0.6006, 0.6006, 0.6004, 0.6004],
    'search-api': [0.6013, 0.6015, 0.6013, 0.6014, 0.6015, 0.6008, 0.6009],
    'checkout-api': [0.6003, 0.6003, 0.6003, 0.6004, 0.6009, 0.6003, 0.6003],
    'inventory-svc': [0.6001, 0.6001, 0.6001, 0.6001, 0.6001, 0.6, 0.6],
    'legacy-reports': [0.6, 0.6, 0.6001, 0.6, 0.6001, 0.6, 0.6],
    notifications: [0.6, 0.6, 0.6001, 0.6, 0.6, 0.6, 0.6],
    'partner-gateway': [0.6002, 0.6002, 0.6002, 0.6002, 0.6002, 0.6001, 0.6001],
    'profile-api': [0.6001, 0.6001, 0.6001, 0.6001, 0.6001, 0.6, 0.6],
  });
}

/** WCAG 2.x relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const channel = parseInt(hex.slice(at, at + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}
function hue(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16) / 255) as [
    number,
    number,
    number,
  ];
  const max = Math.max(r, g, b);
  const range = max - Math.min(r, g, b);
  if (range === 0) return 0;
  const sector =
    max === r ? ((g - b) / range + 6) % 6 : max === g ? (b - r) / range + 2 : (r - g) / range + 4;
  return sector * 60;
}

describe('the Mermaid helper', () => {
  it('accepts a valid xychart with frontmatter colours and rejects a broken one', async () => {
    const valid = xyChart({
      title: 'Test',
      yAxisTitle: 'USD',
      days: WEEK.slice(0, 2),
      axisMax: 2,
      bars: [{ values: [1, 2], colour: OTHERS_COLOUR }],
      lines: [{ values: [0.5, 1], colour: BLUE }],
    });
    await expect(parseMermaid(valid)).resolves.toBeUndefined();
    expect(paletteOf(await parseMermaidConfig(valid))).toEqual([OTHERS_COLOUR.hex, BLUE.hex]);
    await expect(parseMermaid('xychart-beta\n    bar [1, 2')).rejects.toThrow(/Parse error/);
  });

  it('extracts every fenced mermaid block', () => {
    const markdown =
      'text\n\n```mermaid\npie\n    "a" : 1\n```\n\n```js\nx\n```\n\n````mermaid\nxychart-beta\n````\n';
    expect(extractMermaidBlocks(markdown)).toEqual(['pie\n    "a" : 1', 'xychart-beta']);
  });
});

describe('xyChart', () => {
  it('refuses text that is not fixed ASCII, days that are not days, and ragged series', () => {
    const base = { yAxisTitle: 'USD', days: WEEK.slice(0, 1), axisMax: 1, bars: [], lines: [] };
    expect(() => xyChart({ ...base, title: 'cost "] line [1' })).toThrow(/fixed ASCII/);
    expect(() => xyChart({ ...base, title: 'ok', days: ['11-16'] })).toThrow(/YYYY-MM-DD/);
    expect(() => xyChart({ ...base, title: 'ok', bars: [{ values: [1, 2], colour: BLUE }] })).toThrow(
      /one value per day/,
    );
  });

  it('labels days as "Nov 16" and writes plain decimals, never exponents or negative values', async () => {
    const chart = xyChart({
      title: 'Tiny',
      yAxisTitle: 'USD',
      days: WEEK.slice(0, 3),
      axisMax: 0.0001,
      bars: [{ values: [1e-9, -5, Number.NaN], colour: BLUE }],
      lines: [],
    });
    expect(chart).toContain('x-axis ["Nov 16", "Nov 17", "Nov 18"]');
    expect(chart).toContain('bar [0, 0, 0]');
    expect(chart).toContain('y-axis "USD" 0 --> 0.0001');
    expect(chart).not.toMatch(/\de[-+]?\d/);
    await parseMermaid(chart);
  });
});

describe('niceCeiling', () => {
  it('puts the axis close above the peak', () => {
    expect(niceCeiling(28_264)).toBe(30_000);
    expect(niceCeiling(9)).toBe(10);
    expect(niceCeiling(6.6)).toBe(8);
    expect(niceCeiling(1.01)).toBe(1.2);
    expect(niceCeiling(3)).toBe(3);
    expect(niceCeiling(0.0123)).toBe(0.015);
    expect(niceCeiling(0)).toBe(1);
  });
});

describe('chart colours', () => {
  const colours = [...SERVICE_COLOURS, OTHERS_COLOUR];

  it('keep 3:1 contrast on GitHub light (#ffffff) and dark (#0d1117)', () => {
    for (const { hex } of colours) {
      expect(contrast(hex, '#ffffff')).toBeGreaterThanOrEqual(3);
      expect(contrast(hex, '#0d1117')).toBeGreaterThanOrEqual(3);
    }
  });

  it('look like their emoji squares', () => {
    // Hue ranges of the emoji, in degrees; brown is an orange hue, told apart by being dark.
    const hues: Record<string, [number, number]> = {
      '🟦': [200, 235],
      '🟧': [15, 35],
      '🟩': [100, 150],
      '🟪': [250, 290],
      '🟥': [350, 370],
      '🟨': [40, 60],
      '🟫': [20, 40],
    };
    for (const { emoji, hex } of colours) {
      const [low, high] = hues[emoji] ?? [0, -1];
      const h = hue(hex) < low ? hue(hex) + 360 : hue(hex);
      expect([emoji, h >= low && h <= high]).toEqual([emoji, true]);
    }
    expect(luminance(OTHERS_COLOUR.hex)).toBeLessThan(luminance(SERVICE_COLOURS[1]!.hex));
    expect(new Set(colours.map(({ emoji }) => emoji)).size).toBe(colours.length);
    expect(new Set(colours.map(({ hex }) => hex)).size).toBe(colours.length);
  });
});

describe('chartRuleViolations', () => {
  const plan = (lines: ChartPlan['lines'], segments: ChartPlan['segments'] = []): ChartPlan => ({
    title: 't',
    yAxisTitle: 'USD',
    days: WEEK.slice(0, 2),
    axisMax: 10,
    segments,
    lines,
  });
  const series = (values: number[], index: number, merged = false): ChartPlan['lines'][number] => ({
    values,
    colour: SERVICE_COLOURS[index]!,
    label: `s${index}`,
    merged,
  });

  it('rejects lines that lie on each other, sums drawn as lines, invisible series and lines in their own colour', () => {
    expect(chartRuleViolations(plan([series([5, 5], 0), series([5.1, 4.9], 1)]))).toEqual([
      'lines s0 and s1 lie within 2 % of the axis every day',
    ]);
    expect(chartRuleViolations(plan([series([5, 5], 0, true)]))).toEqual(['s0 is a sum drawn as a line']);
    expect(chartRuleViolations(plan([], [series([0.1, 0.19], 0)]))).toEqual(['s0 is too small to see']);
    expect(chartRuleViolations(plan([series([2, 3], 1)], [series([1, 1], 0), series([3, 3], 1)]))).toEqual([
      'line s1 runs over its own colour',
    ]);
    expect(chartRuleViolations(plan([], [series([8, 8], 0), series([3, 3], 1)]))).toEqual([
      'a series runs above the axis',
    ]);
    expect(chartRuleViolations(plan([series([5, 5], 0), series([5, 5.2], 1)]))).toEqual([]);
  });
});

describe('dailyCostChart', () => {
  it('stacks the demo services instead of drawing four lines at 0.6000–0.6015 a day', async () => {
    const plan = costChartPlan(demoLikeReport())!;
    expect(chartRuleViolations(plan)).toEqual([]);
    expect(plan.lines).toEqual([]);
    expect(plan.axisMax).toBe(10);
    expect(plan.segments.map((segment) => segment.label)).toEqual([
      '`media-export`',
      '`search-api`',
      '`orders-api`',
      '`checkout-api`',
      '`partner-gateway`',
      '`inventory-svc`',
      'the other 3 services',
    ]);
    const chart = dailyCostChart(demoLikeReport())!;
    const series = seriesOf(chart.mermaid);
    expect(series.map(([kind]) => kind)).toEqual(Array(7).fill('bar'));
    // Cumulative, tallest first: each bar covers the lower part of the one before.
    expect(series[0]?.[1][4]).toBeCloseTo(9, 3);
    expect(series.at(-1)?.[1]).toEqual([1.815, 1.805, 1.734, 1.835, 4.197, 1.176, 1.16]);
    for (let index = 1; index < series.length; index += 1) {
      const [upper, lower] = [series[index - 1]![1], series[index]![1]];
      const segment = plan.segments[plan.segments.length - index]!;
      upper.forEach((value, day) => expect(value - lower[day]!).toBeCloseTo(segment.values[day]!, 2));
    }
    expect(chart.mermaid).toContain('y-axis "USD" 0 --> 10');
    expect(chart.mermaid).toContain(`x-axis [${WEEK_LABELS.map((day) => `"${day}"`).join(', ')}]`);
    await parseMermaid(chart.mermaid);
  });

  it('gives Mermaid the colours of the legend, top of the stack first, and says how to read it', async () => {
    const chart = dailyCostChart(sampleReport())!;
    const palette = paletteOf(await parseMermaidConfig(chart.mermaid));
    expect(palette).toEqual(chart.legend.map((entry) => entry.colour.hex).reverse());
    expect(new Set(palette).size).toBe(palette.length);
    const legendLine = chartMarkdown(chart).split('\n').at(-1) ?? '';
    expect(legendLine.startsWith('Bars stack, from the bottom: 🟦 `media-export` · ')).toBe(true);
    expect([...legendLine.matchAll(/[⬛🟦🟧🟩🟥🟪🟫🟨]/gu)].map((match) => match[0])).toEqual(
      chart.legend.map((entry) => entry.colour.emoji),
    );
    expect(chartRuleViolations(costChartPlan(sampleReport())!)).toEqual([]);
  });

  it('draws a line only for a service that varies, over other colours, and never two on top of each other', () => {
    const flat = [0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6];
    const falling = [3, 2.7, 2.4, 2.1, 1.8, 1.5, 1.2];
    const plan = costChartPlan(
      reportWith({
        big: [4, 4, 4, 4, 8, 4, 4],
        falling,
        'falling-too': falling.map((cost) => cost * 1.02),
        a: flat,
        b: flat,
      }),
    )!;
    expect(chartRuleViolations(plan)).toEqual([]);
    expect(plan.segments.map((segment) => segment.label)).toEqual([
      '`big`',
      '`a`',
      '`b`',
      '`falling-too`',
      '`falling`',
    ]);
    expect(plan.lines.map((line) => line.label)).toEqual(['`falling-too`']);
    const chart = dailyCostChart(
      reportWith({ big: [4, 4, 4, 4, 8, 4, 4], falling, 'falling-too': falling, a: flat, b: flat }),
    )!;
    expect(seriesOf(chart.mermaid).map(([kind]) => kind)).toEqual([...Array(5).fill('bar'), 'line']);
    expect(chart.legend.filter((entry) => entry.label.endsWith('(also a line)'))).toHaveLength(1);
  });

  it('merges services too small to see, and names them in a note when even their sum is', () => {
    const tiny = [0.001, 0.001, 0.001, 0.001, 0.001, 0.001, 0.001];
    const chart = dailyCostChart(reportWith({ big: [5, 5, 5, 5, 5, 5, 5], t1: tiny, t2: tiny }))!;
    expect(chart.legend.map((entry) => entry.label)).toEqual(['`big`']);
    expect(chartMarkdown(chart)).toMatch(
      /🟦 `big` _Not drawn: the other 2 services, under 2 % of the scale every day._$/,
    );

    const fleet = costChartPlan(fleetReport(300))!;
    expect(chartRuleViolations(fleet)).toEqual([]);
    expect(fleet.segments.map((segment) => [segment.label, segment.merged])).toEqual([
      ['all 300 services', true],
    ]);
  });

  it('keeps every plan readable, whatever the costs', () => {
    const day = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1000, noNaN: true }));
    const services = fc.array(fc.array(day, { minLength: 7, maxLength: 7 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(services, (costs) => {
        const plan = costChartPlan(reportWith(Object.fromEntries(costs.map((daily, i) => [`s${i}`, daily]))));
        if (plan !== null) expect(chartRuleViolations(plan)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every log-derived string out of the Mermaid source', async () => {
    const chart = dailyCostChart(hostileReport())!;
    const body = chart.mermaid.split('---').at(-1) ?? '';
    for (const line of body.trim().split('\n').slice(1)) {
      expect(line).toMatch(
        /^ {4}(title "[A-Za-z ()]+"|x-axis \["[A-Z][a-z]{2} \d\d?"(, "[A-Z][a-z]{2} \d\d?")*\]|y-axis "USD" 0 --> [\d.]+|(bar|line) \[[\d., ]+\])$/,
      );
    }
    // Service names reach the legend only as code spans, where GitHub renders no HTML, links or mentions.
    for (const { label } of chart.legend.filter((entry) => !entry.label.startsWith('the other '))) {
      expect(new Lexer({ gfm: true }).inlineTokens(label).map((token) => token.type)).toEqual(['codespan']);
    }
    await parseMermaid(chart.mermaid);
  });

  it('parses for a fleet of 300 services', async () => {
    await parseMermaid(dailyCostChart(fleetReport(300))!.mermaid);
  });

  it('is left out when there is nothing to draw', () => {
    const report = sampleReport();
    report.services.forEach((service) => (service.daily = []));
    expect(dailyCostChart(report)).toBeNull();
    expect(dailyRequestsChart(report)).toBeNull();
    const broken = sampleReport();
    broken.window = { start: 'yesterday', end: 'today', days: 1 };
    expect(dailyCostChart(broken)).toBeNull();
  });
});

describe('dailyRequestsChart', () => {
  it('draws a bar of all requests per day, in thousands on a nice axis close above the peak', async () => {
    const report = reportWith({ a: [1, 1, 1, 1, 1, 1, 1], b: [1, 1, 1, 1, 1, 1, 1] });
    report.services[0]!.daily.forEach(
      (day, index) => (day.requests = [19_613, 20_118, 19_615, 19_942, 27_264, 12_298, 12_385][index]!),
    );
    const chart = dailyRequestsChart(report)!;
    expect(chart.mermaid).toContain('y-axis "thousand requests" 0 --> 30');
    expect(seriesOf(chart.mermaid)).toEqual([
      ['bar', [20.613, 21.118, 20.615, 20.942, 28.264, 13.298, 13.385]],
    ]);
    expect(paletteOf(await parseMermaidConfig(chart.mermaid))).toEqual([BLUE.hex]);
    expect(chartMarkdown(chart).split('\n').at(-1)).toBe('🟦 requests to all services');
  });

  it('adds up to the services', () => {
    const report = sampleReport();
    const chart = dailyRequestsChart(report)!;
    const [[, bar]] = seriesOf(chart.mermaid) as [[string, number[]]];
    const unit = chart.mermaid.includes('"thousand requests"') ? 1000 : 1;
    expect(Math.round(bar.reduce((sum, value) => sum + value, 0) * unit)).toBe(
      report.services.reduce((sum, service) => sum + service.daily.reduce((s, d) => s + d.requests, 0), 0),
    );
  });
});
