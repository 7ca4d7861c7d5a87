import { BlockList } from 'net';
import * as fc from 'fast-check';
import { EgressTarget } from '../../lib';
import { FC_PARAMS } from '../support/arbitraries';

const ipv4 = (n: number) => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
const ipv6 = (groups: number[]) => groups.map((g) => g.toString(16)).join(':');
/** Host bits of an address under a prefix, counted without the library's parser. */
const hostBitsSet = (bits: bigint, width: number, prefix: number) =>
  prefix < width && (bits & ((1n << BigInt(width - prefix)) - 1n)) !== 0n;
const v6Bits = (groups: number[]) => groups.reduce((acc, g) => (acc << 16n) + BigInt(g), 0n);
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

  test('leading zeros, a prefix with a leading zero, a missing prefix and names are refused', () => {
    for (const bad of ['010.0.0.0/8', '10.0.0.0/08', '10.0.0.0', '10.0.0.0/', 'localhost/8', '10.0.0.0/8/8', '']) {
      expect(accepts(bad)).toBe(false);
    }
    expect(() => EgressTarget.cidr('10.0.0.0/8', { except: ['2001:db8::/32'] }))
      .toThrow('except[0] ("2001:db8::/32") must be a strict subset of cidr ("10.0.0.0/8")');
  });
});
