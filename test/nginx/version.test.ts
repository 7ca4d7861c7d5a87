import { Duration, Size } from 'cdk8s';
import { nginxSize, nginxTime, NginxVersion } from '../../lib/nginx';

describe('NginxVersion', () => {
  test('parses major.minor[.patch] and compares numerically', () => {
    expect(NginxVersion.parse('1.27.3').toString()).toBe('1.27.3');
    expect(NginxVersion.parse('1.25').toString()).toBe('1.25.0');
    expect(NginxVersion.parse('1.27.10').atLeast('1.27.3')).toBe(true);
    expect(NginxVersion.parse('1.27.2').atLeast('1.27.3')).toBe(false);
    expect(NginxVersion.parse('2.0.0').atLeast('1.99.99')).toBe(true);
    expect(NginxVersion.parse('1.9.0').atLeast('1.10.0')).toBe(false);
  });

  test('equal versions are at least each other; three-digit parts parse', () => {
    expect(NginxVersion.parse('1.27.3').atLeast('1.27.3')).toBe(true);
    expect(NginxVersion.parse('100.200.300').toString()).toBe('100.200.300');
    expect(NginxVersion.parse('1.0.0').atLeast('0.99.99')).toBe(true);
    expect(NginxVersion.parse('1.26.0').atLeast('1.25.9')).toBe(true);
    expect(NginxVersion.parse('1.99.99').atLeast('2.0.0')).toBe(false);
  });

  test.each(['v1.25.0', '1.25.0-alpine', '1.25.0.1', '1234.1.1', '1.1234', '1', ' 1.2', '1.2 '])(
    'refuses %j: the whole text must be a version',
    (text) => {
      expect(NginxVersion.tryParse(text)).toBeUndefined();
    },
  );

  test('fails when the text is not a version', () => {
    expect(() => NginxVersion.parse('latest')).toThrow(/"latest" is not an nginx version/);
    expect(NginxVersion.tryParse('1.x')).toBeUndefined();
  });

  test('reads the version of an image tag', () => {
    expect(NginxVersion.fromImage('nginxinc/nginx-unprivileged:1.28.0-alpine')?.toString()).toBe('1.28.0');
    expect(NginxVersion.fromImage('registry.example.com:5000/nginx:1.25-alpine')?.toString()).toBe('1.25.0');
    expect(NginxVersion.fromImage('nginx:1.27.3')?.toString()).toBe('1.27.3');
    expect(NginxVersion.fromImage('nginx:mainline-alpine')).toBeUndefined();
    expect(NginxVersion.fromImage('nginx:1.27.10-bookworm')?.toString()).toBe('1.27.10');
    expect(NginxVersion.fromImage('nginx:10.1')?.toString()).toBe('10.1.0');
    expect(NginxVersion.fromImage('nginx:v1.25.0')).toBeUndefined();
    expect(NginxVersion.fromImage('nginx:1.25.0rc1')).toBeUndefined();
    expect(NginxVersion.fromImage('nginx')).toBeUndefined();
    expect(NginxVersion.fromImage('nginx@sha256:' + 'a'.repeat(64))).toBeUndefined();
  });
});

describe('units', () => {
  test('durations in the largest exact nginx unit', () => {
    expect(nginxTime(Duration.seconds(300))).toBe('300s');
    expect(nginxTime(Duration.millis(1500))).toBe('1500ms');
    expect(nginxTime(Duration.hours(2))).toBe('2h');
    expect(nginxTime(Duration.days(1))).toBe('1d');
    expect(nginxTime(Duration.seconds(0))).toBe('0s');
    expect(nginxTime(Duration.minutes(90))).toBe('5400s');
    expect(nginxTime(Duration.hours(25))).toBe('25h');
    expect(nginxTime(Duration.hours(48))).toBe('2d');
    expect(nginxTime(Duration.seconds(1))).toBe('1s');
  });

  test('sizes in m or k', () => {
    expect(nginxSize(Size.mebibytes(100))).toBe('100m');
    expect(nginxSize(Size.kibibytes(64))).toBe('64k');
    expect(nginxSize(Size.kibibytes(1536))).toBe('1536k');
    expect(nginxSize(Size.kibibytes(1024))).toBe('1m');
    expect(nginxSize(Size.kibibytes(0))).toBe('0k');
  });
});
