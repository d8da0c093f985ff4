import { describe, expect, it } from '@jest/globals';

import { reportSchemaErrors } from '../../src/report/validate.js';
import { multiAccountReport, sampleReport } from '../fixtures/report/reports.js';

describe('report schema v1: accounts, regions and coverage', () => {
  it('accepts multi-account reports, complete and partial, and single-account ones without the new fields', () => {
    expect(reportSchemaErrors(multiAccountReport())).toEqual([]);
    expect(reportSchemaErrors(multiAccountReport({ partial: true }))).toEqual([]);
    expect(reportSchemaErrors(sampleReport())).toEqual([]);
    expect(sampleReport()).not.toHaveProperty('accounts');
  });

  it('keeps schemaVersion 1', () => {
    expect(reportSchemaErrors({ ...multiAccountReport(), schemaVersion: 2 })).toContain(
      '/schemaVersion must be equal to constant',
    );
  });

  it('wants 12-digit account ids wherever an account is named', () => {
    const cases: Array<[string, (report: ReturnType<typeof multiAccountReport>) => void]> = [
      ['/services/0/account', (r) => (r.services[0]!.account = '12345')],
      ['/resourceConfigurations/0/account', (r) => (r.resourceConfigurations[0]!.account = 'payments')],
      ['/findings/0/account', (r) => (r.findings[0]!.account = '2222222222223')],
      ['/accounts/1/account', (r) => (r.accounts![1]!.account = ' 333333333333')],
      ['/coverage/unreachable/0/account', (r) => (r.coverage!.unreachable[0]!.account = 'arn:aws:iam::4')],
    ];
    for (const [path, spoil] of cases) {
      const report = multiAccountReport({ partial: true });
      spoil(report);
      expect(reportSchemaErrors(report)).toContain(`${path} must match pattern "^\\d{12}$"`);
    }
  });

  it('requires every field of a coverage and an account summary', () => {
    const report = multiAccountReport({ partial: true });
    delete (report.coverage as Partial<NonNullable<typeof report.coverage>>).complete;
    expect(reportSchemaErrors(report)).toContain("/coverage must have required property 'complete'");

    const summary = multiAccountReport();
    delete (summary.accounts![0] as Partial<NonNullable<typeof summary.accounts>[number]>).regions;
    expect(reportSchemaErrors(summary)).toContain("/accounts/0 must have required property 'regions'");

    const status = multiAccountReport();
    (status.accounts![0] as { status: string }).status = 'failed';
    expect(reportSchemaErrors(status)).toContain(
      '/accounts/0/status must be equal to one of the allowed values',
    );

    const reason = multiAccountReport({ partial: true });
    delete (reason.coverage!.unreachable[0] as { reason?: string }).reason;
    expect(reportSchemaErrors(reason)).toContain(
      "/coverage/unreachable/0 must have required property 'reason'",
    );
  });

  it('allows no fields beyond the contract', () => {
    const report = multiAccountReport();
    (report.accounts![0]!.regions[0] as unknown as Record<string, unknown>).shared = 1;
    (report.services[0] as unknown as Record<string, unknown>).accountName = 'x';
    const errors = reportSchemaErrors(report);
    expect(errors).toContain('/accounts/0/regions/0 must NOT have additional properties');
    expect(errors.some((e) => e.startsWith('/services/0'))).toBe(true);
  });
});
