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

  test('renders a comment of several lines as one comment line each, an empty line as a bare #', () => {
    const text = renderNginxConfig(
      config([block('events', [], [comment('first line\n\nthird line'), directive('worker_connections', 1)])]),
    );
    expect(text).toBe('events {\n    # first line\n    #\n    # third line\n    worker_connections 1;\n}\n');
  });

  test('a header of several lines is separated from the body by one blank line; without a body, none', () => {
    expect(renderNginxConfig({ build: v122, header: ['a', 'b'], body: [directive('pid', '/run/nginx.pid')] }))
      .toBe('# a\n# b\n\npid /run/nginx.pid;\n');
    expect(renderNginxConfig({ build: v122, header: ['a'], body: [] })).toBe('# a\n');
    expect(renderNginxConfig({ build: v122, body: [directive('pid', '/run/nginx.pid')] }))
      .toBe('pid /run/nginx.pid;\n');
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

  test('a block ending in several blank nodes has no blank line before its closing brace', () => {
    const text = renderNginxConfig(
      config([block('events', [], [directive('worker_connections', 1), blank(), blank(), blank()]), blank(), blank()]),
    );
    expect(text).toBe('events {\n    worker_connections 1;\n}\n');
  });

  test('a block starting with several blank nodes has no blank line after its opening brace', () => {
    const body = [blank(), blank(), directive('worker_connections', 1)];
    const text = renderNginxConfig(config([block('events', [], body)]));
    expect(text).toBe('events {\n    worker_connections 1;\n}\n');
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

describe('directive names, table blocks and the wrap width', () => {
  test.each(['9workers', 'worker-', 'Upper', 'a b', 'gzip;', ''])(
    'rejects the directive name %j, whatever the characters before or after a valid part',
    (name) => {
      expect(validateNginxConfig(config([directive(name, 'x')]))).toEqual([
        `'${name}': directive name ("${name}") must match /^[a-z_][a-z0-9_]*$/`,
      ]);
    },
  );

  test.each(['_x', 'a9', 'proxy_pass'])('accepts the directive name %j', (name) => {
    expect(validateNginxConfig(config([directive(name, 'x')]))).toEqual([]);
  });

  test('rejects an argument that is not a string, naming its position', () => {
    const bad = { type: 'directive', name: 'listen', args: ['80', 443] } as unknown as NginxConfig['body'][number];
    expect(validateNginxConfig(config([bad]))).toEqual(['\'listen\': argument 2 (443) must be a string']);
  });

  // Every table block nginx has: its entries are `key value;` data, never checked as directive names.
  test.each([
    ['geo', ['$remote_addr', '$office'], '10.0.0.0/8', '1'],
    ['types', [], 'text/event-stream', 'sse'],
    ['split_clients', ['$request_id', '$variant'], '50%', 'a'],
    ['charset_map', ['koi8-r', 'utf-8'], 'C0', 'D18E'],
    ['match', ['ok'], 'status', '200'],
  ])('%s entries are data keys, not directive names', (name, args, key, value) => {
    const model = config([block('http', [], [block(name, args, [directive(key, value), directive('a b', 'c')])])],
      { version: NginxVersion.parse('1.22.1'), plus: name === 'match' });
    expect(validateNginxConfig(model)).toEqual([]);
    expect(renderNginxConfig(model)).toContain(`\n        ${key} ${value};\n        "a b" c;\n    }\n`);
  });

  test('the stock table blocks render into a config the real nginx accepts', () => {
    const conf = renderNginxConfig(http(
      block('geo', ['$remote_addr', '$office'], [directive('default', '0'), directive('10.0.0.0/8', '1')]),
      block('types', [], [directive('text/event-stream', 'sse')]),
      block('split_clients', ['$request_id', '$variant'], [directive('50%', 'a'), directive('*', 'b')]),
      block('charset_map', ['koi8-r', 'utf-8'], [directive('C0', 'D18E')]),
      block('server', [], [directive('listen', '127.0.0.1:8080'), directive('return', 200, '$office$variant')]),
    ));
    expectNginxConfigValid(conf);
  });

  test('a line of exactly 120 characters stays on one line; 121 wraps', () => {
    // The wrap applies to the line without its final semicolon: 120 characters plus ';' is still one line.
    const at120 = renderNginxConfig(http(directive('log_format', 'j', 'escape=json', 'x'.repeat(120 - 4 - 25))));
    expect(at120).toContain(`\n    log_format j escape=json ${'x'.repeat(91)};\n`);
    const at121 = renderNginxConfig(http(directive('log_format', 'j', 'escape=json', 'x'.repeat(92))));
    expect(at121).toContain(`\n    log_format j escape=json\n        ${'x'.repeat(92)};\n`);
  });

  test('a long directive with only two arguments is never wrapped', () => {
    const text = renderNginxConfig(http(directive('add_header', 'X-Long', 'v'.repeat(200))));
    expect(text).toContain(`\n    add_header X-Long ${'v'.repeat(200)};\n`);
  });

  test('when every argument is unquoted, only the last one moves to its own line', () => {
    const words = Array.from({ length: 5 }, (_, i) => `w${i}${'y'.repeat(28)}`);
    const text = renderNginxConfig(http(directive('server_name', ...words)));
    expect(text).toContain(`\n    server_name ${words.slice(0, 4).join(' ')}\n        ${words[4]};\n`);
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
    const error = (() => {
      try {
        renderNginxConfig(model);
      } catch (e) {
        return e as NginxConfigError;
      }
      throw new Error('renderNginxConfig did not throw');
    })();
    expect(error.name).toBe('NginxConfigError');
    expect(error.problems).toEqual(problems);
    expect(error.message).toBe(`nginx config is not valid for its target:\n  - ${problems[0]}\n  - ${problems[1]}`);
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
