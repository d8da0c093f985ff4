/**
 * One VPC Lattice access-log record as every engine sees it, and the one classification of its
 * fields: the local reader, the fast scanner and the Logs Insights query all count by these.
 */

/**
 * Every field of a Lattice access-log record, in the order Lattice writes them. Documented on
 * https://docs.aws.amazon.com/vpc-lattice/latest/ug/monitoring-access-logs.html ("Access log
 * contents"); the order is that of a real entry published in aws-samples/sample-bridge-mode-sidecar.
 */
export const ACCESS_LOG_FIELDS = [
  'serviceNetworkArn',
  'resolvedUser',
  'listenerType',
  'authDeniedReason',
  'targetGroupArn',
  'sourceVpcArn',
  'destinationVpcId',
  'sourceIpPort',
  'listenerId',
  'targetIpPort',
  'failureReason',
  'serviceArn',
  'sourceVpcId',
  'startTime',
  'requestMethod',
  'requestPath',
  'protocol',
  'responseCode',
  'bytesReceived',
  'bytesSent',
  'duration',
  'userAgent',
  'hostHeader',
  'serverNameIndication',
  'requestToTargetDuration',
  'responseFromTargetDuration',
  'sslCipher',
  'tlsVersion',
  'callerPrincipal',
  'callerPrincipalOrgID',
  'callerX509IssuerOU',
  'callerX509SubjectCN',
  'callerX509SANNameCN',
  'callerX509SANDNS',
  'callerX509SANURI',
] as const;

export type AccessLogField = (typeof ACCESS_LOG_FIELDS)[number];

export interface AccessLogRecord {
  serviceArn: string;
  /** UTC day, YYYY-MM-DD, of startTime. */
  day: string;
  /** UTC hour, 0-23, of startTime. */
  hour: number;
  /** Total request duration in milliseconds. */
  duration: number;
  /** HTTP status; null when absent. */
  responseCode: number | null;
  bytesReceived: number;
  bytesSent: number;
  /** The auth policy denied the request (authDeniedReason present). */
  authDenied: boolean;
  hostHeader: string | null;
}

/** Requests per HTTP status class. */
export interface StatusCounts {
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
}

/** The status class of a response code, or null outside 200-599. */
export function statusClass(code: number | null): keyof StatusCounts | null {
  if (code === null) return null;
  if (code >= 200 && code < 300) return '2xx';
  if (code >= 300 && code < 400) return '3xx';
  if (code >= 400 && code < 500) return '4xx';
  if (code >= 500 && code < 600) return '5xx';
  return null;
}

/** A request was denied by the auth policy when its authDeniedReason holds a reason, not "-". */
export function isAuthDenied(reason: unknown): boolean {
  return typeof reason === 'string' && reason !== '-' && reason !== '';
}
