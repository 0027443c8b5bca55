/**
 * Two tiers. `unit` (unit, golden, property and conformance tests) needs nothing but Node.
 * `integration` talks to the real OpenSearch and moto servers that `scripts/services.sh` starts
 * (global setup fails with a clear message when they are not reachable).
 */
const tsJest = ['ts-jest', { diagnostics: false }];
const common = { testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest }, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  // Jest reads testTimeout only at the top level (a project's own value is ignored); integration tests
  // wait on real servers, unit tests never come near it.
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/{unit,golden}/**/*.test.ts'],
      // fast-check: a fixed seed and bounded runs (`npm run fuzz` for a random seed and more runs).
      setupFiles: ['<rootDir>/test/helpers/fast-check-setup.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
    },
  ],
};
