/** Every threshold a finding uses, with its default. The action and CLI expose the first three. */
import { DEFAULT_DETECTOR, type DetectorOptions } from './anomalies.js';

export interface Thresholds {
  /** high-latency when p99 is above this. */
  latencyP99Ms: number;
  /** high-error-rate when the error rate (5xx and gRPC server errors) is above this percentage. */
  errorRatePercent: number;
  /** idle-service when the average day has fewer requests than this. */
  idleRequestsPerDay: number;
  /** Latency, error and cost-per-request findings need at least this many requests in the window. */
  minRequests: number;
  /** A finding becomes critical at this multiple of its threshold (latency, error rate). */
  latencyCriticalMultiple: number;
  errorRateCriticalMultiple: number;
  /** auth-denied when this percentage of requests was denied... */
  authDeniedPercent: number;
  /** ...and at least this many requests were. */
  authDeniedMinRequests: number;
  /** cost-outlier when cost per million requests is this many times the fleet median... */
  costOutlierFactor: number;
  /** ...and at least this many services have enough traffic to form a median. */
  costOutlierMinServices: number;
  /** large-payload when data processing is at least this share of the service's cost... */
  largePayloadShare: number;
  /** ...and costs at least this much a month. */
  largePayloadMinMonthlyUsd: number;
  /** Anomaly detector over daily series. */
  detector: DetectorOptions;
  /** Smallest change worth reporting, per anomaly metric. */
  anomalyMinCostUsd: number;
  anomalyMinRequests: number;
  anomalyMinP99Ms: number;
  anomalyMinErrorRatePoints: number;
  /** ...and at least this relative change from the usual value, in percent. */
  anomalyMinChangePercent: number;
  /** A day's p99 or error rate is judged only with at least this many requests that day. */
  anomalyMinDailyRequests: number;
  /** cost-regression when the window costs this much more than the previous one, in percent and USD. */
  regressionCostPercent: number;
  regressionMinCostUsd: number;
  /** latency-regression when p99 rose by this percentage and at least anomalyMinP99Ms. */
  regressionP99Percent: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  latencyP99Ms: 500,
  errorRatePercent: 1,
  idleRequestsPerDay: 100,
  minRequests: 100,
  latencyCriticalMultiple: 4,
  errorRateCriticalMultiple: 5,
  authDeniedPercent: 1,
  authDeniedMinRequests: 10,
  costOutlierFactor: 5,
  costOutlierMinServices: 3,
  largePayloadShare: 0.5,
  largePayloadMinMonthlyUsd: 1,
  detector: DEFAULT_DETECTOR,
  anomalyMinCostUsd: 1,
  anomalyMinRequests: 1000,
  anomalyMinP99Ms: 100,
  anomalyMinErrorRatePoints: 1,
  anomalyMinChangePercent: 25,
  anomalyMinDailyRequests: 50,
  regressionCostPercent: 25,
  regressionMinCostUsd: 1,
  regressionP99Percent: 50,
};
