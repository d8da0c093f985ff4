/** The per-account numbers of a report over accounts, checked against its rows, in whole cents. */
import { expect } from '@jest/globals';
import type { Report } from '../../src/model/report.js';

export const cents = (n: number): number => Math.round(n * 100);

/** Each account = its services + shared + credits; its regions = its services; requests add up. */
export function expectAccountsAddUp(report: Report): void {
  for (const a of report.accounts!) {
    const rows = report.services.filter((s) => s.account === a.account);
    const services = rows.reduce((sum, s) => sum + cents(s.cost.total), 0);
    expect(cents(a.cost)).toBe(services + cents(a.shared.total) + cents(a.shared.credits));
    expect(a.regions.reduce((sum, r) => sum + cents(r.cost), 0)).toBe(services);
    expect(a.requests).toBe(rows.reduce((sum, s) => sum + s.requests, 0));
  }
}
