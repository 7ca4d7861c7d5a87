import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { AiAgentPlatform, PlatformApp } from '../../lib';
import { withTempDir } from '../support/tools';

/** A hash of every file (path and content) under a directory. */
function hashTree(dir: string): string {
  const hash = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const full = path.join(d, name);
      if (fs.statSync(full).isDirectory()) walk(full);
      else hash.update(path.relative(dir, full)).update('\0').update(fs.readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

function build(outdir: string, options: { fail?: boolean; content?: string } = {}) {
  const app = new PlatformApp({ outdir });
  const platform = new AiAgentPlatform(app, 'ai-platform');
  platform.addArtifacts(() => [{ path: 'nginx/nginx.conf', content: options.content ?? 'events {}\n' }]);
  if (options.fail) {
    const chart = new Chart(app, 'broken');
    new ApiObject(chart, 'x', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    chart.node.addValidation({ validate: () => ['a cross-construct check failed'] });
  }
  return app;
}

describe('PlatformApp', () => {
  test('writes the manifests and the artifacts', () => withTempDir((tmp) => {
    const outdir = path.join(tmp, 'dist');
    build(outdir).synth();
    expect(fs.readdirSync(outdir).sort()).toEqual(['ai-platform.k8s.yaml', 'architecture.md', 'nginx']);
    expect(fs.readFileSync(path.join(outdir, 'nginx', 'nginx.conf'), 'utf8')).toBe('events {}\n');
    expect(fs.readdirSync(tmp)).toEqual(['dist']); // no staging directory left behind
  }));

  test('a failed synth leaves the previous output exactly as it was', () => withTempDir((tmp) => {
    const outdir = path.join(tmp, 'dist');
    build(outdir).synth();
    const before = hashTree(outdir);
    expect(() => build(outdir, { fail: true, content: 'changed' }).synth()).toThrow(/a cross-construct check failed/);
    expect(hashTree(outdir)).toBe(before);
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  }));

  test('a failing artifact leaves the previous output exactly as it was', () => withTempDir((tmp) => {
    const outdir = path.join(tmp, 'dist');
    build(outdir).synth();
    const before = hashTree(outdir);
    const app = build(outdir, { content: 'changed' });
    (app.node.findChild('ai-platform') as AiAgentPlatform).addArtifacts(() => { throw new Error('renderer broke'); });
    expect(() => app.synth()).toThrow(/renderer broke/);
    expect(hashTree(outdir)).toBe(before);
  }));

  test('a successful synth replaces stale files', () => withTempDir((tmp) => {
    const outdir = path.join(tmp, 'dist');
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'stale.k8s.yaml'), 'old');
    build(outdir).synth();
    expect(fs.existsSync(path.join(outdir, 'stale.k8s.yaml'))).toBe(false);
  }));

  test('fails when two sources write the same path, or a path escapes the output', () => withTempDir((tmp) => {
    const app = build(path.join(tmp, 'dist'));
    const platform = app.node.findChild('ai-platform') as AiAgentPlatform;
    platform.addArtifacts(() => [{ path: 'nginx/nginx.conf', content: 'twice' }]);
    expect(() => app.artifacts()).toThrow(/artifact path \("nginx\/nginx.conf"\) is written twice/);
    const escaping = build(path.join(tmp, 'dist2'));
    (escaping.node.findChild('ai-platform') as AiAgentPlatform).addArtifacts(() => [{ path: '../evil', content: '' }]);
    expect(() => escaping.artifacts()).toThrow(
      /artifact path \("..\/evil"\) .* must be a normalized path inside the output directory/,
    );
  }));

  test('finds artifact sources anywhere in the tree', () => withTempDir((tmp) => {
    const app = new PlatformApp({ outdir: path.join(tmp, 'dist') });
    const holder = new Construct(app, 'holder');
    new AiAgentPlatform(holder as unknown as Chart, 'nested').addArtifacts(() => [{ path: 'a.txt', content: 'a' }]);
    expect(app.artifacts().map((a) => a.path)).toEqual(['a.txt', 'architecture.md']);
  }));
});

describe('a plain cdk8s App', () => {
  test('does not drop the artifacts: app.synth() writes them beside the manifests (not atomically)', () =>
    withTempDir((tmp) => {
      const outdir = path.join(tmp, 'out');
      const app = new App({ outdir });
      const platform = new AiAgentPlatform(app, 'ai-platform');
      platform.addArtifacts(() => [{ path: 'nginx/nginx.conf', content: 'events {}\n' }]);
      app.synth();
      expect(fs.readdirSync(outdir).sort()).toEqual(['ai-platform.k8s.yaml', 'architecture.md', 'nginx']);
      expect(fs.readFileSync(path.join(outdir, 'nginx', 'nginx.conf'), 'utf8')).toBe('events {}\n');
    }));

  test('Testing.synth of a chart writes nothing', () => withTempDir((tmp) => {
    const outdir = path.join(tmp, 'out');
    const app = new App({ outdir });
    Testing.synth(new AiAgentPlatform(app, 'ai-platform'));
    expect(fs.existsSync(outdir)).toBe(false);
  }));
});
