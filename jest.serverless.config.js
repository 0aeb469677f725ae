const base = require('./jest.config');

/**
 * The serverless suites (npm run test:serverless): `serverless package` and the parity scenarios
 * under `serverless offline`. One at a time: both run the framework in this project directory,
 * which shares its build folders.
 * @type {import('jest').Config}
 */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/serverless'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 120_000,
  maxWorkers: 1,
};
