const base = require('./jest.config');

/**
 * The fault suite (npm run test:faults): crash, restart, poison, soak and hostile-input scenarios,
 * each a process tree of its own. They run one at a time so one scenario's load cannot starve
 * another's processes on a small machine.
 * @type {import('jest').Config}
 */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/faults'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 180_000,
  maxWorkers: 1,
};
