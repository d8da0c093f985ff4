#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 581:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(995);
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_module__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _logs_parallel_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(272);
/**
 * The command line's launcher (dist/cli.js). It is small on purpose: it turns on Node's compile
 * cache before the CLI's bundle (dist/cli-main.js, 2 MB) is loaded, so that later runs skip most
 * of parsing it, and it starts the scan workers for a large file before that load, so they are
 * ready when the first ranges are.
 */


// Node >= 22.1 (so not in @types/node 20); Node skips it when NODE_DISABLE_COMPILE_CACHE is set.
node_module__WEBPACK_IMPORTED_MODULE_0___default().enableCompileCache?.();
const argv = process.argv.slice(2);
if (argv[0] === 'analyze') {
    const logs = argv.flatMap((arg, i) => arg === '--logs' ? (argv[i + 1] ?? []) : arg.startsWith('--logs=') ? arg.slice(7) : []);
    (0,_logs_parallel_js__WEBPACK_IMPORTED_MODULE_1__/* .prewarmScanWorkers */ .$d)(new URL(_logs_parallel_js__WEBPACK_IMPORTED_MODULE_1__/* .WORKER_SCRIPT */ .no, import.meta.url), logs);
}
// Left to Node, not the bundler: the point is to load that file through the cache.
const bundle = './cli-main.js';
const { main } = (await import(/* webpackIgnore: true */ bundle));
process.exitCode = await main(argv);

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 272:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  no: () => (/* binding */ WORKER_SCRIPT),
  $d: () => (/* binding */ prewarmScanWorkers)
});

// UNUSED EXPORTS: FileOffer, PARALLEL_MIN_BYTES, RANGE_BYTES, ScanPool, scanRange, scanThreads, scanWholeFile, serveScanWorker, wholeFileRange

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: ./src/analysis/histogram.ts
/**
 * Mergeable latency histogram with logarithmic buckets (the DDSketch layout).
 *
 * A value v > 0 goes to bucket i = ceil(ln(v) / ln(GAMMA)), which covers (GAMMA^(i-1), GAMMA^i].
 * Reporting 2·GAMMA^i / (GAMMA + 1) for a bucket is within RELATIVE_ACCURACY of every value in it,
 * so the nearest-rank quantile is within that bound of the exact one. Counts per bucket add up,
 * so histograms merge across days, files and query chunks without losing accuracy, which native
 * percentile functions cannot do. Logs Insights computes the same bucket index with `ceil(log(x) * k)`.
 */
