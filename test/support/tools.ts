import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Debian package of every real tool the tests run: the installer's own table (npm's pretest). */
const { TOOLS: PACKAGES } = require('../../scripts/ensure-tools') as { TOOLS: Record<string, string> };

/** What a tool printed and how it exited. */
export interface ToolResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a real tool. A missing tool throws with its install hint: tests never skip.
 */
export function runTool(command: string, args: string[], options: SpawnSyncOptions = {}): ToolResult {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
    ...options,
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    const install = `apt-get install -y ${PACKAGES[command] ?? command}`;
    throw new Error(`${command} is not installed; the tests run the real tool. `
      + `Install it: ${install} (npm test's pretest does this as root)`);
  }
  if (result.error) throw result.error;
  return { status: result.status, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

/** Runs a tool and fails with its output unless it exits 0. */
export function runToolOk(command: string, args: string[], options: SpawnSyncOptions = {}): ToolResult {
  const result = runTool(command, args, options);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** A fresh temporary directory, removed after `fn` returns (or its promise settles). */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-platform-test-'));
  let async = false;
  try {
    const result = fn(dir);
    if (result instanceof Promise) {
      async = true;
      return result.finally(() => fs.rmSync(dir, { recursive: true, force: true })) as unknown as T;
    }
    return result;
  } finally {
    if (!async) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes files (relative path → content) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}
