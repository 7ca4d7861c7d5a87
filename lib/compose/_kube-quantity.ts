import { Size } from 'cdk8s';

const BINARY: Record<string, number> = { '': 1 / 1024, 'Ki': 1, 'Mi': 1024, 'Gi': 1024 ** 2, 'Ti': 1024 ** 3 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes memory quantity ("8Gi", "512Mi", "1G", "1048576") as a cdk8s Size. */
export function memoryQuantity(quantity: string): Size {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!m) throw new Error(`memory quantity ("${quantity}") must be a number with an optional Ki, Mi, Gi, Ti, k, M, G or T suffix`);
  const amount = Number(m[1]);
  const unit = m[2] ?? '';
  const kib = unit in DECIMAL ? (amount * DECIMAL[unit]) / 1024 : amount * BINARY[unit];
  return Size.kibibytes(kib);
}

/** A Kubernetes CPU quantity ("2", "500m", "1.5") in cores. */
export function cpuQuantity(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(m)?$/.exec(quantity);
  if (!m) throw new Error(`cpu quantity ("${quantity}") must be a number of cores or of millicores ("500m")`);
  return m[2] ? Number(m[1]) / 1000 : Number(m[1]);
}
