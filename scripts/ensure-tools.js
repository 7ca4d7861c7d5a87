#!/usr/bin/env node
// npm's `pretest`: makes sure the real tools the tests run are installed. As root it installs the missing
// ones from Debian; otherwise, or when that fails, it stops loudly. Tests never skip.
// `npm run bench:gateway` uses the same function for wrk, valgrind and strace (its smoke test runs them).
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');

/** command (or absolute file) → Debian package that provides it. */
const TOOLS = {
  nginx: 'nginx-light',
  promtool: 'prometheus',
  prometheus: 'prometheus',
  mtail: 'mtail',
  // nginx's njs module (js_body_filter, js_var): the gateway's token usage.
  '/usr/lib/nginx/modules/ngx_http_js_module.so': 'libnginx-mod-http-js',
  'docker-compose': 'docker-compose',
  openssl: 'openssl',
  unshare: 'util-linux',
  ip: 'iproute2',
  wrk: 'wrk',
  valgrind: 'valgrind',
  strace: 'strace',
  wget: 'wget',
  'prometheus-nginx-exporter': 'prometheus-nginx-exporter',
};

function has(command) {
  if (command.startsWith('/')) return fs.existsSync(command);
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Installs the Debian packages of the missing `commands` (as root), or throws with the install hint.
 * @param {string[]} commands keys of TOOLS
 * @param {string} who what needs them, for messages
 */
function ensureTools(commands = Object.keys(TOOLS), who = 'ensure-tools') {
  const missing = commands.filter((command) => !has(command));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((command) => TOOLS[command]))];
  const hint = `apt-get install -y ${packages.join(' ')}`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(
      `${who}: missing ${missing.join(', ')}; the tests run these real tools. Install them: sudo ${hint}`,
    );
  }
  console.error(`${who}: installing ${packages.join(' ')} (for ${missing.join(', ')})`);
  // Keep the packages' services (nginx, prometheus) from starting: the tests run their own instances.
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = fs.existsSync(policy);
  try {
    if (!hadPolicy) fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
      stdio: 'inherit',
      env,
    });
  } catch (err) {
    throw new Error(`${who}: could not install ${packages.join(' ')}: ${err.message}\nInstall them by hand: ${hint}`);
  } finally {
    if (!hadPolicy) fs.rmSync(policy, { force: true });
  }
  const still = missing.filter((command) => !has(command));
  if (still.length) {
    throw new Error(`${who}: still missing after install: ${still.join(', ')}. Install by hand: ${hint}`);
  }
}

module.exports = { ensureTools, TOOLS };

if (require.main === module) {
  try {
    ensureTools();
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
