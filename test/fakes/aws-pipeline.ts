/** The AWS pipeline and the metrics publisher mocked for the entries' in-process tests. */
import { jest } from '@jest/globals';
import { sampleReport } from '../fixtures/report/reports.js';

/** Call before importing the entry under test; returns the mocks to assert on. */
export function mockAwsPipeline() {
  const analyzeAws = jest.fn(async (_options: Record<string, unknown>) => ({
    report: sampleReport(),
    stats: { seconds: 1, cacheWritten: 0 },
  }));
  const publishMetrics = jest.fn(async (..._args: unknown[]) => 1);
  jest.unstable_mockModule('../../src/pipeline/aws.js', () => ({ analyzeAws }));
  jest.unstable_mockModule('../../src/aws/metrics.js', () => ({ publishMetrics }));
  return { analyzeAws, publishMetrics };
}
