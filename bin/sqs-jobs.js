#!/usr/bin/env node
'use strict';
// Runs the compiled CLI when built (npm run build), otherwise the TypeScript sources through tsx.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const compiled = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
let cli;
if (existsSync(compiled)) {
  cli = require(compiled);
} else {
  require('tsx/cjs/api').register();
  cli = require('../src/cli/main.ts');
}
cli.replaceSdkNodeWarning();
cli.main(process.argv).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  () => process.exit(1),
);
