// Exact per-service numbers for a JSONL access log, computed the slow, obvious way (every duration
// kept and sorted), as an independent check of the streaming engine. Usage: node exact-stats.mjs FILE
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const services = new Map();
const lines = createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  const r = JSON.parse(line);
  let s = services.get(r.serviceArn);
  if (!s) {
    s = {
      requests: 0,
      status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
      authDenied: 0,
      bytesIn: 0,
      bytesOut: 0,
      durations: [],
    };
    services.set(r.serviceArn, s);
  }
  s.requests += 1;
  const code = Number(r.responseCode);
  if (code >= 200 && code < 600) s.status[`${Math.floor(code / 100)}xx`] += 1;
  s.bytesIn += Number(r.bytesReceived === '-' ? 0 : r.bytesReceived);
  s.bytesOut += Number(r.bytesSent === '-' ? 0 : r.bytesSent);
  if (r.authDeniedReason && r.authDeniedReason !== '-') s.authDenied += 1;
  else s.durations.push(Number(r.duration));
}
const result = {};
for (const [arn, s] of services) {
  const sorted = Float64Array.from(s.durations).sort();
  const rank = (q) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
  const { requests, status, authDenied, bytesIn, bytesOut } = s;
  result[arn] = {
    requests,
    status,
    authDenied,
    bytesIn,
    bytesOut,
    p50: rank(0.5),
    p90: rank(0.9),
    p95: rank(0.95),
    p99: rank(0.99),
  };
}
process.stdout.write(JSON.stringify(result));
