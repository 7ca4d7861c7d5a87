import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps, Yaml, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Artifact, isArtifactSource } from '../core/artifact';
import { withFastYaml, writeDocuments } from './_fast-yaml';
import { writeManifests } from './_manifest-writer';

/**
 * A cdk8s App that also writes the platform's non-Kubernetes artifacts, and writes the whole output
 * directory atomically: everything is rendered into a staging directory beside `outdir`, which replaces
 * `outdir` only when all of it succeeded. A failed synth leaves the previous output untouched.
 *
 * Note that `cdk8s synth` (the CLI) empties its output directory before it runs the app; the atomic
 * guarantee holds for `npm run synth` and for programs that call `app.synth()`.
 */
export class PlatformApp extends App {
  constructor(props: AppProps = {}) {
    super(props);
  }

  /** Every artifact of every {@link IArtifactSource} in the app, sorted by path; fails on duplicates. */
  public artifacts(): Artifact[] {
    return collectArtifacts(this);
  }

  /** Synthesizes manifests and artifacts into a staging directory, then swaps it in for `outdir`. */
  public synth(): void {
    const target = path.resolve(this.outdir);
    const parent = path.dirname(target);
    fs.mkdirSync(parent, { recursive: true });
    const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.staging-`));
    fs.chmodSync(staging, 0o755);
    // cdk8s keeps both private: outdir is read-only, recordConstructMetadata hidden (false unless asked for).
    const self = this as unknown as { outdir: string; recordConstructMetadata: boolean };
    const outdir = self.outdir;
    try {
      self.outdir = staging;
      // cdk8s' YAML serialisation on a byte-identical fast path (_fast-yaml.ts); for the default output, a file
      // per chart, the manifests are written one object at a time (_manifest-writer.ts), else by cdk8s' own synth.
      withFastYaml(() => {
        if (this.yamlOutputType === YamlOutputType.FILE_PER_CHART && !self.recordConstructMetadata) {
          writeManifests(this, staging, (file, docs) => writeDocuments(file, docs, (doc) => Yaml.stringify(doc)));
        } else {
          super.synth();
        }
      });
      writeArtifacts(staging, this.artifacts());
    } catch (err) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw err;
    } finally {
      self.outdir = outdir;
    }
    swapDirectory(staging, target);
  }
}

/** Replaces `target` by `staging` with two renames, so a reader never sees a half-written directory. */
function swapDirectory(staging: string, target: string): void {
  const old = `${staging}.old`;
  const hadTarget = fs.existsSync(target);
  if (hadTarget) fs.renameSync(target, old);
  try {
    fs.renameSync(staging, target);
  } catch (err) {
    if (hadTarget) fs.renameSync(old, target);
    throw err;
  }
  if (hadTarget) fs.rmSync(old, { recursive: true, force: true });
}

/** Every artifact of every {@link IArtifactSource} under `root`, sorted by path; fails on duplicates. */
export function collectArtifacts(root: IConstruct): Artifact[] {
  const byPath = new Map<string, Artifact>();
  for (const source of root.node.findAll().filter(isArtifactSource)) {
    for (const artifact of source.renderArtifacts()) {
      const normalized = path.posix.normalize(artifact.path);
      if (path.posix.isAbsolute(normalized) || normalized.startsWith('..') || normalized !== artifact.path) {
        throw new Error(
          `PlatformApp: artifact path ("${artifact.path}") of '${source.node.path}'` +
            ' must be a normalized path inside the output directory',
        );
      }
      if (byPath.has(artifact.path)) {
        throw new Error(
          `PlatformApp: artifact path ("${artifact.path}") is written twice; the second by '${source.node.path}'`,
        );
      }
      byPath.set(artifact.path, artifact);
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Writes `artifacts` under `dir`. */
function writeArtifacts(dir: string, artifacts: readonly Artifact[]): void {
  for (const artifact of artifacts) {
    const file = path.join(dir, ...artifact.path.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, artifact.content);
  }
}

const HOOKED = Symbol.for('cdk8s-ai-agent-platform.writesArtifacts');

/**
 * A plain cdk8s `App` writes only the manifests: makes its `synth()` also write the platform's artifacts
 * (nginx.conf, the Compose stack ...) into its outdir afterwards, so that they are never dropped silently.
 * Unlike {@link PlatformApp} it does not replace the output directory atomically. Once per app; a PlatformApp
 * is left alone.
 */
export function writeArtifactsOnSynth(root: IConstruct): void {
  const app = root as Partial<App> & { [HOOKED]?: boolean };
  // Duck-typed: the user's cdk8s may be another copy than ours.
  if (typeof app.synth !== 'function' || typeof app.outdir !== 'string' || root instanceof PlatformApp) return;
  if (app[HOOKED]) return;
  app[HOOKED] = true;
  const synth = app.synth.bind(app);
  (app as App).synth = () => {
    synth();
    writeArtifacts(app.outdir!, collectArtifacts(root));
  };
}
