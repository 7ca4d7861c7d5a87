import { Size } from 'cdk8s';
import {
  cpuMillicores, cpuQuantity, memoryQuantity, millicoresQuantity, sizeKib, sizeQuantity,
} from '../../lib/core/quantity';

describe('sizeQuantity: a Size as a Kubernetes quantity in the largest exact binary unit', () => {
  test.each([
    [Size.tebibytes(2), '2Ti'],
    [Size.gibibytes(4), '4Gi'],
    [Size.gibibytes(1024), '1Ti'],
    [Size.mebibytes(512), '512Mi'],
    [Size.mebibytes(1536), '1536Mi'], // 1.5Gi is not a whole number of Gi
    [Size.kibibytes(1536), '1536Ki'], // never a bare "1536", which Kubernetes reads as bytes
    [Size.kibibytes(1024), '1Mi'],
    [Size.kibibytes(1), '1Ki'],
    [Size.kibibytes(0), '0Ki'],
  ])('%s → %s', (size, expected) => {
    expect(sizeQuantity(size)).toBe(expected);
  });

  test('sizes below one kibibyte round down to whole kibibytes', () => {
    expect(sizeQuantity(Size.kibibytes(1.9))).toBe('1Ki');
    expect(sizeKib(Size.kibibytes(1.9))).toBe(1);
    expect(sizeKib(Size.gibibytes(2))).toBe(2 * 1024 * 1024);
    // A conversion that ends between two kibibytes rounds down too, never fails.
    expect(sizeKib(Size.mebibytes(1.0005))).toBe(1024);
    expect(sizeQuantity(Size.mebibytes(1.0005))).toBe('1Mi');
  });
});

describe('memoryQuantity: a Kubernetes memory quantity as a Size', () => {
  test.each([
    ['1Ki', 1],
    ['512Mi', 512 * 1024],
    ['8Gi', 8 * 1024 ** 2],
    ['2Ti', 2 * 1024 ** 3],
    ['1.5Gi', 1.5 * 1024 ** 2],
    ['0.25Mi', 256],
    ['1024k', 1000],
    ['1M', 1e6 / 1024],
    ['1G', 1e9 / 1024],
    ['1T', 1e12 / 1024],
    ['1048576', 1024], // bytes
    ['0', 0],
  ])('%s is %d KiB', (quantity, kib) => {
    expect(memoryQuantity(quantity).toKibibytes()).toBeCloseTo(kib, 6);
  });

  test.each(['', 'Gi', '1Gb', '1gi', '-1Gi', '1 Gi', '1e3', '1.Gi', '.5Gi', '1Gi ', ' 1Gi', '1Pi'])(
    'rejects %j, naming the value and what is allowed',
    (quantity) => {
      expect(() => memoryQuantity(quantity)).toThrow(
        `memory quantity (${JSON.stringify(quantity)}) must be a number with an optional `
          + 'Ki, Mi, Gi, Ti, k, M, G or T suffix',
      );
    },
  );
});

describe('CPU quantities', () => {
  test.each([
    ['2', 2, 2000],
    ['0.5', 0.5, 500],
    ['1.5', 1.5, 1500],
    ['500m', 0.5, 500],
    ['250m', 0.25, 250],
    ['1.0004', 1.0004, 1000], // millicores round to the nearest whole one
    ['1.0006', 1.0006, 1001],
  ])('%s is %d cores, %d millicores', (quantity, cores, millicores) => {
    expect(cpuQuantity(quantity)).toBeCloseTo(cores, 9);
    expect(cpuMillicores(quantity)).toBe(millicores);
  });

  test.each(['', 'm', '2 cores', '-1', '1e3', '500M', '1.', ' 1', '1 '])('rejects %j', (quantity) => {
    expect(() => cpuQuantity(quantity)).toThrow(
      `cpu quantity (${JSON.stringify(quantity)}) must be a number of cores or of millicores ("500m")`,
    );
  });

  test.each([[32000, '32'], [1000, '1'], [1500, '1500m'], [250, '250m'], [0, '0']])(
    '%d millicores render as %s',
    (millicores, expected) => {
      expect(millicoresQuantity(millicores)).toBe(expected);
    },
  );
});
