/** The impact of a pull request's Lattice changes against the sample report, and its Markdown. */
import { describe, expect, it } from '@jest/globals';
import { changeImpacts } from '../../src/analysis/impact.js';
import { DEFAULT_PRICES } from '../../src/analysis/prices.js';
import type { IacResource, LatticeChange } from '../../src/model/changes.js';
import { renderImpact } from '../../src/report/impact.js';
import { sampleReport } from '../fixtures/report/reports.js';
import { parseMarkdownTable } from '../helpers/markdown-table.js';

const PRICES = { region: 'us-east-1', table: DEFAULT_PRICES['us-east-1']! };
const QUIET = 100;

function resource(
  kind: IacResource['kind'],
  name: string | undefined,
  more: Partial<IacResource> = {},
): IacResource {
  return {
    file: 'infra/lattice.yaml',
    address: `${name ?? kind}Resource`,
    kind,
    type: `AWS::VpcLattice::${kind}`,
    ...(name ? { name } : {}),
    targets: [],
    settings: {},
    unresolved: false,
    ...more,
  };
}

const remove = (r: IacResource): LatticeChange => ({
  action: 'remove',
  kind: r.kind,
  type: r.type,
  before: r,
  changed: [],
});
const add = (r: IacResource): LatticeChange => ({
  action: 'add',
  kind: r.kind,
  type: r.type,
  after: r,
  changed: [],
});
const modify = (before: IacResource, after: IacResource, changed: string[]): LatticeChange => ({
  action: 'modify',
  kind: before.kind,
  type: before.type,
  before,
  after,
  changed,
});

describe('changeImpacts', () => {
  const report = sampleReport();

  it("saves a removed idle service's monthly cost, the idle finding's saving", () => {
    const { impacts, monthlyCostDelta } = changeImpacts(
      [remove(resource('service', 'legacy-reports'))],
      report,
      PRICES,
      QUIET,
    );
    const idle = report.findings.find((f) => f.kind === 'idle-service')!;
    expect(impacts[0]).toMatchObject({
      match: { name: 'legacy-reports', certain: true },
      monthlyCostDelta: -idle.estimatedMonthlySavings!,
      effect: { kind: 'removes-service', associationOnly: false, loud: false },
    });
    expect(monthlyCostDelta).toBe(-18.25);
  });

  it('flags a removed service that still serves traffic; an association alone saves only usage', () => {
    const association = (service: string) =>
      resource('service-association', undefined, {
        address: `${service}Association`,
        targets: [
          { kind: 'service', name: service },
          { kind: 'service-network', name: 'analytics-mesh' },
        ],
      });
    const [service, withIt, alone] = changeImpacts(
      [
        remove(resource('service', 'checkout-api')),
        remove(association('checkout-api')),
        remove(association('search-api')),
      ],
      report,
      PRICES,
      QUIET,
    ).impacts;
    const checkout = report.services.find((s) => s.name === 'checkout-api')!;
    const search = report.services.find((s) => s.name === 'search-api')!;
    expect(service!.effect).toMatchObject({ kind: 'removes-service', loud: true });
    expect((service!.effect as { requestsPerDay: number }).requestsPerDay).toBeCloseTo(
      checkout.requests / 7,
      6,
    );
    expect(service!.monthlyCostDelta).toBeCloseTo(-(checkout.cost.total / (7 * 24)) * 730, 2);
    // Its association goes with it: the saving is counted once, on the service's row.
    expect(withIt!.monthlyCostDelta).toBeUndefined();
    expect(withIt!.effect).toMatchObject({ associationOnly: true, withService: true });
    expect(alone!.monthlyCostDelta).toBeCloseTo(
      -((search.cost.data + search.cost.requests) / (7 * 24)) * 730,
      2,
    );
    expect(alone!.effect).toMatchObject({ associationOnly: true, withService: false });
  });

  it('prices an added service at the list price, with its traffic unknown', () => {
    const { impacts } = changeImpacts([add(resource('service', 'orders-v2'))], report, PRICES, QUIET);
    expect(impacts[0]).toMatchObject({ monthlyCostDelta: 18.25, effect: { kind: 'adds-service' } });
    expect(impacts[0]!.match).toBeUndefined();
  });

  it('measures auth, logging and protocol changes with the traffic they touch', () => {
    const before = resource('service', 'auth-gateway', { settings: { authType: 'NONE' } });
    const after = resource('service', 'auth-gateway', { settings: { authType: 'AWS_IAM' } });
    const listener = (protocol: string) =>
      resource('listener', 'https', {
        targets: [{ kind: 'service', name: 'search-api' }],
        settings: { protocol },
      });
    const logs = resource('access-log-subscription', undefined, {
      targets: [{ kind: 'service-network', name: 'analytics-mesh' }],
    });
    const { impacts } = changeImpacts(
      [
        modify(before, after, ['authType']),
        modify(listener('HTTP'), listener('TLS_PASSTHROUGH'), ['protocol']),
        remove(logs),
      ],
      report,
      PRICES,
      QUIET,
    );
    const gateway = report.services.find((s) => s.name === 'auth-gateway')!;
    expect(impacts[0]!.effect).toMatchObject({
      kind: 'changes-access',
      share: gateway.requests / report.totals.requests,
      authDeniedPerDay: gateway.authDenied / 7,
    });
    expect(impacts[1]!.effect).toEqual({ kind: 'changes-protocol', from: 'HTTP', to: 'TLS_PASSTHROUGH' });
    expect(impacts[2]!.effect).toMatchObject({
      kind: 'changes-logging',
      removed: true,
      requestsPerDay: report.totals.requests / 7,
    });
  });

  it('says a match is uncertain when the name did not resolve or names two services', () => {
    const twin = structuredClone(report);
    twin.services.push({
      ...twin.services[0]!,
      arn: twin.services[0]!.arn.replace('us-east-1', 'eu-west-1'),
    });
    const name = twin.services[0]!.name;
    expect(
      changeImpacts([remove(resource('service', name))], twin, PRICES, QUIET).impacts[0]!.match!.certain,
    ).toBe(false);
    const unresolved = resource('service', 'legacy-reports', { unresolved: true });
    expect(changeImpacts([remove(unresolved)], report, PRICES, QUIET).impacts[0]!.match!.certain).toBe(false);
  });

  it('without live usage: list prices only, nothing matched', () => {
    const summary = changeImpacts(
      [remove(resource('service', 'legacy-reports')), add(resource('service', 'orders-v2'))],
      undefined,
      PRICES,
      QUIET,
    );
    expect(summary.usage).toBe(false);
    expect(summary.impacts[0]!.monthlyCostDelta).toBeUndefined();
    expect(summary.monthlyCostDelta).toBe(18.25);
  });
});

