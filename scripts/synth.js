#!/usr/bin/env node
// The main command (`npm run synth`, and `cdk8s synth` through cdk8s.yaml): runs the compiled reference
// app, apps/main.ts. It compiles with tsc only when a source changed since the last build (npm ci builds
// through `prepare`), so a synth does not pay for type-checking.
'use strict';
const path = require('path');
const { build, isStale } = require('./build');

if (isStale()) build();
try {
  require(path.join(__dirname, '..', 'build', 'apps', 'main.js'));
} catch (err) {
  console.error(`synth failed; the previous output directory is untouched.\n${err && err.message ? err.message : err}`);
  process.exit(1);
}
