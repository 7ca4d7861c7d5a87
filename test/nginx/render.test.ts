import * as fc from 'fast-check';
import {
  blank, block, comment, directive, NginxBuild, NginxConfig, NginxConfigError, NginxModule, NginxVersion, quoteArg,
  renderNginxConfig, validateNginxConfig,
} from '../../lib/nginx';
import { expectNginxConfigValid } from '../support/nginx-sandbox';

const v122: NginxBuild = { version: NginxVersion.parse('1.22.1') };
const config = (body: NginxConfig['body'], build: NginxBuild = v122): NginxConfig => ({ build, body });
const http = (...body: NginxConfig['body']) => config([block('events', [], []), block('http', [], body)]);
const upstream = (...body: NginxConfig['body']) =>
  block('upstream', ['backend'], [directive('zone', 'backend', '64k'), ...body]);

describe('renderNginxConfig', () => {
  test('renders nested blocks with four-space indentation, one directive per line and a final newline', () => {
    const text = renderNginxConfig({
      build: v122,
      header: ['Generated.'],
      body: [
        directive('worker_processes', 'auto'),
        blank(),
        block(
          'http',
          [],
          [
            comment('upstreams'),
            block('upstream', ['backend'], [directive('server', 'a:8080', 'weight=3')]),
            block(
              'server',
              [],
              [directive('listen', 8080), block('location', ['=', '/health'], [directive('return', 200)])],
            ),
          ],
        ),
      ],
    });
    expect(text).toBe([
      '# Generated.',
      '',
      'worker_processes auto;',
      '',
      'http {',
      '    # upstreams',
      '    upstream backend {',
      '        server a:8080 weight=3;',
      '    }',
      '    server {',
      '        listen 8080;',
      '        location = /health {',
      '            return 200;',
      '        }',
      '    }',
      '}',
      '',
    ].join('\n'));
  });

  test('is deterministic: the same model renders to the same bytes', () => {
    const model = () => http(directive('gzip', 'on'), block('server', [], [directive('listen', 80)]));
    expect(renderNginxConfig(model())).toBe(renderNginxConfig(model()));
  });

  test('never renders two blank lines in a row, nor one at the start or end of a block', () => {
    const text = renderNginxConfig(
      config([
        block(
          'events',
          [],
          [blank(), directive('worker_connections', 1), blank(), blank(), directive('multi_accept', 'on'), blank()],
        ),
      ]),
    );
    expect(text).toBe('events {\n    worker_connections 1;\n\n    multi_accept on;\n}\n');
  });

  test('drops undefined and false children of a block', () => {
    expect(renderNginxConfig(config([block('events', [], [undefined, false, directive('multi_accept', 'on')])])))
      .toBe('events {\n    multi_accept on;\n}\n');
  });

  test('quotes keys of map blocks like arguments', () => {
    const text = renderNginxConfig(
      http(block('map', ['$http_x', '$y'], [directive('default', '0'), directive('~^a{1,2}$', '1')])),
    );
    expect(text).toContain('        "~^a{1,2}$" 1;\n');
    expect(text).toContain('        default 0;\n');
  });

  test('wraps long directives: unquoted leading arguments stay, each further argument on its own line', () => {
    const parts = Array.from(
      { length: 4 },
      (_, i) => `{"field${i}":"$variable_number_${i}_with_a_long_name_to_pass_the_limit",`,
    );
    const text = renderNginxConfig(http(directive('log_format', 'json', 'escape=json', ...parts)));
    expect(text).toContain(`    log_format json escape=json\n        '${parts[0]}'\n        '${parts[1]}'\n`);
  });
});

describe('quoteArg', () => {
  test.each([
    ['plain', 'plain'],
    ['$host', '$host'],
    ['', '""'],
    ['a b', '"a b"'],
    ['a;b', '"a;b"'],
    ['{"status":"ok"}', '\'{"status":"ok"}\''],
    ['it\'s', '"it\'s"'],
    ['"it\'s"', '"\\"it\'s\\""'],
    ['HEAD / HTTP/1.0\r\n\r\n', '"HEAD / HTTP/1.0\\r\\n\\r\\n"'],
    ['back\\slash', '"back\\\\slash"'],
    ['#hash', '"#hash"'],
  ])('%j renders as %s', (value, expected) => {
    expect(quoteArg(value)).toBe(expected);
  });

  test('every quoting form is accepted by the real nginx', () => {
    const values = [
      '',
      'a b',
      '{"status":"ok"}',
      'it\'s',
      '"it\'s"',
      'x\r\ny',
      'back\\slash',
      '#hash',
      'semi;colon',
      'brace{}',
    ];
    const conf = renderNginxConfig(http(block('server', [], [
      directive('listen', '127.0.0.1:8080'),
      ...values.map((value, i) => block('location', ['=', `/v${i}`], [directive('return', 200, value)])),
    ])));
    expectNginxConfigValid(conf);
  });
});