const RELATIVE_ACCURACY = 0.005;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
/** Multiply ln(v) by this and round up to get the bucket index. */
const BUCKET_SCALE = 1 / Math.log(GAMMA);
/** Durations at or below this (milliseconds) count as 0; Logs Insights applies the same floor. */
const MIN_DURATION = 0.0001;
function bucketIndex(value) {
    return Math.ceil(Math.log(Math.max(value, MIN_DURATION)) * BUCKET_SCALE);
}
/** The bucket every duration at or below MIN_DURATION falls in: the zero bucket. */
const ZERO_BUCKET = bucketIndex(0);
function bucketValue(index) {
    return (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
}
// Buckets below ~1/(GAMMA-1) are narrower than 1, so each holds at most one integer. When every
// sample is an integer (Lattice reports whole milliseconds) such a bucket gives the exact value.
const SINGLE_INTEGER_LIMIT = Math.floor(1 / (GAMMA - 1));
const singleIntegerByBucket = (() => {
    const seen = new Map();
    for (let n = 1; n <= SINGLE_INTEGER_LIMIT + 1; n++) {
        const i = bucketIndex(n);
        const list = seen.get(i) ?? [];
        list.push(n);
        seen.set(i, list);
    }
    const exact = new Map();
    for (const [i, list] of seen) {
        if (list.length === 1 && list[0] <= SINGLE_INTEGER_LIMIT)
            exact.set(i, list[0]);
    }
    return exact;
})();
class histogram_LatencyHistogram {
    count = 0;
    sum = 0;
    min = Infinity;
    max = -Infinity;
    /** Samples equal to 0, which have no logarithm. */
    zero = 0;
    /** Samples that are not whole numbers; when 0, small buckets report exact integers. */
    nonInteger = 0;
    offset = 0;
    counts = [];
    add(value, times = 1) {
        this.count += times;
        this.sum += value * times;
        if (value < this.min)
            this.min = value;
        if (value > this.max)
            this.max = value;
        if (!Number.isInteger(value))
            this.nonInteger += times;
        this.addToBucket(bucketIndex(value), times);
    }
    /** Adds a pre-bucketed count, as returned by a Logs Insights query. */
    addToBucket(index, times) {
        if (index <= ZERO_BUCKET) {
            this.zero += times;
            return;
        }
        if (this.counts.length === 0) {
            this.offset = index;
            this.counts.push(0);
        }
        else if (index < this.offset) {
            const grow = this.offset - index;
            this.counts.unshift(...new Array(grow).fill(0));
            this.offset = index;
        }
        else if (index >= this.offset + this.counts.length) {
            const grow = index - (this.offset + this.counts.length) + 1;
            for (let k = 0; k < grow; k++)
                this.counts.push(0);
        }
        this.counts[index - this.offset] += times;
    }
    merge(other) {
        if (other.count === 0)
            return;
        this.count += other.count;
        this.sum += other.sum;
        this.min = Math.min(this.min, other.min);
        this.max = Math.max(this.max, other.max);
        this.zero += other.zero;
        this.nonInteger += other.nonInteger;
        for (let k = 0; k < other.counts.length; k++) {
            const c = other.counts[k];
            if (c > 0)
                this.addToBucket(other.offset + k, c);
        }
    }
    get mean() {
        return this.count === 0 ? null : this.sum / this.count;
    }
    /** Nearest-rank quantile: the value at rank ceil(q·n), within RELATIVE_ACCURACY. */
    quantile(q) {
        if (this.count === 0)
            return null;
        const rank = Math.max(1, Math.ceil(q * this.count));
        if (rank <= this.zero)
            return 0;
        let seen = this.zero;
        for (let k = 0; k < this.counts.length; k++) {
            seen += this.counts[k];
            if (seen >= rank)
                return this.estimate(this.offset + k);
        }
        return this.max;
    }
    /** How many samples are above `threshold`, counting whole buckets (within RELATIVE_ACCURACY). */
    countAbove(threshold) {
        if (threshold < 0)
            return this.count;
        let above = 0;
        const first = threshold === 0 ? -Infinity : bucketIndex(threshold);
        for (let k = 0; k < this.counts.length; k++) {
            if (this.offset + k > first)
                above += this.counts[k];
        }
        return above;
    }
    estimate(index) {
        const exact = this.nonInteger === 0 ? singleIntegerByBucket.get(index) : undefined;
        const value = exact ?? bucketValue(index);
        return Math.min(this.max, Math.max(this.min, value));
    }
    toJSON() {
        const buckets = [];
        this.counts.forEach((c, k) => {
            if (c > 0)
                buckets.push([this.offset + k, c]);
        });
        return {
            count: this.count,
            sum: this.sum,
            min: this.count ? this.min : 0,
            max: this.count ? this.max : 0,
            zero: this.zero,
            nonInteger: this.nonInteger,
            buckets,
        };
    }
    static fromJSON(json) {
        const h = new histogram_LatencyHistogram();
        h.count = json.count;
        h.sum = json.sum;
        h.min = json.count ? json.min : Infinity;
        h.max = json.count ? json.max : -Infinity;
        h.zero = json.zero;
        h.nonInteger = json.nonInteger;
        for (const [index, c] of json.buckets)
            h.addToBucket(index, c);
        return h;
    }
}

;// CONCATENATED MODULE: ./src/analysis/aggregate.ts

function emptyDay(serviceArn, day) {
    return {
        serviceArn,
        day,
        requests: 0,
        status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
        authDenied: 0,
        bytesIn: 0,
        bytesOut: 0,
        hourly: new Array(24).fill(0),
        latency: new LatencyHistogram(),
    };
}
/** The status class of a response code, or null outside 200-599. */
function statusClass(code) {
    if (code === null)
        return null;
    if (code >= 200 && code < 300)
        return '2xx';
    if (code >= 300 && code < 400)
        return '3xx';
    if (code >= 400 && code < 500)
        return '4xx';
    if (code >= 500 && code < 600)
        return '5xx';
    return null;
}
/** A request was denied by the auth policy when its authDeniedReason holds a reason, not "-". */
function aggregate_isAuthDenied(reason) {
    return typeof reason === 'string' && reason !== '-' && reason !== '';
}
/** The 5xx share of requests: the one definition of error rate. */
function errorRate(requests, errors5xx) {
    return requests > 0 ? errors5xx / requests : 0;
}
function aggregate_addRecord(target, record) {
    target.requests += 1;
    const cls = statusClass(record.responseCode);
    if (cls)
        target.status[cls] += 1;
    target.bytesIn += record.bytesReceived;
    target.bytesOut += record.bytesSent;
    target.hourly[record.hour] += 1;
    if (record.authDenied)
        target.authDenied += 1;
    else
        target.latency.add(record.duration);
}
function mergeDay(target, other) {
    target.requests += other.requests;
    for (const k of Object.keys(target.status)) {
        target.status[k] += other.status[k];
    }
    target.authDenied += other.authDenied;
    target.bytesIn += other.bytesIn;
    target.bytesOut += other.bytesOut;
    for (let h = 0; h < 24; h++)
        target.hourly[h] += other.hourly[h];
    target.latency.merge(other.latency);
}
function aggregate_dayToJSON(day) {
    return { ...day, status: { ...day.status }, hourly: [...day.hourly], latency: day.latency.toJSON() };
}
function aggregate_dayFromJSON(json) {
    return {
        ...json,
        status: { ...json.status },
        hourly: [...json.hourly],
        latency: LatencyHistogram.fromJSON(json.latency),
    };
}
function aggregate_identityFromArn(arn) {
    // arn:aws:vpc-lattice:REGION:ACCOUNT:service/svc-ID
    const parts = arn.split(':');
    const resource = parts.slice(5).join(':');
    return {
        arn,
        id: resource.startsWith('service/') ? resource.slice('service/'.length) : resource,
        region: parts[3] ?? '',
        account: parts[4] ?? '',
    };
}
/**
 * The name in a service's default DNS name, `<name>-<id digits>.<hash>.vpc-lattice-svcs.<region>.on.aws`,
 * accepted only when the digits match the service id, so a client-chosen Host header cannot rename it.
 */
function aggregate_nameFromHostHeader(host, serviceId) {
    const m = /^([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)-([0-9a-z]+)\.[0-9a-z]+\.vpc-lattice-svcs\.[a-z0-9-]+\.on\.aws$/.exec(host.toLowerCase());
    if (!m || `svc-${m[2]}` !== serviceId)
        return undefined;
    return m[1];
}
/** Day aggregates for many services and days, plus the service identities seen. */
class aggregate_AggregateSet {
    days = new Map();
    services = new Map();
    key(serviceArn, day) {
        return `${serviceArn}\n${day}`;
    }
    service(arn) {
        let identity = this.services.get(arn);
        if (!identity) {
            identity = aggregate_identityFromArn(arn);
            this.services.set(arn, identity);
        }
        return identity;
    }
    day(serviceArn, day) {
        const k = this.key(serviceArn, day);
        let agg = this.days.get(k);
        if (!agg) {
            agg = emptyDay(serviceArn, day);
            this.days.set(k, agg);
            this.service(serviceArn);
        }
        return agg;
    }
    add(record) {
        aggregate_addRecord(this.day(record.serviceArn, record.day), record);
        if (record.hostHeader) {
            const identity = this.service(record.serviceArn);
            if (identity.name === undefined) {
                const name = aggregate_nameFromHostHeader(record.hostHeader, identity.id);
                if (name)
                    identity.name = name;
            }
        }
    }
    addDay(day) {
        mergeDay(this.day(day.serviceArn, day.day), day);
    }
    merge(other) {
        for (const day of other.days.values())
            this.addDay(day);
        for (const identity of other.services.values()) {
            const mine = this.service(identity.arn);
            if (mine.name === undefined && identity.name !== undefined)
                mine.name = identity.name;
        }
    }
    /** First and last day that has any request, or null when empty. */
    coveredDays() {
        let first = null;
        let last = null;
        for (const agg of this.days.values()) {
            if (agg.requests === 0)
                continue;
            if (first === null || agg.day < first)
                first = agg.day;
            if (last === null || agg.day > last)
                last = agg.day;
        }
        return first && last ? { first, last } : null;
    }
    /** Days with at least one request, from any service. */
    activeDays() {
        const set = new Set();
        for (const agg of this.days.values())
            if (agg.requests > 0)
                set.add(agg.day);
        return set;
    }
}

;// CONCATENATED MODULE: ./src/logs/record.ts
/**
 * One VPC Lattice access-log record, reduced to the fields the report uses.
 * Lattice writes one JSON object per request; a missing value is the string "-".
 */


/** Every field of a Lattice access-log record, in the order Lattice writes them (aws-facts.md §1). */
const ACCESS_LOG_FIELDS = [
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
];
const SERVICE_ARN = /^arn:aws[a-z-]*:vpc-lattice:[a-z0-9-]+:\d{12}:service\/svc-[0-9a-z-]+$/;
/** The test toRecord applies to serviceArn; the fast path (fast-scan.ts) applies the same one. */
function record_isServiceArn(value) {
    return SERVICE_ARN.test(value);
}
const UTC_SECOND = /^(\d{4}-\d{2}-\d{2})T(\d{2}):\d{2}:\d{2}(?:\.\d+)?Z$/;
const NUMERIC = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
/** Shortens untrusted text quoted in an error message. */
function quote(value) {
    const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
function absent(value) {
    return value === undefined || value === null || value === '-';
}
/** A number, or a string holding one. Returns undefined for anything else. */
function toNumber(value) {
    if (typeof value === 'number')
        return Number.isFinite(value) ? value : undefined;
    if (typeof value === 'string' && NUMERIC.test(value))
        return Number(value);
    return undefined;
}
// Few distinct days occur in a log, so their validity is checked once each.
const validDays = new Map();
function isRealDay(day) {
    let valid = validDays.get(day);
    if (valid === undefined) {
        valid = isIsoDay(day);
        if (validDays.size < 100_000)
            validDays.set(day, valid);
    }
    return valid;
}
function utcDayHour(startTime) {
    const m = UTC_SECOND.exec(startTime);
    if (m) {
        const hour = Number(m[2]);
        if (hour < 24 &&
            isRealDay(m[1]) &&
            Number(startTime.slice(14, 16)) < 60 &&
            Number(startTime.slice(17, 19)) < 61) {
            return { day: m[1], hour };
        }
        return undefined;
    }
    const ms = Date.parse(startTime);
    if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(startTime))
        return undefined;
    const iso = new Date(ms).toISOString();
    return { day: iso.slice(0, 10), hour: Number(iso.slice(11, 13)) };
}
function nonNegative(fields, name) {
    const raw = fields[name];
    if (absent(raw))
        return { value: 0 };
    const n = toNumber(raw);
    if (n === undefined || n < 0)
        return { reason: `${name} is not a non-negative number: ${quote(raw)}` };
    return { value: n };
}
/** Validates a decoded log event. Required: serviceArn, startTime, duration. */
function toRecord(value) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { ok: false, reason: 'not a JSON object' };
    }
    const fields = value;
    const serviceArn = fields.serviceArn;
    if (absent(serviceArn))
        return { ok: false, reason: 'serviceArn is missing' };
    if (typeof serviceArn !== 'string' || !record_isServiceArn(serviceArn)) {
        return { ok: false, reason: `serviceArn is not a VPC Lattice service ARN: ${quote(serviceArn)}` };
    }
    const startTime = fields.startTime;
    if (absent(startTime))
        return { ok: false, reason: 'startTime is missing' };
    const when = typeof startTime === 'string' ? utcDayHour(startTime) : undefined;
    if (!when)
        return { ok: false, reason: `startTime is not an ISO-8601 time: ${quote(startTime)}` };
    if (absent(fields.duration))
        return { ok: false, reason: 'duration is missing' };
    const duration = toNumber(fields.duration);
    if (duration === undefined || duration < 0) {
        return { ok: false, reason: `duration is not a non-negative number: ${quote(fields.duration)}` };
    }
    let responseCode = null;
    if (!absent(fields.responseCode)) {
        const code = toNumber(fields.responseCode);
        if (code === undefined || !Number.isInteger(code) || code < 0 || code > 999) {
            return { ok: false, reason: `responseCode is not an HTTP status: ${quote(fields.responseCode)}` };
        }
        responseCode = code;
    }
    const received = nonNegative(fields, 'bytesReceived');
    if ('reason' in received)
        return { ok: false, reason: received.reason };
    const sent = nonNegative(fields, 'bytesSent');
    if ('reason' in sent)
        return { ok: false, reason: sent.reason };
    const denied = fields.authDeniedReason;
    if (!absent(denied) && typeof denied !== 'string') {
        return { ok: false, reason: `authDeniedReason is not a string: ${quote(denied)}` };
    }
    const host = fields.hostHeader;
    return {
        ok: true,
        record: {
            serviceArn,
            day: when.day,
            hour: when.hour,
            duration,
            responseCode,
            bytesReceived: received.value,
            bytesSent: sent.value,
            authDenied: isAuthDenied(denied),
            hostHeader: typeof host === 'string' && host !== '-' ? host : null,
        },
    };
}
/** Parses one JSONL line. */
function record_parseLine(line) {
    let value;
    try {
        value = JSON.parse(line);
    }
    catch (error) {
        return { ok: false, reason: `invalid JSON (${error.message.slice(0, 80)})` };
    }
    return toRecord(value);
}

