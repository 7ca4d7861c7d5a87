import * as path from 'path';
import { Duration, Size } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { ComposeFile, ComposeVariable, renderComposeFile } from '../../lib';
import { composeConfig, expectComposeConfigOk, expectValidComposeSpec } from '../support/compose';
import { runToolOk, withTempDir, writeFiles } from '../support/tools';

/** A small stack that exercises every field of the model. */
function sample(): ComposeFile {
  return {
    services: {
      web: {
        image: 'nginxinc/nginx-unprivileged:1.27.4-alpine',
        ports: [
          { published: 80, target: 8080 },
          { published: 53, target: 53 },
          { hostIp: '127.0.0.1', published: 22, target: 22 },
        ],
        mounts: [{ type: 'bind', source: './conf/web.conf', target: '/etc/nginx/nginx.conf', readOnly: true }],
        tmpfs: ['/tmp'],
        networks: { backend: {} },
        dependsOn: { app: 'service_healthy' },
        healthcheck: {
          command: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/health'],
          interval: Duration.seconds(10),
          timeout: Duration.seconds(3),
          retries: 3,
        },
        restart: 'unless-stopped',
        readOnly: true,
        capDrop: ['ALL'],
        securityOpt: ['no-new-privileges:true'],
        logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '5' } },
      },
      app: {
        image: 'registry.example.com/app:v1',
        build: { context: './app', dockerfile: 'Dockerfile' },
        command: ['serve', '--flag=on'],
        user: '10001:10001',
        environment: [
          { name: 'ENABLED', value: 'yes' },
          { name: 'MODE', value: 'on' },
          { name: 'UMASK', value: '0755' },
          { name: 'CLOCK', value: '12:30' },
          { name: 'PRICE', value: 'costs $5' },
          { name: 'API_KEY', value: ComposeVariable.required('API_KEY', 'set API_KEY in .env') },
        ],
        mounts: [{ type: 'volume', source: 'models', target: '/models', readOnly: true }],
        networks: { backend: { aliases: ['app-service'] } },
        healthcheck: {
          command: ['python3', '-c', 'print(1)'],
          interval: Duration.seconds(10),
          timeout: Duration.seconds(5),
          retries: 3,
          startPeriod: Duration.minutes(10),
        },
        replicas: 2,
        resources: {
          limits: { cpus: 4, memory: Size.gibibytes(8) },
          reservations: {
            cpus: 0.5,
            memory: Size.mebibytes(512),
            devices: [{ driver: 'nvidia', count: 1, capabilities: ['gpu'] }],
          },
        },
        stopGracePeriod: Duration.seconds(310),
        shmSize: Size.gibibytes(1),
      },
    },
    networks: { backend: { name: 'backend' } },
    volumes: { models: { name: 'sample-models' } },
  };
}

