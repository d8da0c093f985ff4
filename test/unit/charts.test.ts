import { describe, expect, it } from '@jest/globals';
import { Lexer } from 'marked';

import {
  chartMarkdown,
  dailyCostChart,
  dailyRequestsChart,
  SERIES_COLOURS,
  TOTAL_COLOUR,
  xyChart,
} from '../../src/report/charts.js';
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

function paletteOf(config: unknown): string[] {
  const palette = (config as { config?: { themeVariables?: { xyChart?: { plotColorPalette?: string } } } })
    .config?.themeVariables?.xyChart?.plotColorPalette;
  return (palette ?? '').split(',').map((colour) => colour.trim());
}

/** Series keywords in declaration order: Mermaid colours plots by that order. */
function seriesKinds(mermaid: string): string[] {
  return mermaid
    .split('\n')
    .map((line) => line.trim().split(' ')[0] ?? '')
    .filter((keyword) => keyword === 'bar' || keyword === 'line');
}

describe('the Mermaid helper', () => {
  it('accepts a valid xychart with frontmatter colours and rejects a broken one', async () => {
    const valid = xyChart({
      title: 'Test',
      yAxisTitle: 'USD',
      days: WEEK.slice(0, 2),
      bar: { values: [1, 2], colour: TOTAL_COLOUR },
      lines: [{ values: [0.5, 1], colour: SERIES_COLOURS[0]! }],
      decimals: 2,
    });
    await expect(parseMermaid(valid)).resolves.toBeUndefined();
    expect(paletteOf(await parseMermaidConfig(valid))).toEqual([TOTAL_COLOUR.hex, SERIES_COLOURS[0]!.hex]);
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
    const base = { yAxisTitle: 'USD', days: WEEK.slice(0, 1), lines: [], decimals: 2 };
    expect(() => xyChart({ ...base, title: 'cost "] line [1' })).toThrow(/fixed ASCII/);
    expect(() => xyChart({ ...base, title: 'ok', days: ['11-16'] })).toThrow(/YYYY-MM-DD/);
    expect(() => xyChart({ ...base, title: 'ok', bar: { values: [1, 2], colour: TOTAL_COLOUR } })).toThrow(
      /one value per day/,
    );
  });

  it('writes plain decimals that Mermaid can read, never exponents or negative values', async () => {
    const chart = xyChart({
      title: 'Tiny',
      yAxisTitle: 'USD',
      days: WEEK.slice(0, 3),
      bar: { values: [1e-9, -5, Number.NaN], colour: TOTAL_COLOUR },
      lines: [],
      decimals: 4,
    });
    expect(chart).toContain('bar [0, 0, 0]');
    expect(chart).toContain('y-axis "USD" 0 --> 0.0001');
    expect(chart).not.toMatch(/\de[-+]?\d/);
    await parseMermaid(chart);
  });
});

describe('dailyCostChart', () => {
  it('draws a bar of the daily total and one line per top-5 service plus "other", every day of the window', async () => {
    const chart = dailyCostChart(sampleReport());
    expect(chart).not.toBeNull();
    const { mermaid, legend } = chart!;
    expect(mermaid).toContain(`x-axis [${WEEK.map((day) => `"${day.slice(5)}"`).join(', ')}]`);
    expect(seriesKinds(mermaid)).toEqual(['bar', 'line', 'line', 'line', 'line', 'line', 'line']);
    expect(legend).toHaveLength(7);
    expect(legend[1]?.label).toBe('`media-export`');
    expect(legend[6]?.label).toBe('3 other services');
    await parseMermaid(mermaid);
  });

  it('gives Mermaid the same colours, in the same order, as the emoji legend', async () => {
    const { mermaid, legend } = dailyCostChart(sampleReport())!;
    const palette = paletteOf(await parseMermaidConfig(mermaid));
    expect(palette).toEqual(legend.map((entry) => entry.colour.hex));
    expect(new Set(palette).size).toBe(palette.length);
    const markdown = chartMarkdown({ mermaid, legend });
    const legendLine = markdown.split('\n').at(-1) ?? '';
    expect(legendLine.startsWith(`${TOTAL_COLOUR.emoji} all services`)).toBe(true);
    expect([...legendLine.matchAll(/[⬛🟦🟧🟩🟥🟪🟫🟨]/gu)].map((match) => match[0])).toEqual(
      legend.map((entry) => entry.colour.emoji),
    );
  });

  it('sums the daily costs of the services, with zero for days a service has no data', () => {
    const report = sampleReport();
    const { mermaid } = dailyCostChart(report)!;
    const bar = /bar \[([^\]]*)\]/.exec(mermaid)?.[1]?.split(', ').map(Number) ?? [];
    const expected = WEEK.map((day) =>
      report.services.reduce(
        (sum, service) => sum + (service.daily.find((d) => d.date === day)?.cost ?? 0),
        0,
      ),
    );
    bar.forEach((value, index) => expect(value).toBeCloseTo(expected[index] ?? Number.NaN, 3));
  });

  it('has no "other" line when there are five services or fewer', () => {
    const report = sampleReport();
    report.services = report.services.slice(0, 5);
    const { mermaid, legend } = dailyCostChart(report)!;
    expect(seriesKinds(mermaid)).toEqual(['bar', 'line', 'line', 'line', 'line', 'line']);
    expect(legend.map((entry) => entry.label)).not.toContain('other');
  });

  it('keeps every log-derived string out of the Mermaid source', async () => {
    const report = hostileReport();
    const chart = dailyCostChart(report)!;
    const body = chart.mermaid.split('---').at(-1) ?? '';
    for (const line of body.trim().split('\n').slice(1)) {
      expect(line).toMatch(
        /^ {4}(title "[A-Za-z ()]+"|x-axis \["\d\d-\d\d"(, "\d\d-\d\d")*\]|y-axis "USD" 0 --> [\d.]+|(bar|line) \[[\d., ]+\])$/,
      );
    }
    // Service names reach the legend only as code spans, where GitHub renders no HTML, links or mentions.
    for (const { label } of chart.legend.slice(1, 6)) {
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
  it('draws a bar of all requests per day that adds up to the services', async () => {
    const report = sampleReport();
    const chart = dailyRequestsChart(report)!;
    expect(seriesKinds(chart.mermaid)).toEqual(['bar']);
    const bar = /bar \[([^\]]*)\]/.exec(chart.mermaid)?.[1]?.split(', ').map(Number) ?? [];
    expect(bar.reduce((sum, value) => sum + value, 0)).toBe(
      report.services.reduce((sum, service) => sum + service.daily.reduce((s, d) => s + d.requests, 0), 0),
    );
    expect(paletteOf(await parseMermaidConfig(chart.mermaid))).toEqual([TOTAL_COLOUR.hex]);
  });
});
