// Jest runs every test: the pure core, the handlers against the simulated organization, the ASL
// run locally, the CDK app. Type checking is a test of its own (test/typecheck.test.ts), so
// ts-jest only transpiles here.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['<rootDir>/local/node-compat.ts'],
  testTimeout: 120000,
  maxWorkers: 2,
};
