#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';
const require = __createRequire(import.meta.url);

// src/cli.ts
import module from "node:module";

// src/logs/parallel.ts
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker, parentPort, workerData } from "node:worker_threads";

// src/model/callers.ts
var MAX_INTERNED_KEYS = 1 << 16;

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
var GRPC_MAX_STATUS = 16;
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

// src/errors.ts
var UsageError = class extends Error {
  name = "UsageError";
};

// src/logs/fast-scan.ts
var MAX_LINE_BYTES = 64 << 20;
var CALLER_STRIDE = 1 << 16;
var wasm = globalThis.WebAssembly;
var BASE_BUFFER = 1 << 20;

// src/logs/sniff.ts
var GUNZIP_CHUNK_BYTES = 256 << 10;
var GUNZIP_AHEAD_BYTES = 4 << 20;
function isGzip(head) {
  return head[0] === 31 && head[1] === 139;
}
var PEEK_BYTES = 64 << 10;
var RECORD_KEYS = /* @__PURE__ */ new Set([
  ...ACCESS_LOG_FIELDS,
  RESOURCE_CONFIGURATION_FIELD,
  GRPC_STATUS_FIELD
]);

// src/logs/parallel.ts
var WORKER_SCRIPT = "./scan-worker.js";
var PARALLEL_MIN_BYTES = 64 << 20;
var RANGE_BYTES = 16 << 20;
var READ_BYTES = 1 << 20;
var TAIL_READ_BYTES = 16 << 10;
function threadsFromEnv() {
  const raw = process.env.LATTICE_COST_REPORT_THREADS;
  if (raw === void 0 || raw === "") return void 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(
      `LATTICE_COST_REPORT_THREADS must be a whole number of at least 1 (got ${JSON.stringify(raw)}); unset it to use every core.`
    );
  }
  return n;
}
var MAIN_ID = 1;
var registry = globalThis[/* @__PURE__ */ Symbol.for("lattice-cost-report/scan-workers")] ??= {
  prewarmed: [],
  nextId: MAIN_ID + 1
};
var WORKER_OLD_SPACE_MB = 64;
var WORKER_HEAP_ENV = "LATTICE_COST_REPORT_WORKER_HEAP_MB";
function workerHeapMb() {
  const raw = Number(process.env[WORKER_HEAP_ENV]);
  return Number.isInteger(raw) && raw > 0 ? raw : WORKER_OLD_SPACE_MB;
}
function startWorker(script) {
  const id = registry.nextId++;
  const resourceLimits = { maxOldGenerationSizeMb: workerHeapMb(), maxYoungGenerationSizeMb: 8 };
  const started = {
    id,
    worker: new Worker(script, { workerData: { id }, resourceLimits }),
    dead: false
  };
  const lost = () => {
    started.dead = true;
  };
  started.worker.on("error", lost);
  started.worker.on("exit", lost);
  return started;
}
function prewarmScanWorkers(script, files) {
  let threads;
  try {
    threads = threadsFromEnv() ?? availableParallelism();
  } catch {
    return;
  }
  if (threads < 2 || !files.some(isLargePlainFile)) return;
  for (let n = 1; n < threads; n++) {
    const started = startWorker(script);
    started.worker.unref();
    registry.prewarmed.push(started);
  }
}
function isLargePlainFile(file) {
  try {
    const info = statSync(file);
    if (!info.isFile() || info.size < PARALLEL_MIN_BYTES) return false;
    const fd = openSync(file, "r");
    try {
      const head = Buffer.alloc(2);
      readSync(fd, head, 0, 2, 0);
      return !isGzip(head);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

// src/cli.ts
module.enableCompileCache?.();
var argv = process.argv.slice(2);
if (argv[0] === "analyze") {
  const logs = argv.flatMap(
    (arg, i) => arg === "--logs" ? argv[i + 1] ?? [] : arg.startsWith("--logs=") ? arg.slice(7) : []
  );
  prewarmScanWorkers(new URL(WORKER_SCRIPT, import.meta.url), logs);
}
var bundle = "./cli-main.js";
var { main } = await import(
  /* webpackIgnore: true */
  bundle
);
process.exitCode = await main(argv);
