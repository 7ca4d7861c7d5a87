import { BlockList } from 'net';
import * as fc from 'fast-check';
import { Testing } from 'cdk8s';
import { AiAgentPlatform, EgressTarget, NetworkPort } from '../../lib';
import { FC_PARAMS } from '../support/arbitraries';

const ipv4 = (n: number) => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
const ipv6 = (groups: number[]) => groups.map((g) => g.toString(16)).join(':');
/** Host bits of an address under a prefix, counted without the library's parser. */
const hostBitsSet = (bits: bigint, width: number, prefix: number) =>
  prefix < width && (bits & ((1n << BigInt(width - prefix)) - 1n)) !== 0n;
const v6Bits = (groups: number[]) => groups.reduce((acc, g) => (acc << 16n) + BigInt(g), 0n);
const CIDR_RULE = /must be an IPv4 or IPv6 CIDR written as its network address/;
const accepts = (cidr: string, except?: string[]) => {
  try {
    EgressTarget.cidr(cidr, { except });
    return true;
  } catch {
    return false;
  }
};

describe('EgressTarget.cidr takes what the API server takes (ValidateIPBlock)', () => {
  test('property: an IPv4 CIDR is taken exactly when its address is the network address', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }), (n, prefix) => {
      expect(accepts(`${ipv4(n)}/${prefix}`)).toBe(!hostBitsSet(BigInt(n), 32, prefix));
    }), FC_PARAMS);
  });

  test('property: an IPv6 CIDR, written in full or compressed, likewise', () => {
    const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    const groups = fc.array(group, { minLength: 8, maxLength: 8 });
    fc.assert(fc.property(groups, fc.integer({ min: 0, max: 128 }), (g, prefix) => {
      const expected = !hostBitsSet(v6Bits(g), 128, prefix);
      expect(accepts(`${ipv6(g)}/${prefix}`)).toBe(expected);
      // The same address as node writes it (with '::' for the longest run of zeros).
      const list = new BlockList();
      list.addAddress(ipv6(g), 'ipv6');
      const compressed = (list.rules[0] as string).replace(/^Address: IPv6 /, '');
      expect(accepts(`${compressed}/${prefix}`)).toBe(expected);
    }), FC_PARAMS);
  });

  test('property: an exception is taken exactly when strictly inside the CIDR (node\'s BlockList decides)', () => {
    const cidr = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }))
      .map(([n, p]) => ({ n: p === 0 ? 0 : (n >>> (32 - p)) << (32 - p) >>> 0, p }));
    fc.assert(fc.property(cidr, cidr, (outer, inner) => {
      const list = new BlockList();
      list.addSubnet(ipv4(outer.n), outer.p, 'ipv4');
      const inside = inner.p > outer.p && list.check(ipv4(inner.n), 'ipv4');
      expect(accepts(`${ipv4(outer.n)}/${outer.p}`, [`${ipv4(inner.n)}/${inner.p}`])).toBe(inside);
    }), FC_PARAMS);
  });

  test('leading zeros, a prefix with a leading zero, a missing prefix and names are refused, with the rule', () => {
    const bad = ['010.0.0.0/8', '::ffff:010.0.0.0/104', '10.0.0.0/08', '10.0.0.0', '10.0.0.0/', 'localhost/8',
      '10.0.0.0/8/8', 'x/10.0.0.0/8', ''];
    for (const cidr of bad) expect(() => EgressTarget.cidr(cidr)).toThrow(CIDR_RULE);
    // From JavaScript: a value that is not a string is refused, even one that would print as a CIDR.
    expect(() => EgressTarget.cidr(['10.0.0.0/8'] as any)).toThrow(CIDR_RULE);
    expect(() => EgressTarget.cidr('10.0.0.0/8', { except: ['2001:db8::/32'] }))
      .toThrow('except[0] ("2001:db8::/32") must be a strict subset of cidr ("10.0.0.0/8")');
  });

  test('an IPv6 address ending in a dotted IPv4 part is read as its 32 low bits', () => {
    expect(accepts('::ffff:192.168.100.128/121')).toBe(true);
    expect(accepts('::ffff:192.168.100.129/121')).toBe(false);
    expect(accepts('::0.2.0.0/104')).toBe(false); // a host bit in the dotted part, shorter than '::ffff:'
    expect(accepts('::ffff:0.0.0.0/96', ['::ffff:192.168.100.128/121'])).toBe(true);
    expect(accepts('::ffff:0.0.0.0/96', ['::fffe:192.168.100.128/121'])).toBe(false);
  });

  test('an IPv6 exception is taken inside its CIDR, also when compressed in the middle, and refused outside', () => {
    expect(accepts('2001:db8::/32', ['2001:db8::1:0/112', '2001:db8:ffff::/48'])).toBe(true);
    expect(accepts('2001:db8::/32', ['2001:db9::1:0/112'])).toBe(false);
    expect(accepts('2001:db8::1:0/112')).toBe(true);
    expect(accepts('2001:db8::1:0/96')).toBe(false);
  });

  test('fails when an exception is not a CIDR or of the other address family', () => {
    expect(() => EgressTarget.cidr('10.0.0.0/8', { except: ['10.1.0.1/16'] }))
      .toThrow('EgressTarget \'cidr\': except[0] ("10.1.0.1/16") must be an IPv4 or IPv6 CIDR');
    expect(() => EgressTarget.cidr('::/0', { except: ['10.0.0.0/8'] }))
      .toThrow('except[0] ("10.0.0.0/8") must be a strict subset of cidr ("::/0")');
    expect(() => EgressTarget.cidr('0.0.0.0/0', { except: ['::/1'] }))
      .toThrow('except[0] ("::/1") must be a strict subset of cidr ("0.0.0.0/0")');
  });
});

