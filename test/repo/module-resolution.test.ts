import * as fs from 'fs';
import * as path from 'path';
import { REPO } from '../support/reference';
import { runTool, withTempDir } from '../support/tools';

/**
 * `cdk8s-ai-agent-platform/pulumi` resolves, with its types, under every module resolution a consumer's
 * tsconfig may use: `node` (node10, which ignores `exports` and needs `typesVersions`; apps/pulumi uses it),
 * `node16`/`nodenext` and `bundler` (which read `exports`). The package is linked as a consumer installs it.
 */
const PROGRAM = [
  "import { AiAgentPlatform } from 'cdk8s-ai-agent-platform';",
  "import { AiAgentPlatformDeployment } from 'cdk8s-ai-agent-platform/pulumi';",
  'export type Both = [AiAgentPlatform, AiAgentPlatformDeployment];',
  '',
].join('\n');

function typeCheck(resolution: string, module: string): { status: number | null; output: string } {
  return withTempDir((dir) => {
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(REPO, path.join(dir, 'node_modules', 'cdk8s-ai-agent-platform'));
    fs.writeFileSync(path.join(dir, 'main.ts'), PROGRAM);
    const result = runTool(process.execPath, [
      require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck', '--types', 'node',
      '--typeRoots', path.join(REPO, 'node_modules', '@types'),
      '--module', module, '--moduleResolution', resolution, 'main.ts',
    ], { cwd: dir });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  });
}

describe('the ./pulumi entry point under every module resolution', () => {
  test.each([
    ['node', 'commonjs'],
    ['node16', 'node16'],
    ['nodenext', 'nodenext'],
    ['bundler', 'esnext'],
  ])('moduleResolution %s', (resolution, module) => {
    expect(fs.existsSync(path.join(REPO, 'build', 'lib', 'pulumi', 'index.d.ts'))).toBe(true);
    const { status, output } = typeCheck(resolution, module);
    expect(output).toBe('');
    expect(status).toBe(0);
  });
});
