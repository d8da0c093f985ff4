import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { fitToBudget, type BudgetBlock, type BudgetTable } from '../../src/report/budget.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { Report } from '../../src/model/report.js';
import type { Severity } from '../../src/model/findings.js';
import { fleetReport, HOSTILE_STRINGS } from '../fixtures/report/reports.js';

const GITHUB_BODY_LIMIT = 65_536;
const MARKER = '<!-- lattice-cost-report:weekly -->';

function budgetTable(name: string, importances: number[], essential: number[] = []): BudgetTable {
  return {
    head: `| ${name} |\n| - |`,
    rows: importances.map((importance, index) => ({
      line: `| ${name}${index} importance ${importance} ${'x'.repeat(40)} |`,
      importance,
      essential: essential.includes(index),
    })),
    foot: `| ${name} total |`,
    omittedNote: (omitted) => `_… and ${omitted} more ${name} rows._`,
  };
}

/** Every run of table lines starts with a header and a delimiter row, so it renders as a table. */
function expectWholeTables(markdown: string): void {
  const lines = markdown.split('\n');
  lines.forEach((line, index) => {
    if (line.startsWith('|') && !lines[index - 1]?.startsWith('|')) {
      expect(lines[index + 1]).toMatch(/^\|(?: *:?-+:? *\|)+$/);
    }
  });
}

function fullLength(blocks: BudgetBlock[], suffix = ''): number {
  return fitToBudget(blocks, { maxChars: Infinity, suffix }).markdown.length;
}

describe('fitToBudget', () => {
  const chart = '```mermaid\nxychart-beta\n    bar [1, 2, 3]\n```';

  it('renders everything, unchanged, when it fits', () => {
    const blocks: BudgetBlock[] = [
      { parts: ['# Title', budgetTable('a', [3, 2, 1])] },
      { parts: [chart], dropRank: 1 },
    ];
    const full = fitToBudget(blocks, { maxChars: Infinity, suffix: MARKER });
    expect(full.markdown).toBe(
      [
        '# Title',
        '',
        '| a |',
        '| - |',
        ...[3, 2, 1].map((n, i) => `| a${i} importance ${n} ${'x'.repeat(40)} |`),
        '| a total |',
      ]
        .concat(['', chart, '', MARKER])
        .join('\n'),
    );
    const exact = fitToBudget(blocks, { maxChars: full.markdown.length, suffix: MARKER });
    expect(exact).toEqual({ markdown: full.markdown, omittedRows: 0, droppedBlocks: 0, truncated: false });
  });

  it('leaves out the least important rows across tables first and says so under each table', () => {
    const blocks: BudgetBlock[] = [{ parts: [budgetTable('a', [3, 2, 1]), budgetTable('b', [2.5, 0.5])] }];
    const full = fullLength(blocks);
    // Each row is about 60 characters and each note about 25, so two rows have to go.
    const { markdown, omittedRows } = fitToBudget(blocks, { maxChars: full - 60 });
    expect(omittedRows).toBe(2);
    expect(markdown).not.toContain('importance 0.5');
    expect(markdown).not.toContain('a2 importance 1');
    expect(markdown).toContain('a1 importance 2');
    expect(markdown).toContain('_… and 1 more a rows._');
    expect(markdown).toContain('_… and 1 more b rows._');
    // Footer rows stay.
    expect(markdown).toContain('| a total |');
  });

  it('trims rows before dropping optional blocks, and drops them in rank order before essential rows', () => {
    const table = budgetTable('s', [5, 4, 3, 2, 1], [0]);
    const blocks: BudgetBlock[] = [
      { parts: ['# Title', table] },
      { parts: ['second chart '.repeat(20)], dropRank: 2 },
      { parts: ['first chart '.repeat(20)], dropRank: 1 },
    ];
    const full = fullLength(blocks);
    const rowsOnly = fitToBudget(blocks, { maxChars: full - 40 });
    expect(rowsOnly.droppedBlocks).toBe(0);
    expect(rowsOnly.omittedRows).toBeGreaterThan(0);

    const note = '_Sections omitted._';
    // More than all non-essential rows together, less than the first chart plus a few rows.
    const firstDropped = fitToBudget(blocks, { maxChars: full - 300, droppedBlocksNote: note });
    expect(firstDropped.markdown).not.toContain('first chart');
    expect(firstDropped.markdown).toContain('second chart');
    expect(firstDropped.markdown).toContain(note);
    // With the chart gone, rows are restored as far as they fit.
    expect(firstDropped.markdown).toContain('s1 importance 4');

    const small = fitToBudget(blocks, { maxChars: 170 });
    expect(small.droppedBlocks).toBe(2);
    expect(small.truncated).toBe(false);
    expect(small.markdown).toContain('s0 importance 5');
    expect(small.markdown).toContain('_… and 4 more s rows._');
    expect(small.markdown.length).toBeLessThanOrEqual(170);
  });

  it('never leaves out pinned rows (group subtotals), even after essential rows are gone', () => {
    const table = budgetTable('g', [0, 5, 4, 0, 3, 2], [1]);
    table.rows[0]!.pinned = true;
    table.rows[3]!.pinned = true;
    const blocks: BudgetBlock[] = [{ parts: ['# Title', table] }];
    const { markdown, omittedRows, truncated } = fitToBudget(blocks, { maxChars: 230 });
    expect(truncated).toBe(false);
    expect(markdown.length).toBeLessThanOrEqual(230);
    expect(omittedRows).toBe(4);
    expect(markdown).toContain('g0 importance 0');
    expect(markdown).toContain('g3 importance 0');
    expect(markdown).not.toContain('g1 importance 5');
    expect(markdown.indexOf('g0 importance')).toBeLessThan(markdown.indexOf('g3 importance'));
    expect(markdown).toContain('_… and 4 more g rows._');
  });

  it('cuts the tail at a line break as a last resort, keeping the suffix whole', () => {
    const blocks: BudgetBlock[] = [{ parts: ['line one', 'line two '.repeat(10), 'line three '.repeat(10)] }];
    const { markdown, truncated } = fitToBudget(blocks, {
      maxChars: 150,
      suffix: MARKER,
      truncatedNote: '_cut_',
    });
    expect(truncated).toBe(true);
    expect(markdown.length).toBeLessThanOrEqual(150);
    expect(markdown.startsWith('line one\n')).toBe(true);
    expect(markdown).toContain('\n_cut_\n');
    expect(markdown.endsWith(`\n${MARKER}`)).toBe(true);
    expect(markdown).not.toContain('line three');
  });

  it('never splits a surrogate pair and fits even when only the suffix fits', () => {
    const blocks: BudgetBlock[] = [{ parts: ['😀'.repeat(100)] }];
    const cut = fitToBudget(blocks, { maxChars: 99, truncatedNote: 'x' });
    expect(cut.markdown.length).toBeLessThanOrEqual(99);
    expect(cut.markdown).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(fitToBudget(blocks, { maxChars: MARKER.length, suffix: MARKER }).markdown).toBe(MARKER);
    expect(() => fitToBudget(blocks, { maxChars: MARKER.length - 1, suffix: MARKER })).toThrow(RangeError);
  });
});

