/** A copy of a record with its keys in sorted order: deterministic output wherever key order is not meaningful. */
export function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]]));
}
