import * as pulumi from '@pulumi/pulumi';

/** One RegisterResource request, as the Pulumi engine would receive it. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** URN of the parent ('' for none). */
  readonly parent: string;
  /** URNs of the resources it depends on (its `dependsOn`, and its parent's when inherited). */
  readonly dependencies: readonly string[];
  /** Provider reference (`urn::id`), '' for the default provider. */
  readonly provider: string;
  readonly custom: boolean;
  /** The inputs, with secrets unwrapped. */
  readonly inputs: any;
  /** JSON-pointer-like paths of the inputs that were marked secret (`/stringData`). */
  readonly secretPaths: readonly string[];
}

/**
 * Installs Pulumi's mocks (no engine, no cluster: every resource's state is its inputs) and records
 * every RegisterResource request the SDK sends, with the parent and dependency URNs the engine would
 * use for ordering.
 */
export function installRecordingMocks(): Registration[] {
  const registrations: Registration[] = [];
  void pulumi.runtime.setMocks({
    newResource: (args) => ({ id: args.custom ? `${args.name}-id` : undefined, state: args.inputs }),
    call: (args) => args.inputs,
  }, 'ai-agent-platform', 'test', false);
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: any, callback: (err: unknown, res: any) => void): unknown;
  };
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => registerResource(req, (err, res) => {
    if (!err) {
      registrations.push({
        type: req.getType(),
        name: req.getName(),
        urn: res.getUrn(),
        parent: req.getParent(),
        dependencies: req.getDependenciesList(),
        provider: req.getProvider(),
        custom: req.getCustom(),
        ...unwrapSecrets(res.getObject()?.toJavaScript() ?? {}),
      });
    }
    callback(err, res);
  });
  return registrations;
}

/** The value of an output (mocks run without preview, so every output is known). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => {
    resolve(value);
    return value;
  }));
}

/** Waits until every resource is registered. */
export async function registered(...resources: pulumi.Resource[]): Promise<string[]> {
  return Promise.all(resources.map((r) => valueOf(r.urn)));
}

/** Replaces Pulumi's secret envelopes (`{ [specialSigKey]: specialSecretSig, value }`) by their values. */
function unwrapSecrets(value: unknown): { inputs: any; secretPaths: string[] } {
  const secretPaths: string[] = [];
  const walk = (v: unknown, at: string): unknown => {
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${at}/${i}`));
    if (v === null || typeof v !== 'object') return v;
    const record = v as Record<string, unknown>;
    if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) {
      secretPaths.push(at);
      return walk(record.value, at);
    }
    return Object.fromEntries(Object.entries(record).map(([k, item]) => [k, walk(item, `${at}/${k}`)]));
  };
  return { inputs: walk(value, ''), secretPaths };
}
