import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

export const REPO = path.resolve(__dirname, '..', '..');

/**
 * Runs the main command's program (scripts/synth.js, what `npm run synth` runs) with its output
 * directory redirected to `outdir`, and returns every Kubernetes object it wrote.
 */
export function synthReference(outdir: string): any[] {
  execFileSync(process.execPath, [path.join(REPO, 'scripts', 'synth.js')], {
    cwd: REPO, env: { ...process.env, CDK8S_OUTDIR: outdir }, stdio: 'pipe',
  });
  return readManifests(outdir);
}

/** Every object of every `*.k8s.yaml` in a directory, in file order. */
export function readManifests(dir: string): any[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml')).sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()))
    .filter((o) => o);
}
