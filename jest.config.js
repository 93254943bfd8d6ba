/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 180000,
  // Two cores: Temporal servers and workers are heavy, so run two files at once at most.
  maxWorkers: 2,
};
