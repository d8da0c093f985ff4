/**
 * Jest on native ESM: ts-jest compiles TypeScript, Node runs the modules as ESM. Three projects:
 * - unit: in-process and pure, no server and no child process (`npm run test:unit`);
 * - integration: our test servers and the emulators they stand in front of (moto), in-process;
 * - e2e: the bundles in dist/, built first, run as separate Node 24 processes.
 */
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  resolver: 'ts-jest-resolver',
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }],
  },
};

export default {
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.mjs',
    },
  ],
};
