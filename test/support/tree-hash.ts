import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** SHA-256 over every file's relative path and bytes under `dir`, in sorted order: equal iff the tree is. */
export function hashTree(dir: string): string {
  const hash = crypto.createHash('sha256');
  const walk = (d: string) => fs.readdirSync(d).sort().forEach((name) => {
    const full = path.join(d, name);
    if (fs.statSync(full).isDirectory()) walk(full);
    else hash.update(path.relative(dir, full)).update('\0').update(fs.readFileSync(full));
  });
  walk(dir);
  return hash.digest('hex');
}
