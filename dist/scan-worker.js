import { createRequire as __createRequire } from 'node:module';
const require = __createRequire(import.meta.url);

// src/logs/scan-worker.ts
import module from "node:module";

// src/logs/parallel.ts
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { Worker, parentPort, workerData } from "node:worker_threads";

// src/model/dates.ts
var ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
var MIN_YEAR = 2e3;
var MAX_YEAR = 2100;
function isCalendarDay(value) {
  if (!ISO_DAY.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}
function isIsoDay(value) {
  const year = Number(value.slice(0, 4));
  return year >= MIN_YEAR && year <= MAX_YEAR && isCalendarDay(value);
}

// src/model/callers.ts
var VPC_ARN = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:([0-9]{12}):vpc\/(vpc-[0-9a-f]{8,17})$/;
var PRINCIPAL_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::([0-9]{12}):/;
var UNKNOWN = "-";
function callerKey(sourceVpcArn, callerPrincipal) {
  let vpc = UNKNOWN;
  if (typeof sourceVpcArn === "string") {
    const m = VPC_ARN.exec(sourceVpcArn);
    if (m) vpc = `${m[1]}/${m[2]}`;
  }
  let principal = UNKNOWN;
  if (typeof callerPrincipal === "string") {
    const m = PRINCIPAL_ARN.exec(callerPrincipal);
    if (m) principal = m[1];
  }
  return internKey(`${vpc}|${principal}`);
}
var keys = /* @__PURE__ */ new Map();
var MAX_INTERNED_KEYS = 1 << 16;
function internKey(key) {
  const known = keys.get(key);
  if (known !== void 0) return known;
  if (keys.size < MAX_INTERNED_KEYS) keys.set(key, key);
  return key;
}
function addCaller(callers, key, requests, bytes, errors) {
  const c = callers.get(key);
  if (c) {
    c.requests += requests;
    c.bytes += bytes;
    c.errors += errors;
  } else {
    callers.set(key, { requests, bytes, errors });
  }
}

// src/model/record.ts
var ACCESS_LOG_FIELDS = [
  "serviceNetworkArn",
  "resolvedUser",
  "listenerType",
  "authDeniedReason",
  "targetGroupArn",
  "sourceVpcArn",
  "destinationVpcId",
  "sourceIpPort",
  "listenerId",
  "targetIpPort",
  "failureReason",
  "serviceArn",
  "sourceVpcId",
  "startTime",
  "requestMethod",
  "requestPath",
  "protocol",
  "responseCode",
  "bytesReceived",
  "bytesSent",
  "duration",
  "userAgent",
  "hostHeader",
  "serverNameIndication",
  "requestToTargetDuration",
  "responseFromTargetDuration",
  "sslCipher",
  "tlsVersion",
  "callerPrincipal",
  "callerPrincipalOrgID",
  "callerX509IssuerOU",
  "callerX509SubjectCN",
  "callerX509SANNameCN",
  "callerX509SANDNS",
  "callerX509SANURI"
];
var RESOURCE_CONFIGURATION_FIELD = "resourceConfigurationArn";
var GRPC_STATUS_FIELD = "grpcStatus";
var GRPC_SERVER_ERRORS = /* @__PURE__ */ new Set([2, 4, 12, 13, 14, 15]);
var GRPC_MAX_STATUS = 16;
var MISSING_TEXTS = ["", "-", "null"];
function isMissing(value) {
  return value === void 0 || value === null || typeof value === "string" && MISSING_TEXTS.includes(value);
}
function classifyRecord(hasService, listenerType, responseCodeMissing, grpcStatusMissing) {
  if (!hasService) return "resource";
  const listener = typeof listenerType === "string" ? listenerType.toUpperCase() : "";
  if (listener === "TLS_PASSTHROUGH") return "tcp";
  if (listener !== "HTTP" && listener !== "HTTPS" && responseCodeMissing) return "tcp";
  return grpcStatusMissing ? "http" : "grpc";
}
function isConnection(kind) {
  return kind === "tcp" || kind === "resource";
}
function statusClass(code) {
  if (code === null) return null;
  if (code >= 200 && code < 300) return "2xx";
  if (code >= 300 && code < 400) return "3xx";
  if (code >= 400 && code < 500) return "4xx";
  if (code >= 500 && code < 600) return "5xx";
  return null;
}
function isGrpcServerError(kind, grpcStatus, responseCode) {
  return kind === "grpc" && grpcStatus !== null && GRPC_SERVER_ERRORS.has(grpcStatus) && statusClass(responseCode) !== "5xx";
}
function isAuthDenied(reason) {
  return !isMissing(reason);
}
var SERVICE_ARN = /^arn:aws[a-z-]*:vpc-lattice:[a-z0-9-]+:\d{12}:service\/svc-[0-9a-z-]+$/;
var RESOURCE_CONFIGURATION_ARN = /^arn:aws[a-z-]*:vpc-lattice:[a-z0-9-]+:\d{12}:resourceconfiguration\/rcfg-[0-9a-z-]+$/;
function isServiceArn(value) {
  return SERVICE_ARN.test(value);
}
function isResourceConfigurationArn(value) {
  return RESOURCE_CONFIGURATION_ARN.test(value);
}
var UTC_SECOND = /^((\d{4})-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z$/;
var NUMERIC = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
function quote(value) {
  const text = typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
function wholeNumber(value) {
  const n = typeof value === "number" ? value : typeof value === "string" && NUMERIC.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n + 0 : void 0;
}
var validDays = /* @__PURE__ */ new Map();
function isRealDay(day) {
  let valid = validDays.get(day);
  if (valid === void 0) {
    valid = isIsoDay(day);
    if (validDays.size < 1e5) validDays.set(day, valid);
  }
  return valid;
}
function utcDayHour(startTime) {
  const m = UTC_SECOND.exec(startTime);
  if (!m) {
    const local = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?/.exec(startTime)?.[0];
    if (local === startTime) {
      return { reason: `startTime has no time zone (Lattice writes UTC, ending in Z): ${quote(startTime)}` };
    }
    if (local !== void 0 && /^[+-]\d{2}:?\d{2}$/.test(startTime.slice(local.length))) {
      return { reason: `startTime is not in UTC (Lattice writes UTC, ending in Z): ${quote(startTime)}` };
    }
    return { reason: `startTime is not an ISO-8601 time as YYYY-MM-DDTHH:MM:SSZ: ${quote(startTime)}` };
  }
  const year = Number(m[2]);
  if (year < MIN_YEAR || year > MAX_YEAR) {
    return { reason: `startTime ${startTime} is outside the years ${MIN_YEAR}-${MAX_YEAR}` };
  }
  const hour = Number(m[3]);
  if (hour > 23 || Number(m[4]) > 59 || Number(m[5]) > 60 || !isRealDay(m[1])) {
    return { reason: `startTime is not a real time: ${quote(startTime)}` };
  }
  return { day: m[1], hour };
}
function field(fields, name, max) {
  const raw = fields[name];
  if (isMissing(raw)) return { value: null };
  const n = wholeNumber(raw);
  if (n === void 0 || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? "0 to 2^53" : `0 to ${max}`;
    return { reason: `${name} is not a whole number from ${range}: ${quote(raw)}` };
  }
  return { value: n };
}
function toRecord(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: "not a JSON object" };
  }
  const fields = value;
  let arn;
  const serviceArn = fields.serviceArn;
  const hasService = !isMissing(serviceArn);
  if (hasService) {
    if (typeof serviceArn !== "string" || !isServiceArn(serviceArn)) {
      return { ok: false, reason: `serviceArn is not a VPC Lattice service ARN: ${quote(serviceArn)}` };
    }
    arn = serviceArn;
  } else {
    const resource = fields[RESOURCE_CONFIGURATION_FIELD];
    if (isMissing(resource)) {
      return { ok: false, reason: `serviceArn and ${RESOURCE_CONFIGURATION_FIELD} are missing` };
    }
    if (typeof resource !== "string" || !isResourceConfigurationArn(resource)) {
      return {
        ok: false,
        reason: `${RESOURCE_CONFIGURATION_FIELD} is not a resource configuration ARN: ${quote(resource)}`
      };
    }
    arn = resource;
  }
  const startTime = fields.startTime;
  if (isMissing(startTime)) return { ok: false, reason: "startTime is missing" };
  const when = typeof startTime === "string" ? utcDayHour(startTime) : { reason: `startTime is not an ISO-8601 time as YYYY-MM-DDTHH:MM:SSZ: ${quote(startTime)}` };
  if ("reason" in when) return { ok: false, reason: when.reason };
  const duration = field(fields, "duration", Number.MAX_SAFE_INTEGER);
  if ("reason" in duration) return { ok: false, reason: duration.reason };
  const code = field(fields, "responseCode", 999);
  if ("reason" in code) return { ok: false, reason: code.reason };
  const grpc = field(fields, GRPC_STATUS_FIELD, GRPC_MAX_STATUS);
  if ("reason" in grpc) return { ok: false, reason: grpc.reason };
  const received = field(fields, "bytesReceived", Number.MAX_SAFE_INTEGER);
  if ("reason" in received) return { ok: false, reason: received.reason };
  const sent = field(fields, "bytesSent", Number.MAX_SAFE_INTEGER);
  if ("reason" in sent) return { ok: false, reason: sent.reason };
  const denied = fields.authDeniedReason;
  if (typeof denied === "object" && denied !== null) {
    return { ok: false, reason: `authDeniedReason is not a string: ${quote(denied)}` };
  }
  const kind = classifyRecord(hasService, fields.listenerType, code.value === null, grpc.value === null);
  const host = fields.hostHeader;
  const connection = kind === "tcp" || kind === "resource";
  return {
    ok: true,
    record: {
      serviceArn: arn,
      kind,
      day: when.day,
      hour: when.hour,
      duration: duration.value,
      responseCode: connection ? null : code.value,
      grpcStatus: kind === "grpc" ? grpc.value : null,
      bytesReceived: received.value ?? 0,
      bytesSent: sent.value ?? 0,
      authDenied: isAuthDenied(denied),
      hostHeader: typeof host === "string" && !isMissing(host) ? host : null,
      caller: callerKey(fields.sourceVpcArn, fields.callerPrincipal)
    }
  };
}
var NUMBER_FIELDS = [
  ["duration", Number.MAX_SAFE_INTEGER],
  ["responseCode", 999],
  [GRPC_STATUS_FIELD, GRPC_MAX_STATUS],
  ["bytesReceived", Number.MAX_SAFE_INTEGER],
  ["bytesSent", Number.MAX_SAFE_INTEGER]
];

// src/model/histogram.ts
var RELATIVE_ACCURACY = 5e-3;
var GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
var BUCKET_SCALE = 1 / Math.log(GAMMA);
var MIN_DURATION = 1e-4;
function bucketIndex(value) {
  return Math.ceil(Math.log(Math.max(value, MIN_DURATION)) * BUCKET_SCALE);
}
var ZERO_BUCKET = bucketIndex(0);
function bucketValue(index) {
  return 2 * Math.pow(GAMMA, index) / (GAMMA + 1);
}
var SINGLE_INTEGER_LIMIT = Math.floor(1 / (GAMMA - 1));
var singleIntegerByBucket = (() => {
  const seen = /* @__PURE__ */ new Map();
  for (let n = 1; n <= SINGLE_INTEGER_LIMIT + 1; n++) {
    const i = bucketIndex(n);
    const list = seen.get(i) ?? [];
    list.push(n);
    seen.set(i, list);
  }
  const exact = /* @__PURE__ */ new Map();
  for (const [i, list] of seen) {
    if (list.length === 1 && list[0] <= SINGLE_INTEGER_LIMIT) exact.set(i, list[0]);
  }
  return exact;
})();
var DENSE_MIN_BUCKETS = 32;
var LatencyHistogram = class _LatencyHistogram {
  count = 0;
  sum = 0;
  /**
   * min and max, undefined for none (read as ±Infinity). A field that starts as Infinity is stored
   * as a boxed double in every histogram; one that starts undefined holds whole numbers unboxed.
   */
  low = void 0;
  high = void 0;
  /** Samples equal to 0, which have no logarithm. */
  zero = 0;
  /** Samples that are not whole numbers; when 0, small buckets report exact integers. */
  nonInteger = 0;
  /** Dense: the index of counts[0]. */
  offset = 0;
  /** Sparse: [index, count, index, count, ...] by ascending index, sized exactly; null when dense or empty. */
  cells = null;
  /** Dense: the count of each bucket from `offset`; null while sparse. */
  counts = null;
  get min() {
    return this.low ?? Infinity;
  }
  set min(value) {
    this.low = value;
  }
  get max() {
    return this.high ?? -Infinity;
  }
  set max(value) {
    this.high = value;
  }
  add(value, times = 1) {
    this.count += times;
    this.sum += value * times;
    if (this.low === void 0 || value < this.low) this.low = value;
    if (this.high === void 0 || value > this.high) this.high = value;
    if (!Number.isInteger(value)) this.nonInteger += times;
    this.addToBucket(bucketIndex(value), times);
  }
  /** Adds a pre-bucketed count, as returned by a Logs Insights query. */
  addToBucket(index, times) {
    index += 0;
    if (index <= ZERO_BUCKET) {
      this.zero += times;
      return;
    }
    if (this.counts !== null) {
      this.addDense(this.counts, index, times);
      return;
    }
    const cells = this.cells;
    if (cells === null) {
      this.cells = [index, times];
      return;
    }
    let lo = 0;
    let hi = cells.length >> 1;
    while (lo < hi) {
      const mid = lo + hi >>> 1;
      if (cells[2 * mid] < index) lo = mid + 1;
      else hi = mid;
    }
    if (cells[2 * lo] === index) {
      cells[2 * lo + 1] += times;
      return;
    }
    const grown = new Array(cells.length + 2);
    for (let k = 0; k < 2 * lo; k++) grown[k] = cells[k];
    grown[2 * lo] = index;
    grown[2 * lo + 1] = times;
    for (let k = 2 * lo; k < cells.length; k++) grown[k + 2] = cells[k];
    if (grown.length >> 1 >= DENSE_MIN_BUCKETS) {
      const span = grown[grown.length - 2] - grown[0] + 1;
      const dense = new Array(span).fill(0);
      for (let k = 0; k < grown.length; k += 2) dense[grown[k] - grown[0]] = grown[k + 1];
      this.offset = grown[0];
      this.counts = dense;
      this.cells = null;
    } else {
      this.cells = grown;
    }
  }
  addDense(counts, index, times) {
    const at = index - this.offset;
    if (at >= 0 && at < counts.length) {
      counts[at] += times;
      return;
    }
    const first = Math.min(index, this.offset);
    const last = Math.max(index, this.offset + counts.length - 1);
    const grown = new Array(last - first + 1).fill(0);
    for (let k = 0; k < counts.length; k++) grown[this.offset - first + k] = counts[k];
    grown[index - first] += times;
    this.offset = first;
    this.counts = grown;
  }
  /** Calls `visit` with each bucket's index and count in index order (zero counts included); true stops. */
  eachBucket(visit) {
    const counts = this.counts;
    if (counts !== null) {
      for (let k = 0; k < counts.length; k++) if (visit(this.offset + k, counts[k]) === true) return;
      return;
    }
    const cells = this.cells;
    if (cells === null) return;
    for (let k = 0; k < cells.length; k += 2) if (visit(cells[k], cells[k + 1]) === true) return;
  }
  merge(other) {
    if (other.count === 0) return;
    this.addTotals(other);
    other.eachBucket((index, c) => {
      if (c > 0) this.addToBucket(index, c);
    });
  }
  /** Adds another histogram's totals, not its buckets: merge's first half, for one sent packed. */
  addTotals(other) {
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.zero += other.zero;
    this.nonInteger += other.nonInteger;
  }
  get mean() {
    return this.count === 0 ? null : this.sum / this.count;
  }
  /** Nearest-rank quantile: the value at rank ceil(q·n), within RELATIVE_ACCURACY. */
  quantile(q) {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    if (rank <= this.zero) return 0;
    let seen = this.zero;
    let found = null;
    this.eachBucket((index, c) => {
      seen += c;
      if (seen < rank) return false;
      found = this.estimate(index);
      return true;
    });
    return found ?? this.max;
  }
  /** How many samples are above `threshold`, counting whole buckets (within RELATIVE_ACCURACY). */
  countAbove(threshold) {
    if (threshold < 0) return this.count;
    let above = 0;
    const first = threshold === 0 ? -Infinity : bucketIndex(threshold);
    this.eachBucket((index, c) => {
      if (index > first) above += c;
    });
    return above;
  }
  estimate(index) {
    const exact = this.nonInteger === 0 ? singleIntegerByBucket.get(index) : void 0;
    const value = exact ?? bucketValue(index);
    return Math.min(this.max, Math.max(this.min, value));
  }
  toJSON() {
    const buckets = [];
    this.eachBucket((index, c) => {
      if (c > 0) buckets.push([index, c]);
    });
    return {
      count: this.count,
      sum: this.sum,
      min: this.count ? this.min : 0,
      max: this.count ? this.max : 0,
      zero: this.zero,
      nonInteger: this.nonInteger,
      buckets
    };
  }
  static fromJSON(json) {
    const h = new _LatencyHistogram();
    h.count = json.count;
    h.sum = json.sum;
    h.min = json.count ? json.min : Infinity;
    h.max = json.count ? json.max : -Infinity;
    h.zero = json.zero;
    h.nonInteger = json.nonInteger;
    for (const [index, c] of json.buckets) h.addToBucket(index, c);
    return h;
  }
};

// src/model/aggregate.ts
var NO_CONNECTIONS = /* @__PURE__ */ Object.freeze(
  /* @__PURE__ */ new LatencyHistogram()
);
function connectionHistogram(day) {
  if (day.connectionMs === NO_CONNECTIONS) day.connectionMs = new LatencyHistogram();
  return day.connectionMs;
}
function emptyDay(serviceArn, day) {
  return {
    serviceArn,
    day,
    requests: 0,
    connections: 0,
    grpcCalls: 0,
    status: { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 },
    grpcErrors: 0,
    authDenied: 0,
    noDuration: 0,
    bytesIn: 0,
    bytesOut: 0,
    // A literal: half the memory of new Array(24).fill(0), in every service-day.
    hourly: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    latency: new LatencyHistogram(),
    connectionMs: NO_CONNECTIONS,
    callers: /* @__PURE__ */ new Map()
  };
}
function addRecord(target, record) {
  target.bytesIn += record.bytesReceived;
  target.bytesOut += record.bytesSent;
  target.hourly[record.hour] += 1;
  countRecords(target, record, 1, record.duration !== null)?.add(record.duration);
  const error = statusClass(record.responseCode) === "5xx" || isGrpcServerError(record.kind, record.grpcStatus, record.responseCode);
  addCaller(target.callers, record.caller, 1, record.bytesReceived + record.bytesSent, error ? 1 : 0);
}
function countRecords(target, record, n, hasDuration) {
  target.requests += n;
  if (record.authDenied) target.authDenied += n;
  if (isConnection(record.kind)) {
    target.connections += n;
    return !record.authDenied && hasDuration ? connectionHistogram(target) : null;
  }
  if (record.kind === "grpc") target.grpcCalls += n;
  const cls = statusClass(record.responseCode);
  if (cls) target.status[cls] += n;
  if (isGrpcServerError(record.kind, record.grpcStatus, record.responseCode)) target.grpcErrors += n;
  if (record.authDenied) return null;
  if (!hasDuration) {
    target.noDuration += n;
    return null;
  }
  return target.latency;
}
function mergeDay(target, other) {
  target.requests += other.requests;
  target.connections += other.connections;
  target.grpcCalls += other.grpcCalls;
  for (const k of Object.keys(target.status)) {
    target.status[k] += other.status[k];
  }
  target.grpcErrors += other.grpcErrors;
  target.authDenied += other.authDenied;
  target.noDuration += other.noDuration;
  target.bytesIn += other.bytesIn;
  target.bytesOut += other.bytesOut;
  for (let h = 0; h < 24; h++) target.hourly[h] += other.hourly[h];
  target.latency.merge(other.latency);
  if (other.connectionMs.count > 0) connectionHistogram(target).merge(other.connectionMs);
  for (const [key, c] of other.callers) addCaller(target.callers, key, c.requests, c.bytes, c.errors);
}
function identityFromArn(arn) {
  const parts = arn.split(":");
  const resource = parts.slice(5).join(":");
  const slash = resource.indexOf("/");
  const identity = {
    arn,
    id: slash >= 0 ? resource.slice(slash + 1) : resource,
    region: parts[3] ?? "",
    account: parts[4] ?? ""
  };
  if (resource.startsWith("resourceconfiguration/")) identity.kind = "resource-configuration";
  return identity;
}
function nameFromHostHeader(host, serviceId) {
  const m = /^([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)-([0-9a-z]+)\.[0-9a-z]+\.vpc-lattice-svcs\.[a-z0-9-]+\.on\.aws$/.exec(
    host.toLowerCase()
  );
  if (!m || `svc-${m[2]}` !== serviceId) return void 0;
  return m[1];
}
var AggregateSet = class {
  // Not readonly: absorb() takes another set's maps whole.
  days = /* @__PURE__ */ new Map();
  services = /* @__PURE__ */ new Map();
  /** Requests by day of the days dropDaysBefore dropped: read, and now only counted. */
  dropped = /* @__PURE__ */ new Map();
  /** Calls of dropDaysBefore: a scanner holding one of this set's days takes it again after one. */
  drops = 0;
  key(serviceArn, day) {
    return `${serviceArn}
${day}`;
  }
  service(arn) {
    let identity = this.services.get(arn);
    if (!identity) {
      identity = identityFromArn(arn);
      this.services.set(arn, identity);
    }
    return identity;
  }
  /** One copy of each day's text, shared by its aggregates (each scanner makes its own). */
  dayTexts = /* @__PURE__ */ new Map();
  dayText(day) {
    let text = this.dayTexts.get(day);
    if (text === void 0) this.dayTexts.set(day, text = day);
    return text;
  }
  day(serviceArn, day) {
    const k = this.key(serviceArn, day);
    let agg = this.days.get(k);
    if (!agg) {
      agg = emptyDay(this.service(serviceArn).arn, this.dayText(day));
      this.days.set(k, agg);
    }
    return agg;
  }
  /** Takes `day` itself when this set has none for its service and day (no copy), else merges it. */
  adopt(day) {
    const k = this.key(day.serviceArn, day.day);
    const mine = this.days.get(k);
    if (mine) {
      mergeDay(mine, day);
      return;
    }
    day.serviceArn = this.service(day.serviceArn).arn;
    day.day = this.dayText(day.day);
    this.days.set(k, day);
  }
  add(record) {
    addRecord(this.day(record.serviceArn, record.day), record);
    if (record.hostHeader) {
      const identity = this.service(record.serviceArn);
      if (identity.name === void 0) {
        const name = nameFromHostHeader(record.hostHeader, identity.id);
        if (name) identity.name = name;
      }
    }
  }
  addDay(day) {
    mergeDay(this.day(day.serviceArn, day.day), day);
  }
  merge(other) {
    for (const day of other.days.values()) this.addDay(day);
    this.adoptNames(other);
    this.countDropped(other.dropped);
  }
  /**
   * merge() for a set that is not used again: its days are taken rather than copied where this
   * set has none, so merging a large set into an empty one costs no memory.
   */
  absorb(other) {
    if (this.days.size === 0 && this.services.size === 0) {
      [this.days, other.days] = [other.days, this.days];
      [this.services, other.services] = [other.services, this.services];
      [this.dayTexts, other.dayTexts] = [other.dayTexts, this.dayTexts];
      this.addDropped(other);
      return;
    }
    for (const day of other.days.values()) this.adopt(day);
    this.adoptNames(other);
    this.addDropped(other);
    other.days.clear();
  }
  /**
   * Drops the days before `day` (UTC), counting their requests in `dropped`: for a reader that
   * knows they fall outside what will be kept, so they need not be held to the end of the scan.
   */
  dropDaysBefore(day) {
    this.drops++;
    for (const [key, agg] of this.days) {
      if (agg.day >= day) continue;
      this.days.delete(key);
      if (agg.requests > 0) this.dropped.set(agg.day, (this.dropped.get(agg.day) ?? 0) + agg.requests);
    }
  }
  addDropped(other) {
    this.countDropped(other.dropped);
    other.dropped.clear();
  }
  countDropped(requestsByDay) {
    for (const [day, n] of requestsByDay) this.dropped.set(day, (this.dropped.get(day) ?? 0) + n);
  }
  adoptNames(other) {
    for (const identity of other.services.values()) {
      const mine = this.service(identity.arn);
      if (mine.name === void 0 && identity.name !== void 0) mine.name = identity.name;
    }
  }
  /**
   * Adds `other`, where each service-day is one observation of the same traffic: when both sets
   * hold it (a network's log and a service's log, in two accounts), the one with more requests is
   * kept whole, since a log can miss records but never invent them. Returns how many overlapped.
   */
  mergeSeenOnce(other) {
    let overlaps = 0;
    for (const day of other.days.values()) {
      const k = this.key(day.serviceArn, day.day);
      const mine = this.days.get(k);
      if (mine) {
        overlaps += 1;
        if (mine.requests >= day.requests) continue;
        this.days.delete(k);
      }
      this.addDay(day);
    }
    this.adoptNames(other);
    return overlaps;
  }
  /** First and last day that has any request, or null when empty. */
  coveredDays() {
    let first = null;
    let last = null;
    for (const agg of this.days.values()) {
      if (agg.requests === 0) continue;
      if (first === null || agg.day < first) first = agg.day;
      if (last === null || agg.day > last) last = agg.day;
    }
    return first && last ? { first, last } : null;
  }
  /** Days with at least one request, from any service. */
  activeDays() {
    const set = /* @__PURE__ */ new Set();
    for (const agg of this.days.values()) if (agg.requests > 0) set.add(agg.day);
    return set;
  }
};

// src/model/packed-days.ts
var STATUS = ["2xx", "3xx", "4xx", "5xx"];
function packDays(set) {
  const texts = [];
  const textIndex = /* @__PURE__ */ new Map();
  const text = (t) => {
    let i = textIndex.get(t);
    if (i === void 0) {
      i = texts.length;
      texts.push(t);
      textIndex.set(t, i);
    }
    return i;
  };
  let numbers = new Float64Array(1024);
  let n = 0;
  const push = (v) => {
    if (n === numbers.length) {
      const grown = new Float64Array(numbers.length * 2);
      grown.set(numbers);
      numbers = grown;
    }
    numbers[n++] = v;
  };
  const histogram = (h) => {
    push(h.count);
    push(h.sum);
    push(h.min);
    push(h.max);
    push(h.zero);
    push(h.nonInteger);
    const at = n;
    push(0);
    let buckets = 0;
    h.eachBucket((index, c) => {
      if (c > 0) {
        push(index);
        push(c);
        buckets++;
      }
    });
    numbers[at] = buckets;
  };
  push(set.days.size);
  for (const d of set.days.values()) {
    push(text(d.serviceArn));
    push(text(d.day));
    push(d.requests);
    push(d.connections);
    push(d.grpcCalls);
    for (const k of STATUS) push(d.status[k]);
    push(d.grpcErrors);
    push(d.authDenied);
    push(d.noDuration);
    push(d.bytesIn);
    push(d.bytesOut);
    for (let h = 0; h < 24; h++) push(d.hourly[h]);
    histogram(d.latency);
    histogram(d.connectionMs);
    push(d.callers.size);
    for (const [key, c] of d.callers) {
      push(text(key));
      push(c.requests);
      push(c.bytes);
      push(c.errors);
    }
  }
  return { texts, numbers: numbers.slice(0, n) };
}

// src/logs/record.ts
function parseLine(line) {
  let value;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `invalid JSON (${error.message.slice(0, 80)})` };
  }
  return toRecord(value);
}