describe('renderMarkdown with maxChars', () => {
  it('fits a 1,500-service report into a GitHub comment, keeping what matters', () => {
    const prefix = 'payments-ledger-reconciliation-worker';
    // 500 critical findings, all listed: too much for a comment even with the services summed.
    const report = fleetReport(1_500, prefix);
    expect(renderMarkdown(report, { marker: 'weekly' }).length).toBeGreaterThan(GITHUB_BODY_LIMIT);
    const markdown = renderMarkdown(report, { marker: 'weekly', maxChars: GITHUB_BODY_LIMIT });
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(markdown.endsWith(`\n${MARKER}`)).toBe(true);
    const lines = markdown.split('\n');
    expect(lines[0]).toMatch(/^### VPC Lattice cost & performance/);
    expect(lines[2]).toMatch(/^\*\*\$[\d,.]+\*\* in 7 days .* · \*\*1,500 findings\*\*, 500 critical/);
    for (const finding of report.findings.filter((f) => f.severity === 'critical')) {
      expect(markdown).toContain(` · ${finding.message} |`);
    }
    for (let index = 0; index < 20; index += 1) {
      expect(markdown).toContain(`| \`${prefix}-${String(index).padStart(4, '0')}\` |`);
    }
    expect(markdown).toMatch(
      /_… and [\d,]+ more services, omitted to fit GitHub's size limit; see report\.json\._/,
    );
    expect(markdown).toContain('| _1,400 other services_ |');
    expect(markdown).toContain('**total (= Cost Explorer)**');
  });

  it.each([500, 2_000, 10_000])('fits %i characters and keeps the heading and the marker', (maxChars) => {
    const markdown = renderMarkdown(fleetReport(300), { marker: 'weekly', maxChars });
    expect(markdown.length).toBeLessThanOrEqual(maxChars);
    expect(markdown.startsWith('### VPC Lattice cost & performance')).toBe(true);
    expect(markdown.endsWith(`\n${MARKER}`)).toBe(true);
    if (maxChars >= 2_000) expect(markdown).toContain('**300 findings**, 100 critical');
    expectWholeTables(markdown);
  });

  it('refuses a budget that cannot hold the marker', () => {
    expect(() => renderMarkdown(fleetReport(3), { marker: 'weekly', maxChars: 20 })).toThrow(RangeError);
    expect(() => renderMarkdown(fleetReport(3), { maxChars: 0 })).toThrow(RangeError);
  });

  it('always fits any report into any budget of 300 characters or more, marker intact', () => {
    const severity = fc.constantFrom<Severity>('critical', 'warning', 'info');
    const reportArbitrary = fc
      .record({
        serviceCount: fc.integer({ min: 0, max: 400 }),
        names: fc.array(fc.oneof(fc.string({ maxLength: 150 }), fc.constantFrom(...HOSTILE_STRINGS)), {
          maxLength: 12,
        }),
        severities: fc.array(severity, { maxLength: 50 }),
        warnings: fc.array(fc.string({ maxLength: 400 }), { maxLength: 30 }),
        modelled: fc.boolean(),
      })
      .map(({ serviceCount, names, severities, warnings, modelled }): Report => {
        const report = fleetReport(serviceCount);
        report.services.forEach((service, index) => {
          service.name = names.length > 0 ? (names[index % names.length] as string) : service.name;
        });
        report.findings.forEach((finding, index) => {
          finding.severity =
            severities.length > 0 ? (severities[index % severities.length] as Severity) : finding.severity;
        });
        report.warnings = warnings;
        report.costBasis.method = modelled ? 'modelled' : 'reconciled';
        return report;
      });
    const markerKey = fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/);
    fc.assert(
      fc.property(
        reportArbitrary,
        fc.integer({ min: 300, max: 120_000 }),
        markerKey,
        (report, maxChars, key) => {
          const marker = `<!-- lattice-cost-report:${key} -->`;
          const markdown = renderMarkdown(report, { marker: key, maxChars });
          expect(markdown.length).toBeLessThanOrEqual(maxChars);
          expect(markdown.endsWith(marker)).toBe(true);
          expect(markdown.split('<!-- lattice-cost-report:')).toHaveLength(2);
          expectWholeTables(markdown);
        },
      ),
      { numRuns: 60 },
    );
  });
});
