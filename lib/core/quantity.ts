import { Size, SizeRoundingBehavior } from 'cdk8s';

const BINARY_UNITS: ReadonlyArray<[string, number]> = [['Ti', 1024 ** 3], ['Gi', 1024 ** 2], ['Mi', 1024], ['Ki', 1]];

/** Renders a cdk8s Size as a Kubernetes quantity in the largest exact binary unit ("4Gi", "512Mi"). */
export function sizeQuantity(size: Size): string {
  const kib = sizeKib(size);
  for (const [unit, factor] of BINARY_UNITS) {
    if (kib >= factor && kib % factor === 0) return `${kib / factor}${unit}`;
  }
  return `${kib}Ki`;
}

/**
 * A size in whole kibibytes, rounded down. (cdk8s rounds only when it converts between units, so a size made
 * with `Size.kibibytes(1.5)` would otherwise stay fractional.)
 */
export function sizeKib(size: Size): number {
  return Math.floor(size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }));
}

const BINARY_KIB: Record<string, number> = { '': 1 / 1024, 'Ki': 1, 'Mi': 1024, 'Gi': 1024 ** 2, 'Ti': 1024 ** 3 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes memory quantity ("8Gi", "512Mi", "1G", "1048576") as a cdk8s Size. */
export function memoryQuantity(quantity: string): Size {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!m) {
    throw new Error(
      `memory quantity ("${quantity}") must be a number with an optional Ki, Mi, Gi, Ti, k, M, G or T suffix`,
    );
  }
  const amount = Number(m[1]);
  const unit = m[2] ?? '';
  const kib = unit in DECIMAL ? (amount * DECIMAL[unit]) / 1024 : amount * BINARY_KIB[unit];
  return Size.kibibytes(kib);
}

/** A Kubernetes CPU quantity ("2", "500m", "1.5") in cores. */
export function cpuQuantity(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(m)?$/.exec(quantity);
  if (!m) throw new Error(`cpu quantity ("${quantity}") must be a number of cores or of millicores ("500m")`);
  return m[2] ? Number(m[1]) / 1000 : Number(m[1]);
}

/** True when `quantity` is a CPU quantity {@link cpuQuantity} reads, larger than zero. */
export function isCpuQuantity(quantity: string): boolean {
  try {
    return cpuQuantity(quantity) > 0;
  } catch {
    return false;
  }
}

/** A Kubernetes CPU quantity in millicores. */
export function cpuMillicores(quantity: string): number {
  return Math.round(cpuQuantity(quantity) * 1000);
}

/** Millicores as a Kubernetes CPU quantity: whole cores when exact ("32"), else millicores ("1500m"). */
export function millicoresQuantity(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}
