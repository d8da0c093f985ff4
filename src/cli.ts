#!/usr/bin/env node
import { isScanWorker, prewarmScanWorkers, serveScanWorker } from './logs/parallel.js';

// This bundle is also the script of its own scan worker threads (logs/parallel.ts). A worker needs
// only the scanner, so the rest is imported on demand ("eager": kept in this one file by the bundler).
if (isScanWorker()) {
  serveScanWorker();
} else {
  const argv = process.argv.slice(2);
  if (argv[0] === 'analyze') {
    // Workers for a large file start loading now, alongside the rest of the CLI.
    const logs = argv.flatMap((arg, i) =>
      arg === '--logs' ? (argv[i + 1] ?? []) : arg.startsWith('--logs=') ? arg.slice(7) : [],
    );
    prewarmScanWorkers(new URL(import.meta.url), logs);
  }
  const { main } = await import(/* webpackMode: "eager" */ './cli/main.js');
  process.exitCode = await main(argv);
}