;// CONCATENATED MODULE: ./src/logs/fast-scan.ts
/**
 * The JSONL fast path. A Lattice line is a flat JSON object of about 1.5 kB, of which the report
 * needs eight fields. JSON.parse builds ~35 strings per line to give us those eight. Instead, a
 * WebAssembly kernel (kernel/assembly/lines.ts) checks each line's JSON syntax, with SIMD over
 * strings, takes the last value of each needed key (JSON.parse keeps the last of duplicate keys),
 * checks and decodes those values and numbers the service; this module then adds the record
 * straight into the day aggregates, without allocating.
 *
 * Whatever it cannot certify goes to the exact parser (record.ts parseLine) for that line: invalid
 * JSON anywhere, an escape in a top-level key or in a needed value, a number that is not a plain
 * integer, a startTime other than YYYY-MM-DDTHH:MM:SSZ, or a record parseLine would reject (so the
 * reason text is always parseLine's). The result is therefore the exact parser's by construction,
 * and test/unit/fast-scan.test.ts checks it against the exact reader on generated and hostile input.
 *
 * LineScanner also does the framing of the exact reader (reader.ts readLines): lines split on \n,
 * one trailing \r dropped, blank lines skipped but numbered, a leading BOM skipped, and a line over
 * maxLineBytes counted as malformed without being buffered.
 */




/** A line longer than this is skipped as malformed instead of buffered (V8 strings top out near 512 MiB). */
const MAX_LINE_BYTES = (/* unused pure expression or super */ null && (64 << 20));
const fast_scan_MAX_SAMPLES = 20;
function overlongReason(maxLineBytes) {
    return maxLineBytes % (1 << 20) === 0
        ? `line is longer than ${maxLineBytes >> 20} MiB`
        : `line is longer than ${maxLineBytes} bytes`;
}
function fast_scan_emptyCounts() {
    return {
        lines: 0,
        counted: 0,
        records: 0,
        malformed: 0,
        samples: [],
        otherRegions: 0,
        fallbacks: 0,
        integral: true,
    };
}
const NL = 0x0a;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;
/** The kernel's record of a line (kernel/assembly/lines.ts record()): f64 slots. */
const RECORD_SLOTS = 15;
const R_START = 0;
const R_NL = 1;
const R_SERVICE = 2;
const R_SERVICE_START = 3;
const R_SERVICE_END = 4;
const R_HOST_KIND = 5;
const R_HOST_START = 6;
const R_HOST_END = 7;
const R_DAY = 8;
const R_HOUR = 9;
const R_DURATION = 10;
const R_CODE = 11;
const R_RECEIVED = 12;
const R_SENT = 13;
const R_DENIED = 14;
/** Kinds of the host header's value, as the kernel gives them: a string without escapes, or with. */
const K_STRING = 1;
const K_ESCAPED = 2;
/** Lines recorded per call into the kernel. */
const RECORDS = 1024;
/**
 * A scanner's bytes, in the memory of its own instance of the kernel: the text at
 * [textAt, textAt + capacity), read into directly, then 64 spare bytes (the kernel reads blocks of
 * 16 and 32 bytes that may run past the text), then the kernel's records.
 */
