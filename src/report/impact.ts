/**
 * The change-impact section that leads a pull request's comment: a headline with the monthly
 * delta, then one row per Lattice change. Names and paths come from the pull request's code, so
 * they are untrusted like log values: escaped as code spans.
 */
import type { ChangeImpact, ImpactSummary } from '../analysis/impact.js';
import type { LatticeChange, LatticeResourceKind } from '../model/changes.js';
import { codeSpan, markdownText } from './escape.js';
import { formatInteger, formatSigned, formatUnitPrice, formatUsd, plural } from './format.js';

const KIND: Record<LatticeResourceKind, string> = {
  service: 'service',
  'service-network': 'service network',
  'service-association': 'service association',
  'vpc-association': 'VPC association',
  'resource-association': 'resource association',
  listener: 'listener',
  rule: 'listener rule',
  'target-group': 'target group',
  'auth-policy': 'auth policy',
  'access-log-subscription': 'access-log subscription',
  'resource-configuration': 'resource configuration',
  'resource-gateway': 'resource gateway',
};

const ACTION = { add: ['➕', 'Added'], remove: ['➖', 'Removed'], modify: ['✏️', 'Changed'] } as const;

const perMonth = (usd: number): string => `${formatSigned(usd, (m) => formatUsd(m))}/mo`;
const perDay = (n: number): string => formatInteger(Math.round(n));

function changeText(change: LatticeChange): string {
  const what = `${ACTION[change.action][1]} ${KIND[change.kind]}`;
  if (change.action !== 'modify' || change.changed.length === 0) return what;
  return `${what}: ${change.changed.map((c) => markdownText(c, { maxLength: 40 })).join(', ')}`;
}

function resourceText(change: LatticeChange, oneFile: boolean): string {
  const r = (change.after ?? change.before)!;
  const address = codeSpan(r.address, { maxLength: 60 });
  const where = oneFile ? address : `${address} in ${codeSpan(r.file, { maxLength: 80 })}`;
  return r.name ? `${codeSpan(r.name, { maxLength: 60 })} (${where})` : where;
}

function impactText(i: ChangeImpact, usage: boolean): string {
  const e = i.effect;
  const cost = i.monthlyCostDelta === undefined ? '' : `**${perMonth(i.monthlyCostDelta)}**`;
  const unknown = usage ? 'not running today' : 'live usage not available';
  switch (e.kind) {
    case 'removes-service': {
      if (!i.match) return `${cost || 'saving unknown'}; ${unknown}`;
      if (e.withService) return 'goes with its service (saving counted there)';
      const traffic = `still serves ${perDay(e.requestsPerDay)} requests/day (${perDay(e.errors5xxPerDay)} 5xx/day)`;
      const keeps = e.associationOnly ? '; the service itself is still billed by the hour' : '';
      return `${cost}; ${e.loud ? `⚠️ **${traffic}**` : traffic}${keeps}`;
    }
    case 'adds-service':
      return `${cost} at the ${markdownText(e.region)} list price (${formatUnitPrice(e.hourlyPrice)} an hour); traffic unknown until it serves`;
    case 'changes-access':
      if (usage && !i.match && e.requestsPerDay === 0)
        return 'who may call it changes; it serves no traffic today';
      return usage
        ? `affects ${perDay(e.requestsPerDay)} requests/day (${(e.share * 100).toFixed(1)} % of the network's), ${perDay(e.authDeniedPerDay)}/day denied today`
        : 'who may call it changes; live usage not available';
    case 'changes-logging':
      return `the report ${e.removed ? 'loses sight of' : 'must be pointed at the new destination to keep'} ${usage ? `${perDay(e.requestsPerDay)} requests/day` : 'this traffic'}`;
    case 'changes-protocol':
      return e.to === 'TLS_PASSTHROUGH'
        ? 'TLS passthrough: the report will count connections, with no status codes or latency'
        : e.from === 'TLS_PASSTHROUGH'
          ? 'back from TLS passthrough: the report will count requests, with status codes and latency'
          : `protocol ${markdownText(e.from ?? '?')} → ${markdownText(e.to ?? '?')}`;
    case 'other':
      return `${ACTION[i.change.action][1].toLowerCase()}; no estimate`;
  }
}

function matchText(i: ChangeImpact): string {
  if (!i.match) return '–';
  return `${codeSpan(i.match.name, { maxLength: 60 })}${i.match.certain ? '' : ' (uncertain match)'}`;
}

/** "This pull request: -$18.25/mo, 1 service removed that still serves 41 requests/day". */
function impactHeadline(summary: ImpactSummary): string {
  const parts: string[] = [];
  const removed = summary.impacts.filter(
    (i) => i.effect.kind === 'removes-service' && i.match && !i.effect.withService,
  );
  const busy = removed.filter((i) => i.effect.kind === 'removes-service' && i.effect.loud);
  if (removed.length > 0) {
    const served = busy.reduce(
      (sum, i) => sum + (i.effect.kind === 'removes-service' ? i.effect.requestsPerDay : 0),
      0,
    );
    parts.push(
      busy.length > 0
        ? `${plural(removed.length, 'service')} removed, ${busy.length} still serving ${perDay(served)} requests/day`
        : `${plural(removed.length, 'service')} removed`,
    );
  }
  const added = summary.impacts.filter((i) => i.effect.kind === 'adds-service').length;
  if (added > 0) parts.push(`${plural(added, 'service')} added`);
  const others = summary.impacts.length - removed.length - added;
  if (others > 0) parts.push(`${plural(others, 'other change')}`);
  return `**This pull request: ${perMonth(summary.monthlyCostDelta)}**${parts.length > 0 ? `, ${parts.join(', ')}` : ''}`;
}

export function renderImpact(
  summary: ImpactSummary,
  skipped: ReadonlyArray<{ path: string; reason: string }> = [],
): string {
  const lines = ['### VPC Lattice changes in this pull request', ''];
  if (summary.impacts.length === 0) {
    lines.push('No VPC Lattice resource changes in the infrastructure code of this pull request.');
  } else {
    lines.push(impactHeadline(summary), '');
    if (!summary.usage) {
      lines.push(
        '_Live usage was not available to this run (no AWS access): changes and list prices only._',
        '',
      );
    }
    // One file named once, not on every row.
    const files = [...new Set(summary.impacts.map((i) => (i.change.after ?? i.change.before)!.file))];
    const oneFile = files.length === 1;
    if (oneFile) lines.push(`In ${codeSpan(files[0]!, { inTable: false, maxLength: 120 })}:`, '');
    lines.push('| | Change | Resource | Runs today as | Impact |', '| :-: | :- | :- | :- | :- |');
    for (const i of summary.impacts) {
      lines.push(
        `| ${ACTION[i.change.action][0]} | ${changeText(i.change)} | ${resourceText(i.change, oneFile)} | ${matchText(i)} | ${impactText(i, summary.usage)} |`,
      );
    }
    lines.push(
      '',
      "_Amounts are per month (730 hours): a removed service's from what it cost in the report's window, an added one's at list price._",
    );
  }
  if (skipped.length > 0) {
    lines.push('', `${plural(skipped.length, 'file')} not read:`);
    for (const s of skipped.slice(0, 10))
      lines.push(
        `- ${codeSpan(s.path, { inTable: false, maxLength: 120 })}: ${markdownText(s.reason, { maxLength: 160 })}`,
      );
  }
  return lines.join('\n');
}