describe('renderImpact', () => {
  const report = sampleReport();

  it('leads with the headline, one row per change, names escaped', () => {
    const hostile = resource('service', '@octocat <img src=x> | [x](javascript:1)');
    const summary = changeImpacts(
      [
        remove(resource('service', 'legacy-reports')),
        remove(resource('service', 'checkout-api')),
        add(hostile),
      ],
      report,
      PRICES,
      QUIET,
    );
    const markdown = renderImpact(summary, [
      { path: 'infra/broken.yaml', reason: 'not YAML: bad indentation' },
    ]);
    expect(markdown).toContain('**This pull request: -$');
    expect(markdown).toMatch(/2 services removed, 1 still serving 10,595 requests\/day, 1 service added/);
    const rows = parseMarkdownTable(markdown);
    expect(rows).toHaveLength(3);
    expect(rows[0]![4]).toContain('**-$18.25/mo**');
    expect(rows[1]![4]).toContain('⚠️ **still serves 10,595 requests/day');
    expect(rows[2]![4]).toContain('**+$18.25/mo** at the us-east-1 list price ($0.025 an hour)');
    // Code spans are inert; outside them, nothing from the code may be a tag, link or mention.
    const outside = markdown.replace(/(`+)[\s\S]*?\1/g, '');
    expect(outside).not.toMatch(/<img|\]\(javascript|@octocat/);
    expect(markdown).toContain('@octocat');
    expect(markdown).toContain('`infra/broken.yaml`: not YAML: bad indentation');
  });

  it('says when there is nothing, and when usage was not available', () => {
    expect(renderImpact(changeImpacts([], report, PRICES, QUIET))).toContain(
      'No VPC Lattice resource changes',
    );
    const offline = renderImpact(changeImpacts([add(resource('service', 'x'))], undefined, PRICES, QUIET));
    expect(offline).toContain('Live usage was not available');
  });
});