class ScanBuffer {
    kernel;
    textAt;
    capacity = 0;
    node;
    b;
    records;
    constructor(capacity) {
        this.kernel = new wasm.Instance(kernelModule()).exports;
        this.textAt = (this.kernel.heapBase() + 63) & ~63;
        this.resize(capacity);
    }
    /** Room for `capacity` bytes (a multiple of 64); the text is kept. */
    resize(capacity) {
        const recordsAt = this.textAt + capacity + 64;
        const need = recordsAt + RECORDS * RECORD_SLOTS * 8;
        const memory = this.kernel.memory;
        const pages = Math.ceil(need / 65536) - memory.buffer.byteLength / 65536;
        if (pages > 0)
            memory.grow(pages);
        const buffer = memory.buffer;
        this.capacity = capacity;
        this.node = Buffer.from(buffer, this.textAt, capacity);
        this.b = new Uint8Array(buffer, this.textAt, capacity);
        this.records = new Float64Array(buffer, recordsAt, RECORDS * RECORD_SLOTS);
        this.kernel.setup(this.textAt, recordsAt, RECORDS);
    }
}
// The part of the WebAssembly API used here, typed locally: its declarations live in TypeScript's
// DOM library, which a Node project does not load.
const wasm = globalThis.WebAssembly;
let compiled;
function kernelModule() {
    return (compiled ??= new wasm.Module(Buffer.from(LINES_WASM, 'base64')));
}
/** Buffers of released scanners (per thread), for the next ones. */
const spare = (/* unused pure expression or super */ null && ([]));
/** YYYYMMDD → the day string, or null when it is no real day. Shared: the answer never changes. */
const dayCache = new Map();
function isIntegral(value) {
    return Number.isInteger(value) && !Object.is(value, -0);
}
/** A scanner's buffer grows to what it is fed (a range may be tiny); after a long line it shrinks back. */
const BASE_BUFFER = (/* unused pure expression or super */ null && (1 << 20));
/**
 * Turns JSONL bytes into aggregates: feed it with reserve()/commit() or push(), then end().
 * Records go into `target`; service names found are kept apart (names()) because the first name in
 * file order wins and this scanner may be reading a range in the middle of a file.
 */