describe('renderComposeFile', () => {
  test('renders the current Compose Specification, valid for the schema and for docker-compose 1.29', () => {
    const yaml = renderComposeFile(sample());
    expect(yaml).toMatchSnapshot();
    expect(yaml).not.toMatch(/^version:/m);
    expect(yaml).not.toMatch(/^name:/m);
    expectValidComposeSpec(yaml);
    withTempDir((dir) => {
      writeFiles(dir, { 'docker-compose.yml': yaml, 'conf/web.conf': '', 'app/Dockerfile': 'FROM scratch\n' });
      expectComposeConfigOk(path.join(dir, 'docker-compose.yml'), { API_KEY: 'test-only' });
    });
  });

  test('quotes what a YAML 1.1 reader would turn into booleans, numbers or sexagesimals', () => {
    const yaml = renderComposeFile(sample());
    expect(yaml).toContain('ENABLED: "yes"');
    expect(yaml).toContain('MODE: "on"');
    expect(yaml).toContain('UMASK: "0755"');
    expect(yaml).toContain('CLOCK: "12:30"');
    expect(yaml).toContain('- "80:8080"');
    expect(yaml).toContain('- "53:53"'); // a sexagesimal integer (3233) to a YAML 1.1 reader when unquoted
    expect(yaml).toContain('- "127.0.0.1:22:22"');
    expect(yaml).toContain('user: "10001:10001"');
    // Read back as YAML 1.1, every one of them is still the string we meant.
    const doc = YAML.parse(yaml, { version: '1.1' });
    expect(doc.services.app.environment).toMatchObject({ ENABLED: 'yes', MODE: 'on', UMASK: '0755', CLOCK: '12:30' });
    expect(doc.services.web.ports).toEqual(['80:8080', '53:53', '127.0.0.1:22:22']);
  });

  test('PyYAML (docker-compose 1.29\'s YAML 1.1 reader) reads back every string as written', () => {
    // Strings that look like YAML 1.1 booleans, numbers, sexagesimals, nulls, ports or ids, and random ones.
    const tricky = fc.oneof(
      fc.constantFrom(
        'yes',
        'No',
        'ON',
        'off',
        'y',
        'n',
        '~',
        'null',
        '.inf',
        '.NaN',
        '0x1F',
        '0o17',
        '017',
        '1_000',
        '1e3',
        '12:30:45',
        '190:20:30',
        '-0',
        '+1',
      ),
      fc.tuple(fc.nat(65535), fc.nat(65535)).map(([a, b]) => `${a}:${b}`),
      fc.tuple(fc.nat(255), fc.nat(65535), fc.nat(65535)).map(([a, b, c]) => `127.0.0.${a}:${b}:${c}`),
      fc.string({
        unit: fc.constantFrom(
          '0',
          '1',
          '5',
          '9',
          ':',
          '.',
          '-',
          '_',
          'e',
          'x',
          'o',
          'y',
          'n',
          ' ',
          '#',
          "'",
          '"',
          '{',
          '[',
          '&',
          '*',
          '!',
          '|',
          '>',
          '%',
          '@',
          '`',
        ),
      }),
      fc.string(),
    );
    const values = fc.sample(fc.array(tricky, { minLength: 400, maxLength: 400 }), { numRuns: 1, seed: 42 })[0];
    const yaml = renderComposeFile({
      services: {
        s: { image: 'a:1', command: values, environment: values.map((value, i) => ({ name: `V${i}`, value })) },
      },
    });
    withTempDir((dir) => {
      writeFiles(dir, { 'c.yml': yaml });
      const script =
        'import json, sys, yaml; d = yaml.safe_load(open(sys.argv[1])); json.dump(d["services"]["s"], sys.stdout)';
      const read = JSON.parse(runToolOk('python3', ['-c', script, path.join(dir, 'c.yml')]).stdout);
      const unescape = (v: string) => v.replace(/\$\$/g, '$');
      expect(read.command.map(unescape)).toEqual(values);
      expect(values.map((_, i) => unescape(read.environment[`V${i}`]))).toEqual(values);
    });
  });

  test('docker-compose 1.29 reads the values exactly as modelled', () => {
    withTempDir((dir) => {
      writeFiles(dir, {
        'docker-compose.yml': renderComposeFile(sample()),
        'conf/web.conf': '',
        'app/Dockerfile': 'FROM scratch\n',
      });
      const result = composeConfig(path.join(dir, 'docker-compose.yml'), { API_KEY: 'test-only' }, ['config']);
      expect(result.status).toBe(0);
      const resolved = YAML.parse(result.stdout);
      // `config` prints a literal `$` escaped again (`$$`), so that its output is a valid Compose file.
      expect(resolved.services.app.environment).toEqual({
        ENABLED: 'yes', MODE: 'on', UMASK: '0755', CLOCK: '12:30', PRICE: 'costs $$5', API_KEY: 'test-only',
      });
      expect(resolved.services.web.ports).toEqual([
        { published: 80, target: 8080 },
        { published: 53, target: 53 },
        '127.0.0.1:22:22/tcp',
      ]);
      expect(resolved.services.app.deploy.resources.reservations.devices).toEqual([
        { driver: 'nvidia', count: 1, capabilities: ['gpu'] },
      ]);
      expect(resolved.services.app.stop_grace_period).toBe('5m10s');
    });
  });

  test('escapes a literal $ so Compose does not interpolate it', () => {
    const yaml = renderComposeFile(sample());
    expect(yaml).toContain('PRICE: costs $$5');
    expect(yaml).toContain('API_KEY: ${API_KEY:?set API_KEY in .env}');
    // Unescaped, docker-compose rejects the same value.
    withTempDir((dir) => {
      writeFiles(dir, {
        'docker-compose.yml': yaml.replace('costs $$5', 'costs $5'),
        'conf/web.conf': '',
        'app/Dockerfile': 'FROM scratch\n',
      });
      const result = composeConfig(path.join(dir, 'docker-compose.yml'), { API_KEY: 'test-only' });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('Invalid interpolation format');
    });
  });

  test('a required variable stops docker-compose with its message when it is unset', () => {
    withTempDir((dir) => {
      writeFiles(dir, {
        'docker-compose.yml': renderComposeFile(sample()),
        'conf/web.conf': '',
        'app/Dockerfile': 'FROM scratch\n',
      });
      const result = composeConfig(path.join(dir, 'docker-compose.yml'));
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('set API_KEY in .env');
    });
  });

  test('secrets: a file under a directory the environment may choose, mounted at an absolute target', () => {
    const file: ComposeFile = {
      services: {
        web: {
          image: 'nginxinc/nginx-unprivileged:1.27.4-alpine',
          secrets: [{ source: 'keys', target: '/etc/nginx/tenants/acme.map' }],
        },
      },
      secrets: { keys: { directory: ComposeVariable.withDefault('KEYS_DIR', './secrets'), file: 'acme.map' } },
    };
    const yaml = renderComposeFile(file);
    expect(yaml).toContain('file: ${KEYS_DIR:-./secrets}/acme.map');
    expectValidComposeSpec(yaml);
    withTempDir((dir) => {
      writeFiles(dir, { 'docker-compose.yml': yaml });
      for (const [env, expected] of [
        [{}, path.join(dir, 'secrets/acme.map')],
        [{ KEYS_DIR: '/srv/keys' }, '/srv/keys/acme.map'],
      ] as const) {
        const resolved = YAML.parse(
          runToolOk('docker-compose', ['-f', path.join(dir, 'docker-compose.yml'), 'config'], {
            env: { ...process.env, ...env },
          }).stdout,
        );
        expect(resolved.secrets.keys.file).toBe(expected);
        expect(resolved.services.web.secrets).toEqual([{ source: 'keys', target: '/etc/nginx/tenants/acme.map' }]);
      }
    });
    expect(() => ComposeVariable.withDefault('KEYS_DIR', '${HOME}')).toThrow(
      "ComposeVariable 'KEYS_DIR': default (\"${HOME}\") must not contain '}', '$' or a newline",
    );
  });

  test('renders durations and sizes the way Docker writes them', () => {
    const yaml = renderComposeFile(sample());
    expect(yaml).toContain('stop_grace_period: 5m10s');
    expect(yaml).toContain('start_period: 10m');
    expect(yaml).toContain('shm_size: 1g');
    expect(yaml).toMatch(/limits:\n\s+cpus: "4"\n\s+memory: 8g/);
    expect(yaml).toMatch(/reservations:\n\s+cpus: "0.5"\n\s+memory: 512m/);
  });

  test('renders nothing for fields left out', () => {
    const yaml = renderComposeFile({ services: { one: { image: 'redis:7.2.5-alpine' } } });
    expect(yaml).toBe('services:\n  one:\n    image: redis:7.2.5-alpine\n');
  });

  test('fails when a device request has both count and deviceIds', () => {
    expect(() =>
      renderComposeFile({
        services: {
          gpu: {
            image: 'a:1',
            resources: { reservations: { devices: [{ count: 1, deviceIds: ['0'], capabilities: ['gpu'] }] } },
          },
        },
      }),
    ).toThrow("renderComposeFile: service 'gpu': a device request takes count (1) or deviceIds (0), not both");
  });

  test('fails when a variable name is not an identifier, or its message would end the expression', () => {
    expect(() => ComposeVariable.required('API-KEY', 'x')).toThrow(
      'ComposeVariable: name ("API-KEY") must be a C identifier',
    );
    expect(() => ComposeVariable.required('API_KEY', 'set } here')).toThrow(
      "ComposeVariable 'API_KEY': message (\"set } here\") must not contain '}', '$' or a newline",
    );
  });
});
