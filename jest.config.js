/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // kysely ships ESM only and PGlite's CommonJS build loads Node modules with import(): Jest's
  // module sandbox runs neither, so both are compiled to CommonJS like the sources.
  transform: { '^.+\\.c?[tj]s$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!(kysely|@electric-sql/pglite)/)'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 180000,
  // Two cores: Temporal servers and workers are heavy, so run two files at once at most.
  maxWorkers: 2,
};