describe('version and build checks', () => {
  const build = (version: string, extra: Partial<NginxBuild> = {}): NginxBuild => ({
    version: NginxVersion.parse(version),
    ...extra,
  });

  test('fails on a directive newer than the target version, naming it, where it is and the version it needs', () => {
    const model = config([block('http', [], [block('server', [], [directive('http2', 'on')])])], build('1.25.0'));
    expect(() => renderNginxConfig(model)).toThrow(NginxConfigError);
    expect(() => renderNginxConfig(model)).toThrow(
      /'http > server > http2': 'http2' directive needs nginx >= 1.25.1; target is nginx 1.25.0/,
    );
    expect(validateNginxConfig({ ...model, build: build('1.25.1') })).toEqual([]);
  });

  test('fails when a deprecated form is used on a version that deprecated it', () => {
    const model = (version: string) =>
      config([block('http', [], [block('server', [], [directive('listen', 443, 'ssl', 'http2')])])], build(version));
    expect(validateNginxConfig(model('1.25.0'))).toEqual([]);
    expect(() => renderNginxConfig(model('1.25.1'))).toThrow(
      /'listen \.\.\. http2' parameter is deprecated since nginx 1\.25\.1; use 'http2 on;'/,
    );
  });

  test('fails when an upstream server uses resolve before 1.27.3, unless the build is NGINX Plus', () => {
    const model = (b: NginxBuild) =>
      config(
        [block('http', [], [upstream(directive('server', 'svc:8080', 'resolve'), directive('resolver', '10.0.0.10'))])],
        b,
      );
    const problems = validateNginxConfig(model(build('1.27.2')));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /upstream server parameter 'resolve'.*needs nginx >= 1.27.3 or NGINX Plus; target is nginx 1.27.2/,
    );
    expect(problems[1]).toMatch(/'resolver' inside an upstream block/);
    expect(validateNginxConfig(model(build('1.27.3')))).toEqual([]);
    expect(validateNginxConfig(model(build('1.25.5', { plus: true })))).toEqual([]);
  });

  test('resolver outside an upstream block is stock nginx', () => {
    expect(validateNginxConfig(config([block('http', [], [directive('resolver', '10.0.0.10')])]))).toEqual([]);
  });

  test('fails when health_check is used without NGINX Plus', () => {
    const model = (plus: boolean) =>
      config(
        [block('http', [], [block('server', [], [block('location', ['/'], [directive('health_check')])])])],
        build('1.27.3', { plus }),
      );
    expect(() => renderNginxConfig(model(false))).toThrow(
      /active health checks \('health_check', NGINX Plus only\) needs NGINX Plus/,
    );
    expect(validateNginxConfig(model(true))).toEqual([]);
  });

  test('fails when the check directive of nginx_upstream_check_module is used on a build without it', () => {
    const model = (modules: NginxModule[]) =>
      config(
        [
          block(
            'http',
            [],
            [upstream(directive('check', 'interval=3000'), directive('check_http_send', 'HEAD / HTTP/1.0\r\n\r\n'))],
          ),
        ],
        build('1.22.1', { modules }),
      );
    expect(validateNginxConfig(model([]))).toHaveLength(2);
    expect(validateNginxConfig(model([]))[0]).toMatch(/nginx_upstream_check_module.*needs the upstream_check module/);
    expect(validateNginxConfig(model([NginxModule.UPSTREAM_CHECK]))).toEqual([]);
  });

  test('fails when the version is older than the feature table covers', () => {
    expect(() => renderNginxConfig(config([], build('1.14.2')))).toThrow(/nginx 1.14.2 is older than 1.18.0/);
  });

  test('fails when a directive name is not an nginx name, reporting every problem at once', () => {
    const model = config([
      block('http', [], [directive('Bad Name', 'x'), block('server', [], [directive('http2', 'on')])]),
    ]);
    const problems = validateNginxConfig(model);
    expect(problems).toEqual([
      expect.stringMatching(/'http > Bad Name': directive name \("Bad Name"\) must match/),
      expect.stringMatching(/'http > server > http2'/),
    ]);
    expect(() => renderNginxConfig(model)).toThrow(/Bad Name[\s\S]*http2/);
  });
});

describe('quoteArg round trip (property)', () => {
  /**
   * nginx's own reading of one argument (ngx_conf_read_token): strip the quotes, then `\"`, `\'` and
   * `\\` become the character, `\t`, `\r`, `\n` the control characters, other backslashes stay.
   */
  function nginxUnquote(token: string): string {
    const quoted = /^(["']).*\1$/s.test(token);
    const body = quoted ? token.slice(1, -1) : token;
    let out = '';
    for (let i = 0; i < body.length; i++) {
      if (body[i] === '\\' && i + 1 < body.length) {
        const next = body[i + 1];
        if (next === '"' || next === "'" || next === '\\') { out += next; i++; continue; }
        if (next === 't' || next === 'r' || next === 'n') { out += { t: '\t', r: '\r', n: '\n' }[next]; i++; continue; }
      }
      out += body[i];
    }
    return out;
  }

  test('nginx reads back exactly the value, for any string', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', ' ', '"', "'", '\\', '\n', '\r', '\t', ';', '{', '}', '#', '$', 'n', 't'),
        }),
        (value: string) => {
          const token = quoteArg(value);
          expect(nginxUnquote(token)).toBe(value);
          // An unquoted token never contains a character that would end or open something.
          if (!/^["']/.test(token)) expect(token).not.toMatch(/[\s;{}"'#\\]/);
        },
      ),
      { numRuns: 500 },
    );
  });
});
