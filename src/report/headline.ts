/** The plain-text summary printed by the CLI and in the action's log. */
import { formatDelta, formatInteger, formatUsd, formatWindow, plural } from './format.js';
import type { Report } from '../model/report.js';
import type { Severity } from '../model/findings.js';

/** Strips control and bidi characters so log-derived text cannot drive a terminal. */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
}

export function headline(report: Report): string {
  const { totals } = report;
  let cost = `${formatUsd(totals.cost)} ${report.costBasis.method === 'reconciled' ? 'billed' : 'modelled'}`;
  if (totals.previous) cost += ` (${formatDelta(totals.cost, totals.previous.cost)} vs previous window)`;
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of report.findings) counts[f.severity] += 1;
  const bySeverity = (['critical', 'warning', 'info'] as const)
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
  const lines = [
    `VPC Lattice ${formatWindow(report.window)}: ${cost} · ${formatInteger(totals.requests)} requests · ` +
      `${plural(report.services.length, 'service')} · ${plural(report.findings.length, 'finding')}` +
      (bySeverity ? ` (${bySeverity})` : ''),
  ];
  const worst = report.findings[0];
  if (worst) {
    const service = report.services.find((s) => s.arn === worst.service);
    lines.push(`Top finding: ${worst.message}${service ? ` — ${terminalSafe(service.name)}` : ''}`);
  }
  return lines.join('\n');
}