class fast_scan_LineScanner {
    counts = fast_scan_emptyCounts();
    target;
    region;
    maxLineBytes;
    fast;
    bomPending;
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
        serviceArn: '',
        day: '',
        hour: 0,
        duration: 0,
        responseCode: null,
        bytesReceived: 0,
        bytesSent: 0,
        authDenied: false,
        hostHeader: null,
    };
    /** By the kernel's service number; null: not a service ARN, left to the exact parser. */
    slots = [];
    serviceNames = new Map();
    constructor(target, options = {}) {
        this.target = target;
        this.region = options.region;
        this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
        this.fast = options.fast ?? true;
        this.bomPending = options.bom ?? false;
        const buffer = spare.pop();
        if (buffer)
            this.use(buffer);
    }
    use(buffer) {
        if (buffer !== this.buffer) {
            // Another instance of the kernel, or a used one: numbers start again.
            buffer.kernel.reset();
            this.slots = [];
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
        if (buffer && buffer.capacity <= 4 * BASE_BUFFER && spare.length < 4)
            spare.push(buffer);
        this.buffer = undefined;
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
        // Grows for a long line; shrinks back once it is done.
        if (need > capacity)
            capacity = Math.max(capacity * 2, need, 4096);
        else if (capacity > 4 * BASE_BUFFER && need <= BASE_BUFFER)
            capacity = BASE_BUFFER;
        capacity = (capacity + 63) & ~63;
        if (capacity !== (this.buffer?.capacity ?? 0)) {
            if (this.buffer && capacity > this.buffer.capacity) {
                // Growing keeps the bytes in place.
                this.buffer.resize(capacity);
            }
            else {
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
        for (let off = 0; off < chunk.length;) {
            const room = this.reserve(Math.min(chunk.length - off, BASE_BUFFER));
            const n = Math.min(room.length, chunk.length - off);
            room.set(chunk.subarray(off, off + n));
            off += n;
            this.commit(n);
        }
    }
    /** The input ended: a last line without \n counts too. */
    end() {
        this.scan(true);
        this.len = this.pos = 0;
    }
    /** True while a line has started but not ended. */
    get pending() {
        return this.skipping || this.len > this.pos;
    }
    scan(atEnd) {
        const b = this.b;
        const len = this.len;
        let s = this.pos;
        if (this.bomPending) {
            // Wait while what there is could still be a BOM, and until a byte follows it: the first line
            // starts at the BOM, so a range that ends inside or just after it must read on.
            const n = len - s;
            const bom = (n < 1 || b[s] === 0xef) && (n < 2 || b[s + 1] === 0xbb) && (n < 3 || b[s + 2] === 0xbf);
            if (bom && n <= 3 && !atEnd)
                return;
            this.bomPending = false;
            if (bom && n >= 3)
                s += 3;
        }
        if (this.skipping) {
            const nl = this.node.indexOf(NL, s);
            if (nl === -1 || nl >= len) {
                this.pos = len;
                if (atEnd)
                    this.overlong();
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
                    if (!this.add(b, records, r))
                        this.slowLine(records[r + R_START], records[r + R_NL]);
                }
                s = kernel.stop();
                // Either more lines than records, or s is a line the kernel cannot vouch for.
                if (lines > 0)
                    continue;
            }
            let nl = this.node.indexOf(NL, s);
            if (nl === -1 || nl >= len) {
                if (!atEnd)
                    break;
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
    malformed(reason) {
        const counts = this.counts;
        counts.malformed++;
        if (counts.samples.length < fast_scan_MAX_SAMPLES)
            counts.samples.push({ line: counts.lines, reason });
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
        if (e > s && b[e - 1] === CR)
            e--;
        if (s === e)
            return;
        if (b[s] !== OPEN_BRACE) {
            let i = s;
            while (i < e && (b[i] === 0x20 || b[i] === 0x09 || b[i] === NL || b[i] === CR))
                i++;
            if (i === e)
                return;
        }
        counts.counted++;
        if (this.fast)
            counts.fallbacks++;
        const result = parseLine(this.node.toString('utf8', s, e));
        if (result.ok)
            this.addExact(result.record);
        else
            this.malformed(result.reason);
    }
    /** A record parseLine produced, added the way the fast path adds its own. */
    addExact(record) {
        const counts = this.counts;
        counts.records++;
        if (!isIntegral(record.duration) || !isIntegral(record.bytesReceived) || !isIntegral(record.bytesSent)) {
            counts.integral = false;
        }
        if (this.region !== undefined && record.serviceArn.split(':')[3] !== this.region) {
            counts.otherRegions++;
            return;
        }
        addRecord(this.target.day(record.serviceArn, record.day), record);
        if (record.hostHeader && !this.serviceNames.has(record.serviceArn)) {
            const name = nameFromHostHeader(record.hostHeader, identityFromArn(record.serviceArn).id);
            if (name)
                this.serviceNames.set(record.serviceArn, name);
        }
    }
    /** Adds the record the kernel checked at r[o ...]; false leaves the line to parseLine. */
    add(b, r, o) {
        const n = r[o + R_SERVICE];
        let slot = this.slots[n];
        if (slot === undefined)
            slot = this.slots[n] = this.newSlot(r[o + R_SERVICE_START], r[o + R_SERVICE_END]);
        if (slot === null)
            return false;
        const dayKey = r[o + R_DAY];
        let dayText = slot.dayText;
        if (slot.dayKey !== dayKey) {
            let cached = dayCache.get(dayKey);
            if (cached === undefined) {
                const t = String(dayKey).padStart(8, '0');
                const text = `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}`;
                cached = isIsoDay(text) ? text : null;
                dayCache.set(dayKey, cached);
            }
            if (cached === null)
                return false;
            dayText = cached;
        }
        // Every check passed: from here on the record counts.
        const counts = this.counts;
        counts.lines++;
        counts.counted++;
        counts.records++;
        if (!slot.inRegion) {
            counts.otherRegions++;
            return true;
        }
        if (slot.dayKey !== dayKey) {
            slot.day = this.target.day(slot.arn, dayText);
            slot.dayKey = dayKey;
            slot.dayText = dayText;
        }
        // addRecord reads only the measures; the rest is filled in for the record's sake.
        const record = this.record;
        const code = r[o + R_CODE];
        record.serviceArn = slot.arn;
        record.day = dayText;
        record.hour = r[o + R_HOUR];
        record.duration = r[o + R_DURATION];
        record.responseCode = code < 0 ? null : code;
        record.bytesReceived = r[o + R_RECEIVED];
        record.bytesSent = r[o + R_SENT];
        record.authDenied = r[o + R_DENIED] === 1;
        addRecord(slot.day, record);
        const hostKind = r[o + R_HOST_KIND];
        if (!slot.named && (hostKind === K_STRING || hostKind === K_ESCAPED))
            this.nameFromHost(slot, b, r[o + R_HOST_START], r[o + R_HOST_END], hostKind === K_ESCAPED);
        return true;
    }
    /** AggregateSet.add's naming: the first host header that names the service. */
    nameFromHost(slot, b, s, e, escaped) {
        if (this.serviceNames.has(slot.arn)) {
            slot.named = true;
            return;
        }
        const failed = slot.failedHost;
        if (!escaped &&
            failed !== undefined &&
            failed.length === e - s &&
            this.node.compare(failed, 0, failed.length, s, e) === 0) {
            return;
        }
        // JSON.parse of the quoted slice decodes escapes and UTF-8 exactly as for the whole line.
        const host = JSON.parse(this.node.toString('utf8', s - 1, e + 1));
        const name = host && host !== '-' ? nameFromHostHeader(host, slot.id) : undefined;
        if (name) {
            this.serviceNames.set(slot.arn, name);
            slot.named = true;
        }
        else if (!escaped) {
            slot.failedHost = b.slice(s, e);
        }
    }
    /** What the kernel's bytes [s, e) name: a service, or null when they are no service ARN. */
    newSlot(s, e) {
        const b = this.b;
        for (let k = s; k < e; k++)
            if (b[k] >= 0x80)
                return null;
        const arn = this.node.toString('latin1', s, e);
        if (!isServiceArn(arn))
            return null;
        return {
            arn,
            id: identityFromArn(arn).id,
            inRegion: this.region === undefined || arn.split(':')[3] === this.region,
            dayKey: -1,
            dayText: '',
            day: undefined,
            named: false,
            failedHost: undefined,
        };
    }
}

;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
;// CONCATENATED MODULE: ./src/errors.ts
/**
 * Errors the user can act on. Each message names what was wrong and how to fix it;
 * the entry points print the message alone, without a stack trace.
 */
/** Bad invocation: an unknown flag, a missing path, an invalid input value. Exit code 2. */
class UsageError extends (/* unused pure expression or super */ null && (Error)) {
    name = 'UsageError';
}
/** The data or the run failed: unreadable file, no valid record, an AWS call that failed. Exit code 1. */
class errors_DataError extends Error {
    name = 'DataError';
    constructor(message, options) {
        super(message, options);
    }
}
// Duck-typed: errors from Node internals may come from another realm (Jest's VM), so no instanceof.
function errorMessage(error) {
    const message = error?.message;
    return typeof message === 'string' ? message : String(error);
}

;// CONCATENATED MODULE: ./src/logs/sniff.ts
/**
 * What a log file is: its compression, whether it is text at all, and which of the formats the
 * reader knows it holds. Shared by the reader and the scan workers, which take a whole file only
 * when it is gzip or plain JSON lines (anything else is left to the reader).
 */



const sniff_NL = 0x0a;
const sniff_CR = 0x0d;
const sniff_OPEN_BRACE = 0x7b;
const GUNZIP_CHUNK_BYTES = (/* unused pure expression or super */ null && (256 << 10));
/** Decompressed text gunzip may hold ready, so it runs ahead while the reader scans. */
const GUNZIP_AHEAD_BYTES = (/* unused pure expression or super */ null && (4 << 20));
/** Node's gunzip reads concatenated members, which S3 deliveries contain. */
function gunzip() {
    // The options go on to the Transform stream, though ZlibOptions does not list its own.
    const options = {
        chunkSize: GUNZIP_CHUNK_BYTES,
        readableHighWaterMark: GUNZIP_AHEAD_BYTES,
    };
    return createGunzip(options);
}
function sniff_isGzip(head) {
    return head[0] === 0x1f && head[1] === 0x8b;
}
/** Enough decoded text to see the first key of a pretty-printed export. */
const sniff_PEEK_BYTES = (/* unused pure expression or super */ null && (64 << 10));
/** Top-level keys of `aws logs filter-log-events` and `get-log-events` output. */
const EXPORT_KEYS = new Set([
    'events',
    'searchedLogStreams',
    'nextToken',
    'nextForwardToken',
    'nextBackwardToken',
]);
/** A pretty-printed record starts with one of these. */
const RECORD_KEYS = new Set(ACCESS_LOG_FIELDS);
const OTHER_FORMATS = [
    { magic: [0x50, 0x4b, 0x03, 0x04], name: 'a zip archive' },
    { magic: [0x42, 0x5a, 0x68], name: 'bzip2-compressed' },
    { magic: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd-compressed' },
    { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'xz-compressed' },
    { magic: [0x50, 0x41, 0x52, 0x31], name: 'a Parquet file' },
];
function startsWith(head, magic) {
    return head.length >= magic.length && magic.every((byte, i) => head[i] === byte);
}
/** Without this, a zip or zstd file would surface as "none of its lines is valid", which hides the cause. */
function sniff_checkMagic(file, head) {
    for (const { magic, name } of OTHER_FORMATS) {
        if (startsWith(head, magic)) {
            throw new DataError(`${file}: the file is ${name}; only plain or gzip-compressed logs can be read`);
        }
    }
}
function sniff_checkText(file, head) {
    // Windows PowerShell 5 redirection (`aws logs ... > out.json`) writes UTF-16.
    if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) {
        throw new DataError(`${file}: the file is UTF-16 encoded; save it as UTF-8 (PowerShell: Out-File -Encoding utf8)`);
    }
}
function isSpace(byte) {
    return byte === 0x20 || byte === 0x09 || byte === sniff_NL || byte === sniff_CR;
}
function bomLength(buf) {
    return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
}
/**
 * Decided from the first key of the first object. An AWS CLI export is one JSON document whose
 * first key is `events` (or another key of the FilterLogEvents/GetLogEvents response), compact
 * or pretty-printed. Otherwise a first line that is only `{` means pretty-printed JSON: records
 * if the first key is a record field, else treated as an export so the error says what was
 * expected. A JSON-lines record never spans lines, so neither test can catch JSONL, even
 * JSONL whose first line is broken. Anything else is JSONL.
 */
function sniff_detectFormat(head) {
    let i = bomLength(head);
    let newlineBeforeKey = false;
    while (i < head.length && isSpace(head[i]))
        i++;
    if (head[i] !== sniff_OPEN_BRACE)
        return 'jsonl';
    i++;
    while (i < head.length && isSpace(head[i])) {
        if (head[i] === sniff_NL)
            newlineBeforeKey = true;
        i++;
    }
    let key;
    if (head[i] === 0x22) {
        const end = head.indexOf(0x22, i + 1);
        // The keys we look for have no escapes, so a plain scan to the next quote is enough.
        if (end !== -1 && end - i <= 64)
            key = head.toString('utf8', i + 1, end);
    }
    if (key !== undefined && EXPORT_KEYS.has(key))
        return 'export';
    if (!newlineBeforeKey)
        return 'jsonl';
    return key !== undefined && RECORD_KEYS.has(key) ? 'values' : 'export';
}

;// CONCATENATED MODULE: ./src/logs/parallel.ts
/**
 * One large plain JSONL file scanned on several threads. The file is cut into ranges of a fixed
 * size; the main thread and the workers claim ranges from a shared table, so a worker that starts
 * late (it compiles the whole bundle first) simply claims fewer. A range owns the lines that start in
 * it: it skips the end of the line that runs into it and reads past its end to finish its last line.
 *
 * Each thread adds its records into its own AggregateSet. Sums of non-negative integers below 2^53
 * do not depend on the order of addition, so merging those sets gives exactly what one pass would;
 * the caller rescans the file in one pass when a range saw any other value (ScanCounts.integral).
 * What does depend on order is merged range by range: line numbers, malformed samples and the first
 * service name found.
 *
 * Many plain files are shared out whole instead: each thread scans the files it claims into a set
 * of its own, and the reader merges the sets in file order, under the same rule, or reads a file
 * itself when its set cannot be merged exactly or the file is not one a worker takes
 * (scanWholeFile). gzip files are not: inflating already runs on Node's thread pool beside the
 * scan, and two threads inflating at once measured no faster.
 *
 * The workers run dist/scan-worker.js (src/logs/scan-worker.ts), a bundle of this module and the
 * scanner only.
 */






/**
 * The workers' bundle, next to the CLI's in dist/. Not a literal in `new URL()`, which the bundler
 * would take for an asset to copy.
 */
const WORKER_SCRIPT = './scan-worker.js';
/** Below this, starting workers (each loads the bundle first) costs more than it saves. */
const PARALLEL_MIN_BYTES = 64 << 20;
const RANGE_BYTES = (/* unused pure expression or super */ null && (16 << 20));
const READ_BYTES = (/* unused pure expression or super */ null && (1 << 20));
/** Reads past the end of a range, to finish its last line, which is usually short. */
const TAIL_READ_BYTES = (/* unused pure expression or super */ null && (16 << 10));
const parallel_NL = 0x0a;
/**
 * Where the first line that starts in [from, end) begins (after the first \n in [from - 1, end - 1)),
 * or `end` when none does: the range is inside one long line.
 */
function lineStartIn(fd, from, end) {
    const buf = Buffer.allocUnsafe(Math.min(16 << 10, end - from));
    for (let pos = from - 1; pos < end - 1;) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, end - 1 - pos), pos);
        if (n === 0)
            break;
        const nl = buf.indexOf(parallel_NL);
        if (nl !== -1 && nl < n)
            return pos + nl + 1;
        pos += n;
    }
    return end;
}
/** Scans the lines that start in range `index` of the job into `target`. */
function scanRange(fd, job, index, target) {
    const start = index * job.rangeBytes;
    const end = Math.min(job.size, start + job.rangeBytes);
    const scanner = new LineScanner(target, {
        region: job.region,
        maxLineBytes: job.maxLineBytes,
        bom: start === 0,
    });
    let pos = start === 0 ? 0 : lineStartIn(fd, start, end);
    // The lines that start before `end`...
    while (pos < end) {
        const room = scanner.reserve(Math.min(READ_BYTES, end - pos));
        const n = readSync(fd, room, 0, Math.min(room.length, end - pos), pos);
        if (n === 0)
            break;
        pos += n;
        scanner.commit(n);
    }
    // ...the last of them up to its \n...
    while (scanner.pending && pos < job.size) {
        const room = scanner.reserve(TAIL_READ_BYTES);
        const n = readSync(fd, room, 0, Math.min(room.length, job.size - pos), pos);
        if (n === 0)
            break;
        const nl = room.indexOf(parallel_NL);
        const take = nl !== -1 && nl < n ? nl + 1 : n;
        pos += take;
        scanner.commit(take);
    }
    // ...or to the end of the file.
    if (scanner.pending)
        scanner.end();
    scanner.release();
    return { index, counts: scanner.counts, names: scanner.names() };
}
/** The one range of a whole file. */
function wholeFileRange(file, size, job) {
    return { file, size, rangeBytes: Math.max(1, size), ranges: 1, ...job };
}
/**
 * Scans a whole plain JSON-lines file as the reader's one pass would, into a set of its own.
 * Anything else (gzip, another format, an error, a file without a valid record) gives undefined:
 * the reader then reads the file itself, and says what is wrong the way it always does. The file
 * is read straight into the scanner's buffer: streams would allocate a buffer per read, and the
 * page faults of two threads doing that serialise on the process's memory map.
 */
function scanWholeFile(file, job, thread = MAIN_ID) {
    let fd;
    try {
        fd = openSync(file, 'r');
        const bytes = fstatSync(fd).size;
        const head = Buffer.alloc(Math.min(bytes, PEEK_BYTES));
        readSync(fd, head, 0, head.length, 0);
        checkMagic(file, head);
        if (isGzip(head) || !isJsonLines(file, head))
            return undefined;
        const set = new AggregateSet();
        const { counts, names } = scanRange(fd, wholeFileRange(file, bytes, job), 0, set);
        if (counts.counted === 0 || counts.records === 0)
            return undefined;
        return { counts, names, days: [...set.days.values()].map(dayToJSON), bytes, thread };
    }
    catch {
        return undefined;
    }
    finally {
        if (fd !== undefined)
            closeSync(fd);
    }
}
function isJsonLines(file, head) {
    checkText(file, head);
    return detectFormat(head) === 'jsonl';
}
// ---------------------------------------------------------------------------------------------
// Claiming ranges. owner[k] is 0 while range k is free, then the claimant's id; compareExchange
// makes claiming and recording the owner one step, so the main thread always knows whose a range is.
const MAIN_ID = 1;
const CANCELLED = (/* unused pure expression or super */ null && (-1));
function claim(owner, id, from) {
    for (let k = from; k < owner.length; k++)
        if (Atomics.compareExchange(owner, k, 0, id) === 0)
            return k;
    return -1;
}
/**
 * Workers started ahead by prewarmScanWorkers, for the next ScanPool, and the next worker id (the
 * main thread's, then one per worker ever started). Kept on globalThis because the launcher
 * (dist/cli.js) starts the workers and the CLI's bundle (dist/cli-main.js), which has its own copy
 * of this module, uses them.
 */
const registry = (globalThis[Symbol.for('lattice-cost-report/scan-workers')] ??=
    {
        prewarmed: [],
        nextId: MAIN_ID + 1,
    });
/** The worker's loop: claim ranges until none is left, then send the aggregates. */
function serveScanWorker() {
    const port = parentPort;
    if (!port)
        throw new Error('serveScanWorker runs only in a worker thread');
    const id = workerData.id;
    const reply = (message) => port.postMessage(message);
    const serveFiles = (jobId, files, fileJob, owner) => {
        for (let k = claim(owner, id, 0); k !== -1; k = claim(owner, id, k + 1)) {
            reply({ type: 'file', jobId, index: k, scan: scanWholeFile(files[k], fileJob, id) });
        }
        reply({ type: 'done', jobId, days: [] });
    };
    port.on('message', (message) => {
        if ('files' in message) {
            serveFiles(message.jobId, message.files, message.fileJob, new Int32Array(message.owner));
            return;
        }
        const { jobId, job, owner: shared } = message;
        const owner = new Int32Array(shared);
        const set = new AggregateSet();
        let fd;
        try {
            fd = openSync(job.file, 'r');
            for (let k = claim(owner, id, 0); k !== -1; k = claim(owner, id, k + 1)) {
                reply({ type: 'range', jobId, result: scanRange(fd, job, k, set) });
            }
            reply({ type: 'done', jobId, days: [...set.days.values()].map(dayToJSON) });
        }
        catch (error) {
            const e = error;
            reply({
                type: 'failed',
                jobId,
                error: {
                    message: String(e?.message ?? error),
                    code: typeof e?.code === 'string' ? e.code : undefined,
                    syscall: typeof e?.syscall === 'string' ? e.syscall : undefined,
                },
            });
        }
        finally {
            if (fd !== undefined)
                closeSync(fd);
        }
    });
}
/** The worker's error, with the code and syscall that readError turns into a message. */
function reviveError(error) {
    const revived = new Error(error.message);
    if (error.code)
        revived.code = error.code;
    if (error.syscall)
        revived.syscall = error.syscall;
    return revived;
}
// ---------------------------------------------------------------------------------------------
// Main side
/** Threads to scan with: LATTICE_COST_REPORT_THREADS when it is a whole number, else every core. */
function scanThreads() {
    const n = Number(process.env.LATTICE_COST_REPORT_THREADS || NaN);
    return Number.isInteger(n) && n >= 1 ? n : (0,external_node_os_namespaceObject.availableParallelism)();
}
function startWorker(script) {
    const id = registry.nextId++;
    const started = {
        id,
        worker: new external_node_worker_threads_namespaceObject.Worker(script, { workerData: { id } }),
        dead: false,
    };
    const lost = () => {
        started.dead = true;
    };
    started.worker.on('error', lost);
    started.worker.on('exit', lost);
    return started;
}
/**
 * When the command line names a large plain file, starting the workers before the rest of the CLI
 * loads lets them help from the first range.
 * They are unreferenced until a ScanPool takes them, so unused ones never hold the process.
 */
function prewarmScanWorkers(script, files) {
    const wanted = scanThreads() - 1;
    if (wanted < 1 || !files.some(isLargePlainFile))
        return;
    for (let n = 0; n < wanted; n++) {
        const started = startWorker(script);
        started.worker.unref();
        registry.prewarmed.push(started);
    }
}
function isLargePlainFile(file) {
    try {
        const info = (0,external_node_fs_namespaceObject.statSync)(file);
        if (!info.isFile() || info.size < PARALLEL_MIN_BYTES)
            return false;
        const fd = (0,external_node_fs_namespaceObject.openSync)(file, 'r');
        try {
            const head = Buffer.alloc(2);
            (0,external_node_fs_namespaceObject.readSync)(fd, head, 0, 2, 0);
            return !(head[0] === 0x1f && head[1] === 0x8b);
        }
        finally {
            (0,external_node_fs_namespaceObject.closeSync)(fd);
        }
    }
    catch {
        return false;
    }
}
function yieldToEventLoop() {
    return new Promise((resolve) => setImmediate(resolve));
}
/** Worker threads kept for the files of one run. */
class ScanPool {
    script;
    workerCount;
    workers = [];
    job;
    offer;
    nextJob = 1;
    /** `script` must call serveScanWorker() (dist/scan-worker.js does); `workers` may be 0. */
    constructor(script, workerCount) {
        this.script = script;
        this.workerCount = workerCount;
    }
    start() {
        const script = this.script;
        if (this.workers.length > 0 || !script)
            return;
        for (let n = 0; n < this.workerCount; n++) {
            const entry = registry.prewarmed.shift() ?? startWorker(script);
            entry.worker.ref();
            entry.worker.on('message', (message) => this.onMessage(entry, message));
            // A worker that cannot start or dies leaves its ranges and files to the main thread.
            const wake = () => {
                this.job?.wake();
                this.offer?.wake();
            };
            entry.worker.on('error', wake);
            entry.worker.on('exit', wake);
            this.workers.push(entry);
        }
    }
    onMessage(from, message) {
        const offer = this.offer;
        if (offer && message.jobId === offer.jobId) {
            if (message.type === 'file')
                offer.record(message.index, message.scan);
            else if (message.type === 'done')
                offer.done.add(from.id);
            offer.wake();
            return;
        }
        const job = this.job;
        if (!job || message.jobId !== job.jobId)
            return;
        if (message.type === 'range') {
            const list = job.pending.get(from.id) ?? [];
            list.push(message.result);
            job.pending.set(from.id, list);
            job.onRange(message.result);
        }
        else if (message.type === 'done') {
            for (const result of job.pending.get(from.id) ?? [])
                job.results[result.index] = result;
            job.days.push(message.days);
            job.done.add(from.id);
        }
        else if (message.type === 'failed') {
            job.failure ??= reviveError(message.error);
        }
        job.wake();
    }
    /** Scans `file` (a regular file of `size` bytes) in ranges on the main thread and the workers. */
    async scanFile(file, size, options, onRange) {
        const ranges = Math.max(1, Math.ceil(size / options.rangeBytes));
        const rangeJob = {
            file,
            size,
            rangeBytes: options.rangeBytes,
            ranges,
            region: options.region,
            maxLineBytes: options.maxLineBytes,
        };
        const owner = new Int32Array(new SharedArrayBuffer(4 * ranges));
        let wake = () => { };
        const job = {
            jobId: this.nextJob++,
            owner,
            results: new Array(ranges).fill(undefined),
            pending: new Map(),
            days: [],
            done: new Set(),
            wake: () => wake(),
            onRange,
        };
        this.job = job;
        if (ranges > 1)
            this.start();
        const message = { jobId: job.jobId, job: rangeJob, owner: owner.buffer };
        for (const w of this.workers)
            if (!w.dead)
                w.worker.postMessage(message);
        const aggregates = new AggregateSet();
        const isolated = [];
        const fd = openSync(file, 'r');
        const onAbort = () => job.wake();
        options.signal?.addEventListener('abort', onAbort);
        try {
            const scanHere = (k) => {
                let target = aggregates;
                if (options.isolateRanges) {
                    target = new AggregateSet();
                    isolated.push(target);
                }
                const result = scanRange(fd, rangeJob, k, target);
                job.results[k] = result;
                onRange(result);
            };
            for (let k = claim(owner, MAIN_ID, 0); k !== -1; k = claim(owner, MAIN_ID, k + 1)) {
                options.signal?.throwIfAborted();
                if (job.failure)
                    throw job.failure;
                scanHere(k);
                // Lets worker messages and an abort in between ranges.
                await yieldToEventLoop();
            }
            // Wait for every worker that owns a range to send its aggregates, or to die.
            for (;;) {
                if (job.failure)
                    throw job.failure;
                options.signal?.throwIfAborted();
                const waiting = this.workers.some((w) => !w.dead && !job.done.has(w.id) && owner.includes(w.id));
                if (!waiting)
                    break;
                await new Promise((resolve) => (wake = resolve));
            }
            // Ranges of a worker that died are scanned again here (its aggregates died with it).
            for (let k = 0; k < ranges; k++) {
                const id = owner[k];
                if (id !== MAIN_ID && !job.done.has(id)) {
                    options.signal?.throwIfAborted();
                    scanHere(k);
                }
            }
        }
        catch (error) {
            // Stops the workers from claiming more.
            for (let k = 0; k < ranges; k++)
                Atomics.compareExchange(owner, k, 0, CANCELLED);
            throw error;
        }
        finally {
            options.signal?.removeEventListener('abort', onAbort);
            this.job = undefined;
            closeSync(fd);
        }
        for (const days of job.days)
            for (const day of days)
                aggregates.addDay(dayFromJSON(day));
        for (const set of isolated)
            for (const day of set.days.values())
                aggregates.addDay(day);
        const counts = emptyCounts();
        for (const result of job.results) {
            const r = result.counts;
            for (const sample of r.samples) {
                if (counts.samples.length < MAX_SAMPLES) {
                    counts.samples.push({ line: counts.lines + sample.line, reason: sample.reason });
                }
            }
            counts.lines += r.lines;
            counts.counted += r.counted;
            counts.records += r.records;
            counts.malformed += r.malformed;
            counts.otherRegions += r.otherRegions;
            counts.fallbacks += r.fallbacks;
            counts.integral &&= r.integral;
            // The first name in line order wins, as in one pass.
            for (const [arn, name] of result.names) {
                const identity = aggregates.services.get(arn);
                if (identity && identity.name === undefined)
                    identity.name = name;
            }
        }
        const threads = new Set(Array.from(owner, (id) => (job.done.has(id) ? id : MAIN_ID))).size;
        return { aggregates, counts, threads };
    }
    /** Whether this pool may start worker threads at all. */
    get hasWorkers() {
        return this.script !== undefined && this.workerCount > 0;
    }
    /**
     * Shares `files` out whole: the workers start claiming them now; the caller claims with
     * claimFile() and takes each file's outcome, in file order, with fileScan().
     */
    offerFiles(files, fileJob) {
        const offer = new FileOffer(this.nextJob++, files.length, this.workers);
        this.offer = offer;
        if (files.length > 1)
            this.start();
        const message = {
            jobId: offer.jobId,
            files,
            fileJob,
            owner: offer.owner.buffer,
        };
        for (const w of this.workers)
            if (!w.dead)
                w.worker.postMessage(message);
        return offer;
    }
    async close() {
        this.offer?.cancel();
        const workers = this.workers.splice(0);
        await Promise.all(workers.map((w) => w.worker.terminate()));
    }
}
/** The files of one offerFiles(): who claimed each, and what the workers sent back. */
class FileOffer {
    jobId;
    workers;
    owner;
    /** By file index: its scan, or undefined when the thread left the file to the reader. */
    results = new Map();
    /** Bytes of the files scanned so far (for progress). */
    bytesDone = 0;
    /** Workers that have claimed their last file and sent its result. */
    done = new Set();
    waiting;
    next = 0;
    constructor(jobId, files, workers) {
        this.jobId = jobId;
        this.workers = workers;
        this.owner = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, files)));
    }
    wake() {
        const waiting = this.waiting;
        this.waiting = undefined;
        waiting?.();
    }
    /** What a thread made of file k. */
    record(k, scan) {
        this.results.set(k, scan);
        this.bytesDone += scan?.bytes ?? 0;
    }
    /** The next file for the calling thread to scan, or -1. */
    claimFile() {
        const k = claim(this.owner, MAIN_ID, this.next);
        this.next = k + 1;
        return k;
    }
    /**
     * What became of file k, once known: its scan, undefined when the file is the reader's to read,
     * or 'here' if nobody scanned it (the calling thread now has it).
     */
    async fileScan(k) {
        for (;;) {
            if (this.results.has(k))
                return this.results.get(k);
            if (Atomics.compareExchange(this.owner, k, 0, MAIN_ID) === 0)
                return 'here';
            const id = this.owner[k];
            if (id === MAIN_ID)
                return 'here';
            const w = this.workers.find((worker) => worker.id === id);
            if (!w || w.dead || this.done.has(id))
                return undefined;
            await new Promise((resolve) => (this.waiting = resolve));
        }
    }
    /** Stops the workers from claiming more. */
    cancel() {
        for (let k = 0; k < this.owner.length; k++)
            Atomics.compareExchange(this.owner, k, 0, CANCELLED);
    }
}


/***/ }),

/***/ 995:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:module");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(581);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