// src/logs/kernel/interface.ts
var K_STRING = 1;
var K_ESCAPED = 2;
var R_START = 0;
var R_NL = 1;
var R_SERVICE = 2;
var R_SERVICE_START = 3;
var R_SERVICE_END = 4;
var R_HOST_KIND = 5;
var R_HOST_START = 6;
var R_HOST_END = 7;
var R_DAY = 8;
var R_HOUR = 9;
var R_DURATION = 10;
var R_CODE = 11;
var R_RECEIVED = 12;
var R_SENT = 13;
var R_DENIED = 14;
var R_VPC = 15;
var R_VPC_START = 16;
var R_VPC_END = 17;
var R_PRINCIPAL = 18;
var R_PRINCIPAL_START = 19;
var R_PRINCIPAL_END = 20;
var RECORD_SLOTS = 21;

// src/logs/kernel/lines.wasm.ts
var LINES_WASM = "AGFzbQEAAAABLQhgAn9/AX9gAAF/YAN/f38Bf2AEf39/fwF/YAF/AX9gAX8BfGADf39/AGAAAAMQDwQABQIAAAABBgMHAgMBAQUDAQAKBjMKfwFBAAt/AUEAC38BQQALfwFBAAt/AUEAC38BQQALfwFBAAt/AUEAC38BQQALfwFBAAsHMwYFc2V0dXAACARzdG9wAAcFcmVzZXQACgRzY2FuAAkIaGVhcEJhc2UADQZtZW1vcnkCAAwBHgqvMQ+0AQECfyAAQQxsQYAIaigCACICRSACQQRGcgRAQQEPCyACQQFHBEBBAA8LIABBDGxBgAhqIgAoAgQhAiAAKAIIIAJrIgAEfyAAQQFGBH8jACACai0AAEEtRgVBAAsFQQELBH9BAQUgAEEERgR/QZyiJCgCAEEBdiEAAn8DQCAAIAFKBEBBACMAIAEgAmpqLQAAIAFBAXRBoKIkai8BAEcNAhogAUEBaiEBDAELC0EBCwVBAAsLC8YEAgF7AX8DQCMAIABq/QAEACIC/QwiIiIiIiIiIiIiIiIiIiIi/SMgAv0MXFxcXFxcXFxcXFxcXFxcXP0j/VAgAv0MICAgICAgICAgICAgICAgIP0m/VD9ZCMAIABBEGpq/QAEACIC/QwiIiIiIiIiIiIiIiIiIiIi/SMgAv0MXFxcXFxcXFxcXFxcXFxcXP0j/VAgAv0MICAgICAgICAgICAgICAgIP0m/VD9ZEEQdHIiA0UEQCABIABBIGoiAEwEQEF/DwsMAQsgACADaGoiACABTgRAQX8PCyMAIABqLQAAIgNBIkYEQCAADwsgA0HcAEcgAEEBaiABTnIEQEF/DwtBASQFIwAgAEEBamotAAAiA0H1AEYEfyAAQQVqIAFOBH9BAAUjACAAQQJqai0AACIDQTlNIANBME9xBH9BAQUgA0EgciIDQeYATSADQeEAT3ELCwR/IwAgAEEDamotAAAiA0E5TSADQTBPcQR/QQEFIANBIHIiA0HmAE0gA0HhAE9xCwVBAAsEfyMAIABBBGpqLQAAIgNBOU0gA0EwT3EEf0EBBSADQSByIgNB5gBNIANB4QBPcQsFQQALBH8jACAAQQVqai0AACIDQTlNIANBME9xBH9BAQUgA0EgciIDQeYATSADQeEAT3ELBUEAC0UEQEF/DwsgAEEGagUgA0HcAEYgA0EiRnIgA0EvRnIgA0HiAEZyIANB5gBGciADQe4ARnIgA0HyAEZyIANB9ABGcgR/IABBAmoFQX8PCwshAAwACwALngECAn8BfCAAQQxsQYAIaiICKAIEIQAgAigCCCEBIAIoAgAiAkEDRwR/IAAgAUYgAkEBR3IgASAAa0EPSnIFQQALBEBEAAAAAAAA8L8PCwNAIAAgAUgEQCMAIABqLQAAIgJBOU0gAkEwT3FFBEBEAAAAAAAA8L8PCyADRAAAAAAAACRAoiACQTBrQf8BcbigIQMgAEEBaiEADAELCyADC5cHAQF/AkACQCAAIAFODQAjACAAai0AACIDQSJGBEBBfyAAQQFqIAEQASIAQQFqIABBAEgbDwsgA0EtRgR/QQEFIANBOU0gA0EwT3ELBEAgACABEAQPCyADQeYARiADQfQARnIgA0HuAEZyBEACQCMAIABqLQAAQeYARgRAQX8hAiAAQQVqIAFKBH9BAQUjACAAaigCAUHh2M2rBkcLDQEgAEEFaiECDAELQX8hAiAAQQRqIgMgAUoNACADQX8jACAAaigCACIAQe7qseMGRiAAQfTk1asGRnIbIQILIAIPCyACQYACTg0AIANB2wBGBEAgAEEBaiEAA0AgACABSARAIwAgAGotAAAiA0EJRyADQSBHcSADQQ1HcUUEQCAAQQFqIQAMAgsLCyAAIAFIBH8jACAAai0AAEHdAEYFQQALDQIDQCAAIAEgAkEBahADIgBBAEgNAgNAIAAgAUgEQCMAIABqLQAAIgNBCUcgA0EgR3EgA0ENR3FFBEAgAEEBaiEADAILCwsgACABTg0CIwAgAGotAAAiA0HdAEYNAyADQSxHDQIgAEEBaiEAA0AgACABSARAIwAgAGotAAAiA0EJRyADQSBHcSADQQ1HcUUEQCAAQQFqIQAMAgsLCwwACwALIANB+wBGBEAgAEEBaiEAA0AgACABSARAIwAgAGotAAAiA0EJRyADQSBHcSADQQ1HcUUEQCAAQQFqIQAMAgsLCyAAIAFIBH8jACAAai0AAEH9AEYFQQALDQIDQCAAIAFOBH9BAQUjACAAai0AAEEiRwsNAiAAQQFqIAEQASIAQQBIDQIgAEEBaiEAA0AgACABSARAIwAgAGotAAAiA0EJRyADQSBHcSADQQ1HcUUEQCAAQQFqIQAMAgsLCyAAIAFOBH9BAQUjACAAai0AAEE6RwsNAiAAQQFqIQADQCAAIAFIBEAjACAAai0AACIDQQlHIANBIEdxIANBDUdxRQRAIABBAWohAAwCCwsLIAAgASACQQFqEAMiAEEASA0CA0AgACABSARAIwAgAGotAAAiA0EJRyADQSBHcSADQQ1HcUUEQCAAQQFqIQAMAgsLCyAAIAFODQIjACAAai0AACIDQf0ARg0DIANBLEcNAiAAQQFqIQADQCAAIAFIBEAjACAAai0AACIDQQlHIANBIEdxIANBDUdxRQRAIABBAWohAAwCCwsLDAALAAtBfw8LQX8PCyAAQQFqC44DAQR/IAAhAkEBIQMjACAAai0AAEEtRgRAQQAhAyAAQQFqIQALIAAgAU4EQEF/DwsjACAAai0AACIEQTBGBEAgAEEBaiEABSAEQTlNIARBMEtxBEAgAEEBaiEAA0AgACABSAR/IwAgAGotAAAiBEE5TSAEQTBPcQVBAAsEQCAAQQFqIQAMAQsLBUF/DwsLIAAgAUgEfyMAIABqLQAAQS5GBUEACwRAQQAhAyAAQQFqIgAhBANAIAAgAUgEfyMAIABqLQAAIgVBOU0gBUEwT3EFQQALBEAgAEEBaiEADAELCyAAIARGBEBBfw8LCyAAIAFIBH8jACAAai0AAEEgckHlAEYFQQALBEBBACEDIAEgAEEBaiIASgR/IwAgAGotAABBK0YEf0EBBSMAIABqLQAAQS1GCwVBAAsEQCAAQQFqIQALIAAhBANAIAAgAUgEfyMAIABqLQAAIgVBOU0gBUEwT3EFQQALBEAgAEEBaiEADAELCyAAIARGBEBBfw8LCyAAIAJrQQ9MIANxJAYgAAunAwEFfyMAIABqIQQgASAAayICQbHz3fF5bCEBIAJBFE4EQCAEKAIQQQdsIAQgAkEIa2ooAgBBH2wgASAEIAJBBGtqKAIAc3NzIQEFA0AgAiADSgRAIAEgAyAEai0AAHNBk4OACGwhASADQQFqIQMMAQsLCyABIAFBDXZzQf8/cSEDA0AgA0ECdEGgnSJqKAIAIgAEQCAAQQFrIgZBAnQiAEGgnSFqKAIAIAJGBEAgAEGgnSBqKAIAQZAdaiEFQQAhAQJ/A0AgAUEQaiIAIAJMBEBBACABIAVq/QAEACABIARq/QAEAP0j/WRB//8DRw0CGiAAIQEMAQsLQQEgASACRg0AGkEBIAIgAWt0QQFrIgAgASAFav0ABAAgASAEav0ABAD9I/1kcSAARgsEQCAGDwsLIANBAWpB/z9xIQMMAQsLIwhBgCBGIwkgAmpBgIAgSnIEQEF/DwsjCUGQHWogBCAC/AoAACMIQQJ0IgBBoJ0gaiMJNgIAIABBoJ0haiACNgIAIANBAnRBoJ0iaiMIQQFqNgIAIwkgAmokCSMIIgBBAWokCCAAC5gBAQJ/IABBDGxBgAhqKAIAIgJBAkYEQEF+DwsgAkEBRwRAQX8PCyAAQQxsQYAIaiIAKAIEIQIgACgCCCEDIAEEQEEAIQEgAiEAA0AgACADSARAAkAjACAAai0AAEE6RgR/IAFBAWoiAUEFRgVBAAsEQCAAQQFqIQMMAQsgAEEBaiEADAILCwsLQX4gAiADEAUiACAAQQBIGwsEACMECw4AIAAkACABJAEgAiQCC1wBAX8gAyQDQQAhAwNAIAAgAUggAyMCSHEEQAJAIwAgAGotAABB+wBHDQAgACABIAIjASADQagBbGoQDCIEQQBIDQAgA0EBaiEDIARBAWohAAwCCwsLIAAkBCADCxcAQaCdIkEAQYCAAvwLAEEAJAhBACQJC74FAgZ/BHwCQEGACCgCAEEBRw0AQYgIKAIAIgRBhAgoAgAiBWtBKEgEf0F/BSAFIAQQBQsiBUEASA0AEA4iBkEASA0AQQIQAiIKRAAAAAAAAAAAYw0AQQkQAAR/An9BAUEIEAANABpBAEHgCCgCAEEBRw0AGkHoCCgCAEHkCCgCACIHayIEQQRGBH9BvKIkKAIAQQF2IQgCfwNAIAMgCEgEQEEAIwAgAyAHamotAAAgA0EBdEHAoiRqLwEARw0CGiADQQFqIQMMAQsLQQELBUEACwR/QQEFIARBBUYEf0HcoiQoAgBBAXYhBEEAIQMCfwNAIAMgBEgEQEEAIwAgAyAHamotAAAgA0EBdEHgoiRqLwEARw0CGiADQQFqIQMMAQsLQQELBUEACwsLBUEACwR/QQMQAAVBAQsNAEEDEAIiCUQAAAAAAAAAAGMgCUQAAAAAADiPQGRyDQBBBBAABHxEAAAAAAAAAAAFQQQQAgsiC0QAAAAAAAAAAGMNAEEFEAAEfEQAAAAAAAAAAAVBBRACCyIMRAAAAAAAAAAAYw0AQcgIKAIAIgNBAEcgA0EBR3EgA0EER3ENAEEGEABFIQNBCkEAEAYiBEF/SA0AQQtBARAGIgdBf0gNACACIAC3OQMAIAIgAbc5AwggAiAFtzkDECACQYQIKAIAtzkDGCACQYgIKAIAtzkDICACQdQIKAIAtzkDKCACQdgIKAIAtzkDMCACQdwIKAIAtzkDOCACIAa3OQNAIAIjB7c5A0ggAiAKOQNQIAIgCTkDWCACIAs5A2AgAiAMOQNoIAJEAAAAAAAA8D9EAAAAAAAAAAAgAxs5A3AgAiAEtzkDeCACQfwIKAIAtzkDgAEgAkGACSgCALc5A4gBIAIgB7c5A5ABIAJBiAkoAgC3OQOYASACQYwJKAIAtzkDoAFBAQ8LQQALhxABB38DQCAFQQxIBEAgBUEMbEGACGpBADYCACAFQQFqIQUMAQsLIABBAWohBQNAIAEgBUoEQCMAIAVqLQAAIgRBCUcgBEEgR3EgBEENR3FFBEAgBUEBaiEFDAILCwsCQCAFIgQgAU4Ef0EBBSMAIARqLQAAQSJHCw0AA0ACQCAKQcAASAR/IApBAnRBkBlqKAIABUEACyIIQQBKIAQgCGogAUxxBH8Cf0EBIAh0QQFrIgUjACAEaiIH/QAEACAKQQV0QZAJaiIG/QAEAP0j/WQiCXEgBUYgCEEQTA0AGkEAIAlB//8DRw0AGkEBIAhBEGt0QQFrIgUgB/0ABBAgBv0ABBD9I/1kcSAFRgsFQQALBH8gCkECdEGQG2ooAgAhCSAEIAhqBUEAJAUgBEEBaiIHIAEQASEGQQEjBSAGQQBIGw0DAn8CQAJAAkACQAJAAkACQAJAIAYgBGtBCWsOCQABAgcDBAcFBgcLQbydJCgCAEEBdiEFQQAhCEECQX8CfwNAIAUgCEoEQEEAIwAgByAIamotAAAgCEEBdEHAnSRqLwEARw0CGiAIQQFqIQgMAQsLQQELGwwHC0HsnSQoAgBBAXYhBUEAIQgCfwNAIAUgCEoEQEEAIwAgByAIamotAAAgCEEBdEHwnSRqLwEARw0CGiAIQQFqIQgMAQsLQQELBH9BAQVBnJ4kKAIAQQF2IQVBACEIQQVBfwJ/A0AgBSAISgRAQQAjACAHIAhqai0AACAIQQF0QaCeJGovAQBHDQIaIAhBAWohCAwBCwtBAQsbCwwGC0HMniQoAgBBAXYhBUEAIQgCfwNAIAUgCEoEQEEAIwAgByAIamotAAAgCEEBdEHQniRqLwEARw0CGiAIQQFqIQgMAQsLQQELBH9BAAVB/J4kKAIAQQF2IQVBACEIAn8DQCAFIAhKBEBBACMAIAcgCGpqLQAAIAhBAXRBgJ8kai8BAEcNAhogCEEBaiEIDAELC0EBCwR/QQcFQayfJCgCAEEBdiEFQQAhCEEJQX8CfwNAIAUgCEoEQEEAIwAgByAIamotAAAgCEEBdEGwnyRqLwEARw0CGiAIQQFqIQgMAQsLQQELGwsLDAULQdyfJCgCAEEBdiEFQQAhCAJ/A0AgBSAISgRAQQAjACAHIAhqai0AACAIQQF0QeCfJGovAQBHDQIaIAhBAWohCAwBCwtBAQsEf0EDBUGMoCQoAgBBAXYhBUEAIQgCfwNAIAUgCEoEQEEAIwAgByAIamotAAAgCEEBdEGQoCRqLwEARw0CGiAIQQFqIQgMAQsLQQELBH9BCAVBvKAkKAIAQQF2IQVBACEIQQpBfwJ/A0AgBSAISgRAQQAjACAHIAhqai0AACAIQQF0QcCgJGovAQBHDQIaIAhBAWohCAwBCwtBAQsbCwsMBAtB7KAkKAIAQQF2IQVBACEIQQRBfwJ/A0AgBSAISgRAQQAjACAHIAhqai0AACAIQQF0QfCgJGovAQBHDQIaIAhBAWohCAwBCwtBAQsbDAMLQZyhJCgCAEEBdiEFQQAhCEELQX8CfwNAIAUgCEoEQEEAIwAgByAIamotAAAgCEEBdEGgoSRqLwEARw0CGiAIQQFqIQgMAQsLQQELGwwCC0HcoSQoAgBBAXYhBUEAIQhBBkF/An8DQCAFIAhKBEBBACMAIAcgCGpqLQAAIAhBAXRB4KEkai8BAEcNAhogCEEBaiEIDAELC0EBCxsMAQtBfwshCSAGQQFqIQUDQCABIAVKBEAjACAFai0AACIGQQlHIAZBIEdxIAZBDUdxRQRAIAVBAWohBQwCCwsLIAEgBUwEf0EBBSMAIAVqLQAAQTpHCw0DIApBwABIBEAgCkECdCIHQZAZaiAFQQFqIARrIgZBACAGQSBMGzYCACAHQZAbaiAJNgIAIApBBXRBkAlqIgYjACAEaiIE/QAEAP0LBAAgBiAE/QAEEP0LBBALIAVBAWoLIQQDQCABIARKBEAjACAEai0AACIFQQlHIAVBIEdxIAVBDUdxRQRAIARBAWohBAwCCwsLIAEgBEwNAiAEIgUjAGotAAAiBkEiRgRAIAVBAmoiByABSCEGIAVBAWoiBSMAai0AAEEtRgR/IwAgB2otAABBIkYFQQALIAZxBH8gBEECaiEHQQEFQQAkBSAEQQFqIAEQASIHQQBIDQRBAkEBIwUbCyEIIAdBAWohBAUgBkEtRgR/QQEFIAZBOU0gBkEwT3ELBH8gBCABEAQiBCEHIARBAEgNBEEDQQUjBhsFIAQgAUEBEAMiBCEHIARBAEgNBEEEQQUgBkHuAEYbCyEICyAJQQBOBEAgCUEMbEGACGoiBiAINgIAIAYgBTYCBCAGIAc2AggLA0AgASAESgRAIwAgBGotAAAiBUEJRyAFQSBHcSAFQQ1HcUUEQCAEQQFqIQQMAgsLCyABIARMDQIjACAEai0AACIFQf0ARg0AIAVBLEcNAiAEQQFqIQUDQCABIAVKBEAjACAFai0AACIEQQlHIARBIEdxIARBDUdxRQRAIAVBAWohBQwCCwsLIAUiBCABTgR/QQEFIwAgBGotAABBIkcLDQIgCkEBaiEKDAELCyAEQQFqIQUDQCABIAVKBEAjACAFai0AACIEQQlHIARBIEdxIARBDUdxRQRAIAVBAWohBQwCCwsLIAEgBUoEfyMAIAVqLQAAQQpHBSACRQsNACMDIAUgAGtIDQAgBUF/IAAgBSADEAsbDwtBfwsGAEHsoiQLyQQBA39BkAgoAgAhAUGMCCgCAEEBRwR/QQEFQZQIKAIAIAFrQRRHCwRAQX8PCyMAIAFBBGpqLQAAQS1HBH9BAQUjACABQQdqai0AAEEtRwsEf0EBBSMAIAFBCmpqLQAAQdQARwsEQEF/DwsjACABQQ1qai0AAEE6RwR/QQEFIwAgAUEQamotAABBOkcLBH9BAQUjACABQRNqai0AAEHaAEcLBEBBfw8LA0AgAEETSARAIABBB0YgAEEERnIgAEEKRnIgAEENRnIgAEEQRnJFBEAjACAAIAFqai0AACICQTlNIAJBME9xRQRAQX8PCwsgAEEBaiEADAELCyABQQtqIgAjAGotAABBMGtB/wFxQQpsIwAgAEEBamotAABBMGtB/wFxaiQHIwdBF0oEf0EBBSABQQ5qIgAjAGotAABBMGtB/wFxQQpsIwAgAEEBamotAABBMGtB/wFxakE7SwsEf0EBBSABQRFqIgAjAGotAABBMGtB/wFxQQpsIwAgAEEBamotAABBMGtB/wFxakE8SwsEQEF/DwsgAUEIaiIAIwBqLQAAQTBrQf8BcUEKbCMAIABBAWpqLQAAQTBrQf8BcWogAUECaiIAIwBqLQAAQTBrQf8BcUEKbCMAIABBAWpqLQAAQTBrQf8BcWojACABai0AAEEwa0H/AXFBCmwjACABQQFqai0AAEEwa0H/AXFqQeQAbGpBkM4AbCABQQVqIgAjAGotAABBMGtB/wFxQQpsIwAgAEEBamotAABBMGtB/wFxakHkAGxqagsL9QQeAEGsnSQLASwAQbidJAsXAgAAABAAAABkAHUAcgBhAHQAaQBvAG4AQdydJAsBLABB6J0kCxkCAAAAEgAAAHMAdABhAHIAdABUAGkAbQBlAEGMniQLASwAQZieJAsZAgAAABIAAABiAHkAdABlAHMAUwBlAG4AdABBvJ4kCwEsAEHIniQLGwIAAAAUAAAAcwBlAHIAdgBpAGMAZQBBAHIAbgBB7J4kCwEsAEH4niQLGwIAAAAUAAAAaABvAHMAdABIAGUAYQBkAGUAcgBBnJ8kCwEsAEGonyQLGwIAAAAUAAAAZwByAHAAYwBTAHQAYQB0AHUAcwBBzJ8kCwEsAEHYnyQLHwIAAAAYAAAAcgBlAHMAcABvAG4AcwBlAEMAbwBkAGUAQfyfJAsBLABBiKAkCx8CAAAAGAAAAGwAaQBzAHQAZQBuAGUAcgBUAHkAcABlAEGsoCQLASwAQbigJAsfAgAAABgAAABzAG8AdQByAGMAZQBWAHAAYwBBAHIAbgBB3KAkCwEsAEHooCQLIQIAAAAaAAAAYgB5AHQAZQBzAFIAZQBjAGUAaQB2AGUAZABBjKEkCwE8AEGYoSQLJQIAAAAeAAAAYwBhAGwAbABlAHIAUAByAGkAbgBjAGkAcABhAGwAQcyhJAsBPABB2KEkCycCAAAAIAAAAGEAdQB0AGgARABlAG4AaQBlAGQAUgBlAGEAcwBvAG4AQYyiJAsBHABBmKIkCw8CAAAACAAAAG4AdQBsAGwAQayiJAsBHABBuKIkCw8CAAAACAAAAEgAVABUAFAAQcyiJAsBHABB2KIkCxECAAAACgAAAEgAVABUAFAAUw==";

