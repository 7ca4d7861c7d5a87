import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';

/** A duration as Compose, Docker and Prometheus write it: `30s`, `5m`, `1h`, `1m30s`. */
export function duration(d: Duration): string {
  const total = d.toSeconds();
  if (!Number.isInteger(total) || total < 0) {
    throw new Error(`duration (${d.toHumanString()}) must be a whole number of seconds`);
  }
  if (total === 0) return '0s';
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

/** A size as Docker writes byte values: the largest exact binary unit (`8g`, `512m`, `64k`, `100b`). */
export function bytes(size: Size): string {
  const kib = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!Number.isInteger(kib)) return `${Math.round(kib * 1024)}b`;
  if (kib > 0 && kib % (1024 * 1024) === 0) return `${kib / (1024 * 1024)}g`;
  if (kib > 0 && kib % 1024 === 0) return `${kib / 1024}m`;
  return `${kib}k`;
}

/** `text` as a regular expression that matches exactly it (PCRE, RE2 and JavaScript alike). */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
