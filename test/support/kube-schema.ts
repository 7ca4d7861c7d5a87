import { execFileSync } from 'child_process';
import * as path from 'path';

/** A Kubernetes object as synthesized. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/**
 * Validates objects against the real Kubernetes (and CRD) schemas of `kubernetes-models`, in one child
 * process for the batch. Returns the problems; an object without a schema is a problem too.
 */
export function schemaProblems(objects: readonly unknown[]): Array<{ object: string; error: string }> {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'validate-k8s.mjs')], {
    input: JSON.stringify(objects),
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out.toString());
}

/** Fails the test with every schema problem of `objects`. */
export function expectValidKubernetes(objects: readonly unknown[]): void {
  expect(objects.length).toBeGreaterThan(0);
  expect(schemaProblems(objects)).toEqual([]);
}

/** The objects of one kind (and optionally name) from a synthesized manifest list. */
export function findObjects(objects: readonly unknown[], kind: string, name?: string): any[] {
  return (objects as KubeObject[]).filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
}

/** Exactly one object of a kind and name; fails otherwise. */
export function findObject(objects: readonly unknown[], kind: string, name: string): any {
  const found = findObjects(objects, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind} '${name}', found ${found.length}`);
  return found[0];
}
