import { Size, SizeRoundingBehavior } from 'cdk8s';

const BINARY_UNITS: ReadonlyArray<[string, number]> = [['Ti', 1024 ** 3], ['Gi', 1024 ** 2], ['Mi', 1024], ['Ki', 1]];

/** Renders a cdk8s Size as a Kubernetes quantity in the largest exact binary unit ("4Gi", "512Mi"). */
export function sizeQuantity(size: Size): string {
  const kib = size.toKibibytes({ rounding: SizeRoundingBehavior.FLOOR });
  for (const [unit, factor] of BINARY_UNITS) {
    if (kib >= factor && kib % factor === 0) return `${kib / factor}${unit}`;
  }
  return `${kib}Ki`;
}

/** A size in whole kibibytes, for comparisons. */
export function sizeKib(size: Size): number {
  return size.toKibibytes({ rounding: SizeRoundingBehavior.FLOOR });
}
