import { ApiObject, Chart } from 'cdk8s';

/**
 * Makes every object of `chart` that lives in a Namespace the chart itself creates depend on that
 * Namespace, so that cdk8s' dependency order writes the Namespace first and `kubectl apply -f dist/` on
 * an empty cluster works in one pass (kubectl applies documents in file order). Objects are otherwise
 * kept in the order they were added. Idempotent: a construct's dependencies are a set.
 */
export function namespacesFirst(chart: Chart): void {
  const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const namespaces = new Map(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.name, o]));
  for (const object of objects) {
    const namespace = object.kind === 'Namespace' ? undefined : namespaces.get(object.metadata.namespace ?? '');
    if (namespace) object.node.addDependency(namespace);
  }
}