// src/logs/fast-scan.ts
var MAX_LINE_BYTES = 64 << 20;
var MAX_SAMPLES = 20;
function overlongReason(maxLineBytes) {
  return maxLineBytes % (1 << 20) === 0 ? `line is longer than ${maxLineBytes >> 20} MiB` : `line is longer than ${maxLineBytes} bytes`;
}
function emptyCounts() {
  return {
    lines: 0,
    counted: 0,
    records: 0,
    malformed: 0,
    samples: [],
    otherRegions: 0,
    fallbacks: 0
  };
}
var NL = 10;
var CR = 13;
var OPEN_BRACE = 123;
var CALLER_STRIDE = 1 << 16;
var RECORDS = 1024;
var ScanBuffer = class {
  kernel;
  textAt;
  capacity = 0;
  node;
  b;
  records;
  constructor(capacity) {
    this.kernel = new wasm.Instance(kernelModule()).exports;
    this.textAt = this.kernel.heapBase() + 63 & ~63;
    this.resize(capacity);
  }
  /** Room for `capacity` bytes (a multiple of 64); the text is kept. */
  resize(capacity) {
    const recordsAt = this.textAt + capacity + 64;
    const need = recordsAt + RECORDS * RECORD_SLOTS * 8;
    const memory = this.kernel.memory;
    const pages = Math.ceil(need / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    const buffer = memory.buffer;
    this.capacity = capacity;
    this.node = Buffer.from(buffer, this.textAt, capacity);
    this.b = new Uint8Array(buffer, this.textAt, capacity);
    this.records = new Float64Array(buffer, recordsAt, RECORDS * RECORD_SLOTS);
    this.kernel.setup(this.textAt, recordsAt, RECORDS);
  }
};
var wasm = globalThis.WebAssembly;
var compiled;
function kernelModule() {
  return compiled ??= new wasm.Module(Buffer.from(LINES_WASM, "base64"));
}
var spare = [];
var dayCache = /* @__PURE__ */ new Map();
var BASE_BUFFER = 1 << 20;
var LineScanner = class {
  counts = emptyCounts();
  target;
  region;
  maxLineBytes;
  fast;
  bomPending;
  lead;
  onMalformed;
  buffer;
  // The buffer's views, kept here for the scanning code.
  node = Buffer.alloc(0);
  b = new Uint8Array(0);
  records = new Float64Array(0);
  /** Bytes held: [pos, len) is unscanned, the start of a line not yet complete. */
  len = 0;
  pos = 0;
  /** Inside a line already longer than maxLineBytes, dropping bytes until its \n. */
  skipping = false;
  record = {
    serviceArn: "",
    kind: "http",
    day: "",
    hour: 0,
    duration: 0,
    responseCode: null,
    grpcStatus: null,
    bytesReceived: 0,
    bytesSent: 0,
    authDenied: false,
    hostHeader: null,
    caller: ""
  };
  /** Caller keys by the kernel's numbers of the two texts ((vpc + 1) * CALLER_STRIDE + principal + 1). */
  callers = /* @__PURE__ */ new Map();
  /** By the kernel's service number; null: not a service ARN, left to the exact parser. */
  slots = [];
  serviceNames = /* @__PURE__ */ new Map();
  constructor(target, options = {}) {
    this.target = target;
    this.region = options.region;
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.fast = options.fast ?? true;
    this.bomPending = options.bom ?? false;
    this.lead = options.lead ?? false;
    this.onMalformed = options.onMalformed;
    const buffer = spare.pop();
    if (buffer) this.use(buffer);
  }
  use(buffer) {
    if (buffer !== this.buffer) {
      buffer.kernel.reset();
      this.slots = [];
      this.callers = /* @__PURE__ */ new Map();
    }
    this.buffer = buffer;
    this.node = buffer.node;
    this.b = buffer.b;
    this.records = buffer.records;
  }
  /**
   * Done with this scanner: its buffer goes to the next one. A range scanner per 16 MiB would
   * otherwise leave a 1 MiB buffer for the garbage collector each time, and memory would grow with
   * the file until it ran.
   */
  release() {
    const buffer = this.buffer;
    if (buffer && buffer.capacity <= 4 * BASE_BUFFER && spare.length < 4) spare.push(buffer);
    this.buffer = void 0;
    this.node = Buffer.alloc(0);
    this.b = new Uint8Array(0);
    this.records = new Float64Array(0);
    this.len = this.pos = 0;
  }
  /** Names found from host headers, first per service, in the order found. */
  names() {
    return [...this.serviceNames];
  }
  /** Room for at least `min` more bytes; write into it, then commit(). */
  reserve(min) {
    if (this.pos > 0) {
      this.node.copyWithin(0, this.pos, this.len);
      this.len -= this.pos;
      this.pos = 0;
    }
    const need = this.len + min;
    let capacity = this.buffer?.capacity ?? 0;
    if (need > capacity) capacity = Math.max(capacity * 2, need, 4096);
    else if (capacity > 4 * BASE_BUFFER && need <= BASE_BUFFER) capacity = BASE_BUFFER;
    capacity = capacity + 63 & ~63;
    if (capacity !== (this.buffer?.capacity ?? 0)) {
      if (this.buffer && capacity > this.buffer.capacity) {
        this.buffer.resize(capacity);
      } else {
        const next = new ScanBuffer(capacity);
        this.node.copy(next.node, 0, 0, this.len);
        this.buffer = next;
      }
      this.use(this.buffer);
    }
    return this.node.subarray(this.len);
  }
  /** `n` bytes were written at the start of the last reserve(). */
  commit(n) {
    this.len += n;
    this.scan(false);
  }
  /** Copies and scans a chunk of a stream. */
  push(chunk) {
    for (let off = 0; off < chunk.length; ) {
      const room = this.reserve(Math.min(chunk.length - off, BASE_BUFFER));
      const n = Math.min(room.length, chunk.length - off);
      room.set(chunk.subarray(off, off + n));
      off += n;
      this.commit(n);
    }
  }
  /**
   * Like commit(), but takes the bytes only through the first \n: a range's last line ends there,
   * and the lines after it are the next range's. Returns the bytes taken.
   */
  finishLine(n) {
    const nl = this.b.subarray(this.len, this.len + n).indexOf(NL);
    const take = nl === -1 ? n : nl + 1;
    this.commit(take);
    return take;
  }
  /** The input ended: a last line without \n counts too. */
  end() {
    this.scan(true);
    this.len = this.pos = 0;
  }
  /** True while a line has started but not ended (the lead of a range is no line of its own). */
  get pending() {
    return !this.lead && (this.skipping || this.len > this.pos);
  }
  scan(atEnd) {
    const b = this.b;
    const len = this.len;
    let s = this.pos;
    if (this.lead) {
      const nl = this.node.indexOf(NL, s);
      if (nl === -1 || nl >= len) {
        this.pos = len;
        return;
      }
      this.lead = false;
      s = nl + 1;
    }
    if (this.bomPending) {
      const n = len - s;
      const bom = (n < 1 || b[s] === 239) && (n < 2 || b[s + 1] === 187) && (n < 3 || b[s + 2] === 191);
      if (bom && n <= 3 && !atEnd) return;
      this.bomPending = false;
      if (bom && n >= 3) s += 3;
    }
    if (this.skipping) {
      const nl = this.node.indexOf(NL, s);
      if (nl === -1 || nl >= len) {
        this.pos = len;
        if (atEnd) this.overlong();
        return;
      }
      this.overlong();
      s = nl + 1;
    }
    while (s < len) {
      if (this.fast && b[s] === OPEN_BRACE) {
        const kernel = this.buffer.kernel;
        const lines = kernel.scan(s, len, atEnd ? 1 : 0, this.maxLineBytes);
        const records = this.records;
        for (let k = 0, r = 0; k < lines; k++, r += RECORD_SLOTS) {
          if (!this.add(b, records, r)) this.slowLine(records[r + R_START], records[r + R_NL]);
        }
        s = kernel.stop();
        if (lines > 0) continue;
      }
      let nl = this.node.indexOf(NL, s);
      if (nl === -1 || nl >= len) {
        if (!atEnd) break;
        nl = len;
      }
      this.slowLine(s, nl);
      s = nl + 1;
    }
    this.pos = Math.min(s, len);
    if (!atEnd && len - this.pos > this.maxLineBytes) {
      this.skipping = true;
      this.pos = len;
    }
  }
  overlong() {
    this.skipping = false;
    this.counts.lines++;
    this.counts.counted++;
    this.malformed(overlongReason(this.maxLineBytes));
  }
  malformed(reason, line) {
    const counts = this.counts;
    counts.malformed++;
    if (counts.samples.length < MAX_SAMPLES) counts.samples.push({ line: counts.lines, reason });
    this.onMalformed?.(reason, line);
  }
  /** The exact reader's handling of one line, [s, nl) with nl at its \n or the end of input. */
  slowLine(s, nl) {
    const counts = this.counts;
    const b = this.b;
    counts.lines++;
    if (nl - s > this.maxLineBytes) {
      counts.counted++;
      this.malformed(overlongReason(this.maxLineBytes));
      return;
    }
    let e = nl;
    if (e > s && b[e - 1] === CR) e--;
    if (s === e) return;
    if (b[s] !== OPEN_BRACE) {
      let i = s;
      while (i < e && (b[i] === 32 || b[i] === 9 || b[i] === NL || b[i] === CR)) i++;
      if (i === e) return;
    }
    counts.counted++;
    if (this.fast) counts.fallbacks++;
    const text = this.node.toString("utf8", s, e);
    const result = parseLine(text);
    if (result.ok) this.addExact(result.record);
    else this.malformed(result.reason, text);
  }
  /** A record parseLine produced, added the way the fast path adds its own. */
  addExact(record) {
    const counts = this.counts;
    counts.records++;
    if (this.region !== void 0 && record.serviceArn.split(":")[3] !== this.region) {
      counts.otherRegions++;
      return;
    }
    addRecord(this.target.day(record.serviceArn, record.day), record);
    if (record.hostHeader && !this.serviceNames.has(record.serviceArn)) {
      const name = nameFromHostHeader(record.hostHeader, identityFromArn(record.serviceArn).id);
      if (name) this.serviceNames.set(record.serviceArn, name);
    }
  }
  /** Adds the record the kernel checked at r[o ...]; false leaves the line to parseLine. */
  add(b, r, o) {
    const n = r[o + R_SERVICE];
    let slot = this.slots[n];
    if (slot === void 0)
      slot = this.slots[n] = this.newSlot(r[o + R_SERVICE_START], r[o + R_SERVICE_END]);
    if (slot === null) return false;
    const dayKey = r[o + R_DAY];
    let dayText = slot.dayText;
    if (slot.dayKey !== dayKey) {
      let cached = dayCache.get(dayKey);
      if (cached === void 0) {
        const t = String(dayKey).padStart(8, "0");
        const text = `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}`;
        cached = isIsoDay(text) ? text : null;
        dayCache.set(dayKey, cached);
      }
      if (cached === null) return false;
      dayText = cached;
    }
    const counts = this.counts;
    counts.lines++;
    counts.counted++;
    counts.records++;
    if (!slot.inRegion) {
      counts.otherRegions++;
      return true;
    }
    if (slot.dayKey !== dayKey || slot.drops !== this.target.drops) {
      slot.day = this.target.day(slot.arn, dayText);
      slot.dayKey = dayKey;
      slot.dayText = dayText;
      slot.drops = this.target.drops;
    }
    const record = this.record;
    record.serviceArn = slot.arn;
    record.day = dayText;
    record.hour = r[o + R_HOUR];
    record.duration = r[o + R_DURATION];
    record.responseCode = r[o + R_CODE];
    record.bytesReceived = r[o + R_RECEIVED];
    record.bytesSent = r[o + R_SENT];
    record.authDenied = r[o + R_DENIED] === 1;
    record.caller = this.callerOf(r, o);
    addRecord(slot.day, record);
    const hostKind = r[o + R_HOST_KIND];
    if (!slot.named && (hostKind === K_STRING || hostKind === K_ESCAPED))
      this.nameFromHost(slot, b, r[o + R_HOST_START], r[o + R_HOST_END], hostKind === K_ESCAPED);
    return true;
  }
  /** The caller key of the record at r[o ...]: callerKey, once per pair of numbered texts. */
  callerOf(r, o) {
    const vpc = r[o + R_VPC];
    const principal = r[o + R_PRINCIPAL];
    const index = (vpc + 1) * CALLER_STRIDE + principal + 1;
    let key = this.callers.get(index);
    if (key === void 0) {
      const text = (n, s, e) => n < 0 ? void 0 : this.node.toString("latin1", s, e);
      key = callerKey(
        text(vpc, r[o + R_VPC_START], r[o + R_VPC_END]),
        text(principal, r[o + R_PRINCIPAL_START], r[o + R_PRINCIPAL_END])
      );
      this.callers.set(index, key);
    }
    return key;
  }
  /** AggregateSet.add's naming: the first host header that names the service. */
  nameFromHost(slot, b, s, e, escaped) {
    if (this.serviceNames.has(slot.arn)) {
      slot.named = true;
      return;
    }
    const failed = slot.failedHost;
    if (!escaped && failed !== void 0 && failed.length === e - s && this.node.compare(failed, 0, failed.length, s, e) === 0) {
      return;
    }
    const host = JSON.parse(this.node.toString("utf8", s - 1, e + 1));
    const name = host && host !== "-" ? nameFromHostHeader(host, slot.id) : void 0;
    if (name) {
      this.serviceNames.set(slot.arn, name);
      slot.named = true;
    } else if (!escaped) {
      slot.failedHost = b.slice(s, e);
    }
  }
  /** What the kernel's bytes [s, e) name: a service, or null when they are no service ARN. */
  newSlot(s, e) {
    const b = this.b;
    for (let k = s; k < e; k++) if (b[k] >= 128) return null;
    const arn = this.node.toString("latin1", s, e);
    if (!isServiceArn(arn)) return null;
    return {
      arn,
      id: identityFromArn(arn).id,
      inRegion: this.region === void 0 || arn.split(":")[3] === this.region,
      dayKey: -1,
      drops: 0,
      dayText: "",
      day: void 0,
      named: false,
      failedHost: void 0
    };
  }
};

// src/logs/sniff.ts
var GUNZIP_CHUNK_BYTES = 256 << 10;
var GUNZIP_AHEAD_BYTES = 4 << 20;
var PEEK_BYTES = 64 << 10;
var RECORD_KEYS = /* @__PURE__ */ new Set([
  ...ACCESS_LOG_FIELDS,
  RESOURCE_CONFIGURATION_FIELD,
  GRPC_STATUS_FIELD
]);

// src/logs/parallel.ts
var PARALLEL_MIN_BYTES = 64 << 20;
var RANGE_BYTES = 16 << 20;
var READ_BYTES = 1 << 20;
var TAIL_READ_BYTES = 16 << 10;
function scanRange(fd, size, index, target, job) {
  const start = index * job.rangeBytes;
  const end = Math.min(size, start + job.rangeBytes);
  const scanner = new LineScanner(target, {
    region: job.region,
    maxLineBytes: job.maxLineBytes,
    bom: start === 0,
    lead: start > 0
  });
  try {
    let pos = Math.max(0, start - 1);
    while (pos < end) {
      const room = scanner.reserve(Math.min(READ_BYTES, end - pos));
      const n = readSync(fd, room, 0, Math.min(room.length, end - pos), pos);
      if (n === 0) break;
      pos += n;
      scanner.commit(n);
    }
    while (scanner.pending && pos < size) {
      const room = scanner.reserve(TAIL_READ_BYTES);
      const n = readSync(fd, room, 0, Math.min(room.length, size - pos), pos);
      if (n === 0) break;
      pos += scanner.finishLine(n);
    }
    if (scanner.pending) scanner.end();
    return { counts: scanner.counts, names: scanner.names() };
  } finally {
    scanner.release();
  }
}
var OpenFile = class {
  file;
  fd = -1;
  get(file) {
    if (file !== this.file) {
      this.close();
      this.fd = openSync(file, "r");
      this.file = file;
    }
    return this.fd;
  }
  close() {
    if (this.file !== void 0) closeSync(this.fd);
    this.file = void 0;
  }
};
var MAIN_ID = 1;
function claim(owner, id, from) {
  for (let k = from; k < owner.length; k++) if (Atomics.compareExchange(owner, k, 0, id) === 0) return k;
  return -1;
}
var registry = globalThis[/* @__PURE__ */ Symbol.for("lattice-cost-report/scan-workers")] ??= {
  prewarmed: [],
  nextId: MAIN_ID + 1
};
function serveScanWorker() {
  const port = parentPort;
  if (!port) throw new Error("serveScanWorker runs only in a worker thread");
  const id = workerData.id;
  port.on("message", ({ jobId, table, owner: shared }) => {
    const owner = new Int32Array(shared);
    const open = new OpenFile();
    let k = 0;
    for (let u = claim(owner, id, 0); u !== -1; u = claim(owner, id, u + 1)) {
      while (u >= table.first[k] + table.ranges[k]) k++;
      try {
        const set = new AggregateSet();
        const result = scanRange(open.get(table.files[k]), table.sizes[k], u - table.first[k], set, table);
        const days = packDays(set);
        const reply = { jobId, unit: u, result, days };
        port.postMessage(reply, [days.numbers.buffer]);
      } catch (error) {
        const e = error;
        const serialized = {
          message: String(e?.message ?? error),
          code: typeof e?.code === "string" ? e.code : void 0,
          syscall: typeof e?.syscall === "string" ? e.syscall : void 0
        };
        port.postMessage({ jobId, unit: u, error: serialized });
      }
    }
    open.close();
  });
}

// src/logs/scan-worker.ts
module.enableCompileCache?.();
serveScanWorker();
