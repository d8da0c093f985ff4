#!/usr/bin/env node
/**
 * The command line's launcher (dist/cli.js). It is small on purpose: it turns on Node's compile
 * cache before the CLI's bundle (dist/cli-main.js, 2 MB) is loaded, so that later runs skip most
 * of parsing it, and it starts the scan workers for a large file before that load, so they are
 * ready when the first ranges are.
 */
import module from 'node:module';
import { WORKER_SCRIPT, prewarmScanWorkers } from './logs/parallel.js';

// Node >= 22.1 (so not in @types/node 20); Node skips it when NODE_DISABLE_COMPILE_CACHE is set.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const argv = process.argv.slice(2);
if (argv[0] === 'analyze') {
  const logs = argv.flatMap((arg, i) =>
    arg === '--logs' ? (argv[i + 1] ?? []) : arg.startsWith('--logs=') ? arg.slice(7) : [],
  );
  prewarmScanWorkers(new URL(WORKER_SCRIPT, import.meta.url), logs);
}
// Left to Node, not the bundler: the point is to load that file through the cache.
const bundle = './cli-main.js';
const { main } = (await import(/* webpackIgnore: true */ bundle)) as {
  main: (argv: string[]) => Promise<number>;
};
process.exitCode = await main(argv);
