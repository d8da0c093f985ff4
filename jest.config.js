/**
 * Jest on native ESM: ts-jest compiles TypeScript, Node runs the modules as ESM. Three projects:
 * - unit: in-process and pure, no server and no child process (`npm run test:unit`);
 * - integration: our test servers and the emulators they stand in front of (moto), in-process;
 * - e2e: the bundles in dist/, built first, run as separate Node 24 processes.
 * The globalSetup of integration and e2e finds moto's server or installs it into .tmp/moto-venv;
 * e2e's also installs Node 24, runs `npm run build` and makes the demo the AWS worlds load.
 */
import { availableParallelism } from 'node:os';

// Tests run in a VM context, where every lookup of a global such as `Array` goes through the
// context's interceptors: the AWS SDK's response parsing ran ~3x slower than in plain Node. Jest
// passes these into each CommonJS module (node_modules) as parameters instead. Only built-ins no
// module redeclares (undici declares its own `Buffer`, a SyntaxError then) and no test fakes.
const INJECTED_GLOBALS = [
  ...['Array', 'Boolean', 'Date', 'Error', 'JSON', 'Map', 'Math', 'Number', 'Object', 'Promise'],
  ...['Reflect', 'RegExp', 'Set', 'String', 'Symbol', 'Uint8Array'],
];

const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  resolver: 'ts-jest-resolver',
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }],
  },
};
const withProcesses = {
  ...common,
  sandboxInjectedGlobals: INJECTED_GLOBALS,
  setupFilesAfterEnv: ['<rootDir>/test/helpers/jest-after-env.ts'],
};

export default {
  testTimeout: 60000,
  // Jest's default is one worker per core minus one: a single worker, everything in a row, on 2
  // cores. Files wait on child processes, servers and clients' retry delays much of the time (the
  // cache client's 5 s retries alone idle a worker for ~40 s), so run three at least: on 2 cores
  // that took `npm test` from 4 min 43 s to 4 min 8 s with the same CPU time.
  maxWorkers: Math.max(3, availableParallelism()),
  // The default reporter prints a file's results when the file ends; e2e files take a minute.
  reporters: ['default', '<rootDir>/test/helpers/progress-reporter.mjs'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...withProcesses,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/global-setup-moto.mjs',
    },
    {
      ...withProcesses,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.mjs',
      globalTeardown: '<rootDir>/test/global-teardown.mjs',
    },
  ],
};
