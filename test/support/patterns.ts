// Expected error messages are long; a pattern for one is written over several lines as several regex literals.

/** One RegExp from parts written on several lines: their sources in sequence, nothing added between them. */
export function pattern(...parts: RegExp[]): RegExp {
  return new RegExp(parts.map((part) => part.source).join(''));
}
