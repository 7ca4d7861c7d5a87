#!/usr/bin/env node
// The main command: runs the compiled reference app (apps/main.ts). It compiles once with tsc when a
// source is newer than the last compile it did, so a synth pays for type-checking only after an edit.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'build', '.synth-stamp');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
const sources = Math.max(newestSource(path.join(root, 'lib')), newestSource(path.join(root, 'apps')),
  fs.statSync(path.join(root, 'tsconfig.json')).mtimeMs);
if (sources > built) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

try {
  require(path.join(root, 'build', 'apps', 'main.js'));
} catch (err) {
  console.error(`synth failed; the previous output directory is untouched.\n${err && err.message ? err.message : err}`);
  process.exit(1);
}
