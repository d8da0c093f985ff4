// Entry of the scan worker threads (dist/scan-worker.js): see parallel.ts.
import module from 'node:module';
import { serveScanWorker } from './parallel.js';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
serveScanWorker();
