'use strict';
/**
 * serverless.yml's functions, resources and IAM statements, derived from the job definitions in
 * handlers/ (or HANDLERS_DIR): the single source of truth for the deployment. Loaded by the
 * framework through ${file(./serverless/derive.js):...}; the job modules are TypeScript, so tsx
 * compiles them on the fly here (the deployed bundles are built by serverless-esbuild).
 */
require('tsx/cjs');
const path = require('node:path');
const { loadRegistry } = require('../src/jobs/registry');
const { serverlessFunctions, serverlessIamStatements, serverlessResources } = require('../src/lambda/serverless-config');
const { writeLambdaEntries } = require('../src/lambda/lambda-entries');

const projectDir = path.join(__dirname, '..');
const handlersDir = path.resolve(projectDir, process.env.HANDLERS_DIR || 'handlers');
let jobs;
const loadJobs = () => (jobs ??= loadRegistry(handlersDir).jobs);

module.exports = {
  functions: () => {
    writeLambdaEntries({ projectDir, handlersDir, jobs: loadJobs() });
    return serverlessFunctions(loadJobs());
  },
  resources: async ({ resolveVariable }) =>
    serverlessResources(loadJobs(), {
      queuePrefix: await resolveVariable('self:custom.queuePrefix'),
      tableName: await resolveVariable('self:custom.jobTable'),
    }),
  iamStatements: () => serverlessIamStatements(loadJobs()),
};
