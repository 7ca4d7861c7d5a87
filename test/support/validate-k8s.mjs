// Validates Kubernetes objects (a JSON array on stdin) against the real schemas of `kubernetes-models`
// and the `@kubernetes-models/*` CRD packages. Prints a JSON array of problems; exits 0 either way.
// Run in its own process because those packages are ESM-only.
const input = JSON.parse(await new Promise((resolve) => {
  let data = '';
  process.stdin.on('data', (chunk) => { data += chunk; });
  process.stdin.on('end', () => resolve(data));
}));

/** apiVersion group → module that holds its models. Core groups come from kubernetes-models. */
const CRD_MODULES = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'keda.sh': '@kubernetes-models/keda',
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api',
};

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const base = CRD_MODULES[group] ?? 'kubernetes-models';
  const path = group ? `${base}/${group}/${version}` : `${base}/${version}`;
  let mod;
  try {
    mod = await import(path);
  } catch (err) {
    throw new Error(`no schema module for ${apiVersion} (${path}): ${err.message}`);
  }
  if (!mod[kind]) throw new Error(`no schema for kind ${kind} in ${path}`);
  return mod[kind];
}

const problems = [];
for (const obj of input) {
  const where = `${obj?.kind}/${obj?.metadata?.namespace ?? ''}/${obj?.metadata?.name}`;
  try {
    const Model = await modelFor(obj.apiVersion, obj.kind);
    new Model(obj).validate();
  } catch (err) {
    problems.push({ object: where, error: String(err.message ?? err).slice(0, 2000) });
  }
}
process.stdout.write(JSON.stringify(problems));
