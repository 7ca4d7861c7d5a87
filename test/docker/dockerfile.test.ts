import { execFile } from 'child_process';
import * as http from 'http';
import { AddressInfo } from 'net';
import { Duration } from 'cdk8s';
import { agentDockerfile, isPinnedImage, renderDockerfile } from '../../lib';

/** One instruction of a rendered Dockerfile: keyword, flags and the rest, continuation lines joined. */
interface Instruction { readonly keyword: string; readonly args: string }

/** Splits a Dockerfile into stages of instructions, the way the Dockerfile frontend reads lines. */
function parse(text: string): Array<{ from: string; name?: string; instructions: Instruction[] }> {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  const stages: Array<{ from: string; name?: string; instructions: Instruction[] }> = [];
  for (const line of logical) {
    const m = /^([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`not an instruction: ${line}`);
    const [, keyword, args] = m;
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/.exec(args.trim());
      if (!from) throw new Error(`bad FROM: ${args}`);
      stages.push({ from: from[1], name: from[2], instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`${keyword} before FROM`);
      stages[stages.length - 1].instructions.push({ keyword, args: args.replace(/\s+/g, ' ').trim() });
    }
  }
  return stages;
}

const options = { port: 8080, healthPath: '/health', startPeriod: Duration.minutes(10), uid: 10001, gid: 10001 };

/** Runs an exec-form command and resolves with its exit code. */
function run(argv: string[]): Promise<number> {
  return new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { timeout: 20_000 }, (error) =>
      resolve(error ? (typeof error.code === 'number' ? error.code : 1) : 0),
    );
  });
}

/** Serves `status` on every path of a loopback port until `fn` settles. */
async function withServer<T>(status: number, fn: (port: number) => Promise<T>): Promise<T> {
  const server = http.createServer((_req, res) => { res.statusCode = status; res.end('x'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await fn((server.address() as AddressInfo).port);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

function healthcheckArgv(dockerfile: string): string[] {
  const runtime = parse(dockerfile).at(-1)!;
  const check = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK')!;
  return JSON.parse(check.args.slice(check.args.indexOf('CMD ') + 4));
}

describe('agentDockerfile', () => {
  const text = renderDockerfile(agentDockerfile(options));
  const stages = parse(text);

  test('renders a two-stage Dockerfile', () => {
    expect(text).toMatchSnapshot();
    expect(text.startsWith('# syntax=docker/dockerfile:1\n')).toBe(true);
    expect(stages.map((s) => s.name)).toEqual(['builder', 'runtime']);
  });

  test('both stages use the same pinned CUDA runtime base', () => {
    expect(stages.map((s) => s.from)).toEqual([
      'nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04',
      'nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04',
    ]);
    expect(stages.every((s) => isPinnedImage(s.from))).toBe(true);
    const custom = parse(
      renderDockerfile(agentDockerfile({ ...options, baseImage: 'nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04' })),
    );
    expect(custom.map((s) => s.from)).toEqual([
      'nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04',
      'nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04',
    ]);
  });

  test('the image gets only the virtualenv and the code from the build, and runs as the numeric non-root user', () => {
    const runtime = stages[1].instructions;
    expect(runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args)).toEqual([
      '--from=builder /opt/venv /opt/venv',
      'src/ ./src/',
    ]);
    const user = runtime.findIndex((i) => i.keyword === 'USER');
    expect(runtime[user].args).toBe('10001:10001');
    expect(runtime.slice(user + 1).map((i) => i.keyword)).toEqual(['EXPOSE', 'HEALTHCHECK', 'CMD']);
    expect(runtime.find((i) => i.keyword === 'RUN')!.args).toContain('useradd --system --uid 10001 --gid 10001');
    expect(runtime.find((i) => i.keyword === 'RUN')!.args).not.toContain('build-essential');
  });

  test('puts no secret in a layer: a private index is a BuildKit secret mount of the builder only', () => {
    const runs = stages.flatMap((s, stage) =>
      s.instructions.filter((i) => i.keyword === 'RUN').map((i) => ({ stage, args: i.args })),
    );
    const withSecret = runs.filter((r) => r.args.includes('--mount=type=secret'));
    expect(withSecret).toEqual([
      { stage: 0, args: expect.stringContaining('--mount=type=secret,id=pip.conf,target=/etc/pip.conf') },
    ]);
    const declared = stages.flatMap((s) =>
      s.instructions.filter((i) => i.keyword === 'ARG' || i.keyword === 'ENV').map((i) => i.args),
    );
    expect(declared.join(' ')).not.toMatch(/TOKEN|PASSWORD|SECRET|_KEY|INDEX_URL/i);
    expect(text).not.toMatch(/pypi\.tuna|-i https?:/);
  });

  test('sets no CUDA_VISIBLE_DEVICES: the runtime chooses the GPUs', () => {
    expect(text).not.toContain('CUDA_VISIBLE_DEVICES');
  });

  test('the HEALTHCHECK needs no curl and takes its start period from the model load budget', () => {
    const check = stages[1].instructions.find((i) => i.keyword === 'HEALTHCHECK')!;
    expect(check.args).toMatch(/^--interval=30s --timeout=5s --start-period=10m --retries=3 CMD \[/);
    expect(healthcheckArgv(text)[0]).toBe('python3');
    expect(text).not.toMatch(/\bcurl\b|\bwget\b/);
  });

  test('the HEALTHCHECK command passes on 200 and fails on 503 and on a closed port', async () => {
    await withServer(200, async (port) => {
      const argv = healthcheckArgv(renderDockerfile(agentDockerfile({ ...options, port })));
      expect(argv.at(-1)).toContain(`http://127.0.0.1:${port}/health`);
      expect(await run(argv)).toBe(0);
    });
    await withServer(503, async (port) => {
      expect(await run(healthcheckArgv(renderDockerfile(agentDockerfile({ ...options, port }))))).not.toBe(0);
    });
    const closed = await withServer(200, async (port) => port);
    expect(await run(healthcheckArgv(renderDockerfile(agentDockerfile({ ...options, port: closed }))))).not.toBe(0);
  });

  test('CMD is exec form, so the server gets SIGTERM directly', () => {
    const cmd = stages[1].instructions.at(-1)!;
    expect(cmd.keyword).toBe('CMD');
    expect(JSON.parse(cmd.args)).toEqual([
      'python3',
      '-m',
      'uvicorn',
      'src.main:app',
      '--host',
      '0.0.0.0',
      '--port',
      '8080',
    ]);
  });
});

describe('renderDockerfile', () => {
  test('quotes ENV values that need it and joins RUN commands with continuations', () => {
    const text = renderDockerfile({
      stages: [{
        from: 'debian:12.6-slim',
        instructions: [
          { kind: 'ENV', vars: [['A', 'plain'], ['B', 'two words'], ['C', '']] },
          { kind: 'RUN', commands: ['true', 'echo ok'] },
        ],
      }],
    });
    expect(text).toBe(
      'FROM debian:12.6-slim\nENV A=plain \\\n    B="two words" \\\n    C=""\nRUN true \\\n && echo ok\n',
    );
  });

  test('fails when there is no stage', () => {
    expect(() => renderDockerfile({ stages: [] })).toThrow('renderDockerfile: a Dockerfile needs at least one stage');
  });
});
