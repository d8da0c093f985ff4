/**
 * The report's first line, the same facts in two forms: Markdown under the report's heading,
 * plain text for the CLI and the action's log.
 */
import { severityRank } from '../model/findings.js';
import type { Finding, Report } from '../model/report.js';
import { formatDateRange, formatDelta, formatInteger, formatUsd, plural } from './format.js';
import { terminalText } from './terminal.js';
import { coveragePhrase, scopePhrase } from './accounts.js';

/** Amounts in the report's currency. */
export function money(report: Report, amount: number): string {
  return formatUsd(amount, report.costBasis.currency);
}

/** Cost, requests, findings and forecast; `strong` marks the key numbers (bold in Markdown). */
export function headlineParts(report: Report, strong: (text: string) => string): string[] {
  const { totals, window } = report;
  const modelled = report.costBasis.method === 'modelled' ? ' modelled cost' : '';
  // A partial total says so next to the amount; a complete one over many accounts says it is the whole.
  const partial = coveragePhrase(report.coverage);
  const scope = partial === undefined ? scopePhrase(report) : '';
  let cost = `${strong(money(report, totals.cost))}${modelled} in ${plural(window.days, 'day')}${scope ? ` ${scope}` : ''}`;
  const notes = partial === undefined ? [] : [`partial: ${partial}`];
  if (totals.previous && totals.previous.cost !== 0) {
    notes.push(
      `${formatDelta(totals.cost, totals.previous.cost)} vs the previous ${plural(window.days, 'day')}`,
    );
  }
  if (notes.length > 0) cost += ` (${notes.join('; ')})`;
  const parts = [
    cost,
    `${strong(formatInteger(totals.requests))} requests`,
    findingsSummary(report.findings, strong),
  ];
  if (report.forecast) {
    const { amount, start, end } = report.forecast;
    parts.push(`forecast ${strong(money(report, amount))} for ${formatDateRange(start, end)}`);
  }
  return parts;
}

function findingsSummary(findings: Finding[], strong: (text: string) => string): string {
  if (findings.length === 0) return 'no findings';
  const worst = [...findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity))[0];
  const severity = worst?.severity ?? 'info';
  const count = findings.filter((finding) => finding.severity === severity).length;
  const label = severity === 'warning' ? plural(count, 'warning') : `${formatInteger(count)} ${severity}`;
  return `${strong(plural(findings.length, 'finding'))}, ${label}`;
}

/** Plain text: the window, the headline, and the first finding; the service name kept on its line. */
export function headline(report: Report): string {
  const lines = [
    `VPC Lattice ${formatDateRange(report.window.start, report.window.end)}: ${headlineParts(report, (text) => text).join(' · ')}`,
  ];
  const first = report.findings[0];
  if (first) {
    const service = report.services.find((s) => s.arn === first.service);
    lines.push(
      `Top finding: ${first.message}${service ? ` — ${terminalText(service.name, { oneLine: true })}` : ''}`,
    );
  }
  return lines.join('\n');
}
