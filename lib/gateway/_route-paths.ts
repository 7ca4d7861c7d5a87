import { PathMatch } from './upstream';

/**
 * The nginx locations a route takes, as `[modifier, path]` pairs: an exact route one `= path`; a prefix route
 * its prefix (with the slash) and `= path without the slash`.
 */
export function routeLocations(path: string, match: PathMatch): ReadonlyArray<readonly string[]> {
  if (match === PathMatch.EXACT) return [['=', path]];
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const bare = prefix.slice(0, -1);
  return bare ? [[prefix], ['=', bare]] : [[prefix]];
}

/** The path the edge (Ingress, HTTPRoute) matches: a prefix without its trailing slash, an exact path as is. */
export function edgePathOf(path: string, match: PathMatch): string {
  return match === PathMatch.PREFIX && path.length > 1 ? path.replace(/\/+$/, '') : path;
}