describe('targets and ports say what they are', () => {
  test('as the messages name them', () => {
    expect(`${NetworkPort.tcp(443)}, ${NetworkPort.udp(53)}`).toBe('TCP/443, UDP/53');
    expect(`${EgressTarget.namespace('vector-db', { podLabels: { app: 'qdrant' } })}`)
      .toBe('namespace "vector-db" pods {"app":"qdrant"}');
    expect(`${EgressTarget.namespace('vector-db')}`).toBe('namespace "vector-db"');
    expect(`${EgressTarget.cidr('10.0.0.0/8', { except: ['10.1.0.0/16', '10.2.0.0/16'] })}`)
      .toBe('CIDR 10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16');
    expect(`${EgressTarget.internet()}`).toBe('the internet');
  });

  test('fails when a namespace target\'s pod labels are no Kubernetes labels, naming the prop', () => {
    expect(() => EgressTarget.namespace('vector-db', { podLabels: { 'bad key!': 'x' } }))
      .toThrow(/^EgressTarget 'namespace': podLabels/);
  });
});

describe('allowTo', () => {
  const agent = () => new AiAgentPlatform(Testing.app(), 'p').addAgent('a', { image: 'registry.example.com/a:v1' });

  test('fails when the target is neither a workload of the model nor an EgressTarget (from JavaScript)', () => {
    for (const target of ['tools', null, {}, { name: 'tools' }]) {
      expect(() => agent().allowTo(target as any)).toThrow(new RegExp("^GpuAgentDeployment 'a': allowTo target "
        + '\\(.*\\) must be a workload of the model or an EgressTarget \\(namespace, cidr, internet\\)$'));
    }
  });

  test('fails when a port is not a NetworkPort, naming each', () => {
    expect(() => agent().allowTo(EgressTarget.internet(), { ports: [NetworkPort.tcp(443), 80 as any, '8080' as any] }))
      .toThrow("GpuAgentDeployment 'a': allowTo ports[1] (80) must be a NetworkPort (NetworkPort.tcp(443))\n"
        + 'GpuAgentDeployment \'a\': allowTo ports[2] ("8080") must be a NetworkPort (NetworkPort.tcp(443))');
  });
});
