import { Duration, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { EnvValue, GpuAgentDeployment, GpuAgentDeploymentProps, GpuType, ModelStorage, WorkloadRole } from '../../lib';
import { expectValidKubernetes, findObject, findObjects } from '../support/kube-schema';
import { pattern } from '../support/patterns';

const IMAGE = 'registry.example.com/ai-agent:v1.2.0';

function synth(props: Partial<GpuAgentDeploymentProps> = {}, id = 'ai-agent') {
  const chart = Testing.chart();
  const agent = new GpuAgentDeployment(chart, id, { image: IMAGE, namespace: 'ai-platform', ...props });
  const objects = Testing.synth(chart);
  return { chart, agent, objects, deployment: findObject(objects, 'Deployment', agent.name) };
}

const container = (deployment: any) => deployment.spec.template.spec.containers[0];

describe('GpuAgentDeployment', () => {
  test('renders the brief\'s GPU agent, fixed, and passes the Kubernetes schemas', () => {
    const { objects } = synth({
      replicas: 3,
      gpu: { type: GpuType.A100_40GB, count: 1 },
      modelStorage: ModelStorage.existingClaim('model-pvc'),
      modelPath: '/models/llama-7b',
      redisUrl: 'redis://redis:6379',
      configMapName: 'agent-config',
      serviceName: 'ai-agent-service',
    });
    expect(objects).toMatchSnapshot();
    expectValidKubernetes(objects);
    expect(objects.map((o: any) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Deployment/ai-agent', 'Service/ai-agent-service', 'PodDisruptionBudget/ai-agent-pdb',
    ]);
  });

  test('puts the GPU count in limits and equal requests as a string quantity', () => {
    const { deployment } = synth({ gpu: { type: GpuType.H100_80GB, count: 2 } });
    const resources = container(deployment).resources;
    expect(resources.limits['nvidia.com/gpu']).toBe('2');
    expect(resources.requests['nvidia.com/gpu']).toBe('2');
    expect(resources.requests.cpu).toBe('2');
    expect(resources.limits.memory).toBe('8Gi');
  });

  test('selects the GPU pool and tolerates its taint', () => {
    const { deployment } = synth({ gpu: { type: GpuType.A100_40GB } });
    const spec = deployment.spec.template.spec;
    expect(spec.nodeSelector).toEqual({ 'gpu-type': 'nvidia-a100' });
    expect(spec.tolerations).toEqual([{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
  });

  test('a custom GPU with its own resource name and label key', () => {
    const gpu = GpuType.custom({
      name: 'AMD MI300X',
      nodeLabelValue: 'amd-mi300x',
      memory: Size.gibibytes(192),
      resourceName: 'amd.com/gpu',
    });
    const { deployment } = synth({ gpu: { type: gpu, nodeLabelKey: 'accelerator', tolerations: [] } });
    expect(container(deployment).resources.limits['amd.com/gpu']).toBe('1');
    expect(deployment.spec.template.spec.nodeSelector).toEqual({ accelerator: 'amd-mi300x' });
  });

  test('a CPU-only workload has no GPU resource, selector or toleration', () => {
    const { deployment } = synth();
    expect(Object.keys(container(deployment).resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect(deployment.spec.template.spec.nodeSelector).toBeUndefined();
    expect(deployment.spec.template.spec.tolerations).toBeUndefined();
  });

  test('the GPU catalog has the brief\'s table plus H100 and L4', () => {
    expect(GpuType.CATALOG.map((g) => [g.nodeLabelValue, g.memory.toGibibytes()])).toEqual([
      ['nvidia-a100', 40], ['nvidia-a100-80gb', 80], ['nvidia-h100', 80], ['nvidia-a10', 24],
      ['nvidia-l4', 24], ['nvidia-t4', 16], ['nvidia-v100', 16], ['nvidia-v100-32gb', 32],
    ]);
    expect(GpuType.fromNodeLabel('nvidia-t4')).toBe(GpuType.T4_16GB);
    expect(() => GpuType.fromNodeLabel('nvidia-b200')).toThrow(
      /unknown GPU node label \("nvidia-b200"\); known: nvidia-a100/,
    );
  });

  test('the startup probe budget covers model loading; liveness and readiness follow', () => {
    const { deployment } = synth({ probes: { modelLoadTime: Duration.minutes(8) } });
    const c = container(deployment);
    expect(c.startupProbe).toEqual({
      httpGet: { path: '/health', port: 'http' },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 96,
    });
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(8 * 60);
    expect(c.livenessProbe.httpGet.path).toBe('/health');
    expect(c.livenessProbe.initialDelaySeconds).toBeUndefined();
    expect(c.readinessProbe.httpGet.path).toBe('/ready');
  });

  test('drains gracefully: preStop delay and a grace period longer than a generation', () => {
    const { deployment } = synth({ preStopDelay: Duration.seconds(15), drainTimeout: Duration.minutes(5) });
    expect(container(deployment).lifecycle.preStop.exec.command).toEqual(['sleep', '15']);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(315);
  });

  test('runs under the restricted pod security profile without a service-account token', () => {
    const { deployment } = synth();
    const pod = deployment.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(deployment).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container(deployment).volumeMounts).toEqual(expect.arrayContaining([
      { name: 'writable-tmp', mountPath: '/tmp' }, { name: 'dshm', mountPath: '/dev/shm' },
    ]));
    expect(pod.volumes).toEqual(
      expect.arrayContaining([{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }]),
    );
  });

  test('security opt-outs show in the output', () => {
    const { deployment } = synth({
      security: { readOnlyRootFilesystem: false, automountServiceAccountToken: true, runAsUser: 1000 },
      sharedMemory: Size.mebibytes(0),
    });
    const pod = deployment.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.securityContext.runAsUser).toBe(1000);
    expect(container(deployment).securityContext.readOnlyRootFilesystem).toBe(false);
    expect(pod.volumes).toBeUndefined();
  });

  test('the Service and PDB select exactly the pods', () => {
    const { objects, deployment, agent } = synth({ replicas: 2 });
    const labels = deployment.spec.template.metadata.labels;
    const service = findObject(objects, 'Service', 'ai-agent-service');
    const pdb = findObject(objects, 'PodDisruptionBudget', 'ai-agent-pdb');
    for (const selector of [
      service.spec.selector,
      pdb.spec.selector.matchLabels,
      deployment.spec.selector.matchLabels,
    ]) {
      expect(selector).toEqual(agent.selectorLabels);
      for (const [key, value] of Object.entries(selector)) expect(labels[key]).toBe(value);
    }
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(pdb.spec.maxUnavailable).toBe(1);
  });

  test('one replica gets no PDB unless asked; asked-for PDBs and opt-outs are honoured', () => {
    expect(findObjects(synth({ replicas: 1 }).objects, 'PodDisruptionBudget')).toHaveLength(0);
    expect(findObjects(synth({ replicas: 1, podDisruptionBudget: true }).objects, 'PodDisruptionBudget')).toHaveLength(
      1,
    );
    expect(findObjects(synth({ replicas: 3, podDisruptionBudget: false }).objects, 'PodDisruptionBudget')).toHaveLength(
      0,
    );
  });

  test('an autoscaler owns the replica count: replicas is omitted and a PDB appears', () => {
    const chart = Testing.chart();
    const agent = new GpuAgentDeployment(chart, 'ai-agent', { image: IMAGE, replicas: 1 });
    agent.markAutoscaled(chart);
    const objects = Testing.synth(chart);
    expect(findObject(objects, 'Deployment', 'ai-agent').spec).not.toHaveProperty('replicas');
    expect(findObjects(objects, 'PodDisruptionBudget')).toHaveLength(1);
    expect(agent.autoscaled).toBe(true);
  });

  test('replicas: 0 is rendered (0 is a valid value)', () => {
    expect(synth({ replicas: 0 }).deployment.spec.replicas).toBe(0);
  });

  test('spreads pods across nodes, unless turned off', () => {
    const spread = synth().deployment.spec.template.spec.topologySpreadConstraints;
    expect(spread).toEqual([
      expect.objectContaining({
        topologyKey: 'kubernetes.io/hostname',
        maxSkew: 1,
        whenUnsatisfiable: 'ScheduleAnyway',
      }),
    ]);
    expect(synth({ spreadAcrossNodes: false }).deployment.spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  test('env: dedicated props first, then user env sorted; secrets by reference', () => {
    const { deployment } = synth({
      modelPath: '/models/m', redisUrl: 'redis://redis:6379', maxTokens: 2048, logLevel: 'INFO',
      env: { ZETA: EnvValue.value('z'), API_KEY: EnvValue.fromSecret('agent-secrets', 'api-key') },
    });
    expect(container(deployment).env).toEqual([
      { name: 'MODEL_PATH', value: '/models/m' },
      { name: 'REDIS_URL', value: 'redis://redis:6379' },
      { name: 'MAX_TOKENS', value: '2048' },
      { name: 'LOG_LEVEL', value: 'INFO' },
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'agent-secrets', key: 'api-key' } } },
      { name: 'ZETA', value: 'z' },
    ]);
  });

  test('rollouts: GPU workloads replace a pod at a time with no surge pod (no extra GPU); others surge one', () => {
    const update = (props: Partial<GpuAgentDeploymentProps>) => {
      const { strategy } = synth(props).deployment.spec;
      expect(strategy.type).toBe('RollingUpdate');
      return strategy.rollingUpdate;
    };
    const gpu = { type: GpuType.L4_24GB };
    expect(update({ replicas: 3, gpu })).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(update({ replicas: 3 })).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(update({ replicas: 3, gpu, rollout: { maxSurge: 1 } })).toEqual({ maxSurge: 1, maxUnavailable: 1 });
    expect(update({ replicas: 4, gpu, rollout: { maxUnavailable: 2 } })).toEqual({ maxSurge: 0, maxUnavailable: 2 });
    // The PDB allows the one unavailable pod a GPU rollout takes down.
    const { objects } = synth({ replicas: 3, gpu });
    expect(findObject(objects, 'PodDisruptionBudget', 'ai-agent-pdb').spec.maxUnavailable).toBe(1);
  });

  test('Prometheus scrape annotations, configurable and removable', () => {
    expect(synth().deployment.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics',
    });
    const custom = synth({ metrics: { port: 9400, path: '/stats' } }).deployment;
    expect(custom.spec.template.metadata.annotations['prometheus.io/port']).toBe('9400');
    expect(container(custom).ports).toContainEqual({ name: 'metrics', containerPort: 9400, protocol: 'TCP' });
    expect(synth({ metrics: false }).deployment.spec.template.metadata.annotations).toBeUndefined();
  });

  test('a new model claim and config data create the PVC and ConfigMap, and the data rolls the pods', () => {
    const make = (config: string) =>
      synth({
        replicas: 1,
        modelStorage: ModelStorage.newClaim({
          claimName: 'model-pvc',
          size: Size.gibibytes(200),
          storageClassName: 'fast',
        }),
        configMapName: 'agent-config',
        configData: { 'agent.yaml': config },
      });
    const a = make('max_tokens: 1\n');
    expectValidKubernetes(a.objects);
    const pvc = findObject(a.objects, 'PersistentVolumeClaim', 'model-pvc');
    expect(pvc.spec).toEqual({
      accessModes: ['ReadWriteOnce'], // what a default (block storage) class provides
      storageClassName: 'fast',
      resources: { requests: { storage: '200Gi' } },
    });
    expect(findObject(a.objects, 'ConfigMap', 'agent-config').data).toEqual({ 'agent.yaml': 'max_tokens: 1\n' });
    const checksumA = a.deployment.spec.template.metadata.annotations['checksum/config'];
    const checksumB = make('max_tokens: 2\n').deployment.spec.template.metadata.annotations['checksum/config'];
    expect(checksumA).toMatch(/^[0-9a-f]{64}$/);
    expect(checksumB).not.toBe(checksumA);
    expect(container(a.deployment).volumeMounts).toContainEqual({
      name: 'model-storage',
      mountPath: '/models',
      readOnly: true,
    });
    expect(container(a.deployment).volumeMounts).toContainEqual({
      name: 'config',
      mountPath: '/app/config',
      readOnly: true,
    });
  });

  test('same input, byte-identical output', () => {
    const props = {
      replicas: 3,
      gpu: { type: GpuType.A10_24GB },
      env: { B: EnvValue.value('2'), A: EnvValue.value('1') },
    };
    expect(JSON.stringify(synth(props).objects)).toBe(JSON.stringify(synth(props).objects));
  });

  test('resources are configurable', () => {
    const { deployment } = synth({
      resources: {
        cpu: { request: Cpu.millis(500), limit: Cpu.units(1) },
        memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1) },
      },
    });
    expect(container(deployment).resources).toEqual({
      requests: { cpu: '500m', memory: '512Mi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
  });

  describe('role', () => {
    test('is an agent by default, and its component label says so', () => {
      const { agent, deployment } = synth();
      expect(agent.role).toBe(WorkloadRole.AGENT);
      expect(deployment.metadata.labels['app.kubernetes.io/component']).toBe('agent');
    });

    test('a model service: the typed role decides the label of every object and pod', () => {
      const { agent, objects } = synth({ role: WorkloadRole.MODEL_SERVICE });
      expect(agent.role).toBe(WorkloadRole.MODEL_SERVICE);
      expect(objects.map((o: any) => o.metadata.labels['app.kubernetes.io/component'])).toEqual(['model', 'model']);
      expect(
        findObject(objects, 'Deployment', 'ai-agent').spec.template.metadata.labels['app.kubernetes.io/component'],
      ).toBe('model');
    });
  });

  describe('validation', () => {
    const fails = (props: Partial<GpuAgentDeploymentProps>, message: RegExp, id = 'ai-agent') =>
      expect(() => synth(props, id)).toThrow(message);

    test('fails when the GPU count is 0', () =>
      fails(
        { gpu: { type: GpuType.T4_16GB, count: 0 } },
        /GpuAgentDeployment 'ai-agent': gpu.count \(0\) must be a positive integer/,
      ));
    test('fails when the GPU count is 1.5', () =>
      fails({ gpu: { type: GpuType.T4_16GB, count: 1.5 } }, /gpu.count \(1.5\) must be a positive integer/));
    test('fails when the GPU type is not a GpuType', () =>
      fails(
        { gpu: { type: 'nvidia-a100' as unknown as GpuType } },
        /gpu.type \("nvidia-a100"\) must be a GpuType \(one of NVIDIA A100 40GB/,
      ));
    test('fails when the model does not fit in GPU memory', () =>
      fails(
        { gpu: { type: GpuType.T4_16GB, count: 2, modelMemory: Size.gibibytes(40) } },
        /gpu.modelMemory \(40Gi\) must fit in 2 × NVIDIA T4 16GB \(32Gi\)/,
      ));
    test('fails when the startup probe budget is shorter than the model load', () =>
      fails({ probes: { modelLoadTime: Duration.minutes(10), startupBudget: Duration.minutes(5) } },
        /probes.startupBudget \(5 minutes\) must be at least probes.modelLoadTime \(10 minutes\)/));
    test('fails when the name is not a DNS label', () =>
      fails({ name: 'AI_Agent' }, /name \("AI_Agent"\) must be a DNS-1123 label/));
    test('fails when replicas < 0', () => fails({ replicas: -1 }, /replicas \(-1\) must be an integer >= 0/));
    test('fails when the image is not pinned', () => {
      fails({ image: 'registry.example.com/ai-agent' }, /image \("registry.example.com\/ai-agent"\) must be pinned/);
      fails(
        { image: 'registry.example.com/ai-agent:latest' },
        /image \("registry.example.com\/ai-agent:latest"\) must be pinned/,
      );
      fails({ image: 'registry.example.com:5000/ai-agent' }, /must be pinned/);
    });
    test('fails when the model claim size is zero (a size without a unit does not type-check)', () =>
      fails(
        { modelStorage: ModelStorage.newClaim({ claimName: 'm', size: Size.gibibytes(0) }) },
        /modelStorage.size \(0Ki\) must be larger than zero/,
      ));
    test('fails when several replicas would share a single-node model volume, naming what to choose', () => {
      const claim = (accessMode?: 'ReadWriteOnce' | 'ReadWriteOncePod' | 'ReadOnlyMany' | 'ReadWriteMany') =>
        ModelStorage.newClaim({ claimName: 'm', size: Size.gibibytes(10), accessMode });
      fails({ replicas: 3, modelStorage: claim() }, new RegExp(
        "^GpuAgentDeployment 'ai-agent': modelStorage.accessMode \\(\"ReadWriteOnce\"\\) attaches to a single " +
          "node, but the workload runs 3 replicas: choose 'ReadOnlyMany' or 'ReadWriteMany' \\(with a storage " +
          'class that provides it\\), or one replica$'));
      fails({ replicas: 2, modelStorage: claim('ReadWriteOncePod') }, /modelStorage.accessMode \("ReadWriteOncePod"\)/);
      for (const mode of ['ReadOnlyMany', 'ReadWriteMany'] as const) {
        const pvc = findObject(synth({ replicas: 3, modelStorage: claim(mode) }).objects, 'PersistentVolumeClaim', 'm');
        expect(pvc.spec.accessModes).toEqual([mode]);
      }
      expect(findObject(synth({ replicas: 1, modelStorage: claim() }).objects, 'PersistentVolumeClaim', 'm').spec
        .accessModes).toEqual(['ReadWriteOnce']);
      // An existing claim is the cluster's business: its access mode is not known here.
      expect(() => synth({ replicas: 3, modelStorage: ModelStorage.existingClaim('m') })).not.toThrow();
    });
    test('fails when a rollout could never replace a pod, or its counts are not whole and non-negative', () => {
      fails({ rollout: { maxSurge: 0, maxUnavailable: 0 } }, new RegExp(
        '^GpuAgentDeployment \'ai-agent\': rollout \\({"maxSurge":0,"maxUnavailable":0}\\) can never replace a '
          + 'pod: maxSurge or maxUnavailable must be at least 1$'));
      fails({ rollout: { maxSurge: -1 } }, /rollout.maxSurge \(-1\) must be an integer >= 0/);
      fails({ rollout: { maxUnavailable: 0.5 } }, /rollout.maxUnavailable \(0.5\) must be an integer >= 0/);
    });
    test('fails when memory request exceeds the limit', () =>
      fails(
        { resources: { memory: { request: Size.gibibytes(16), limit: Size.gibibytes(8) } } },
        /resources.memory.request \(16Gi\) must be <= resources.memory.limit \(8Gi\)/,
      ));
    test('fails when an env name is not an identifier', () =>
      fails({ env: { 'BAD-NAME': EnvValue.value('x') } }, /env.BAD-NAME \("BAD-NAME"\) must be a C identifier/));
    test('fails when a path is not absolute', () =>
      fails({ probes: { healthPath: 'health' } }, /probes.healthPath \("health"\) must be an absolute path/));
    test('fails when configData has no ConfigMap name', () =>
      fails({ configData: { a: 'b' } }, /configData \(\["a"\]\) needs configMapName/));
    test('fails reporting every problem at once', () => {
      expect(() => synth({ replicas: -1, port: 70000, gpu: { type: GpuType.T4_16GB, count: 0 } }))
        .toThrow(/port \(70000\)[\s\S]*replicas \(-1\)[\s\S]*gpu.count \(0\)/);
    });
    test('fails when a Secret reference of env names no Secret or key the API server accepts', () =>
      fails({ env: { API_KEY: EnvValue.fromSecret('a;b', 'a;b') } }, pattern(
        /^GpuAgentDeployment 'ai-agent': env.API_KEY.secretName \("a;b"\) must be a DNS-1123 subdomain: .*\n/,
        /GpuAgentDeployment 'ai-agent': env.API_KEY.key \("a;b"\) must be a ConfigMap or Secret key: at most 253 /,
        /letters, digits, '-', '_' or '.', not '.' and not starting with '..'$/,
      )));
    test('fails when the GPU node label key or value, resource name or tolerations break the API server\'s rules',
      () => {
        const type = GpuType.custom({
          name: 'X', nodeLabelValue: 'a;b', memory: Size.gibibytes(8), resourceName: 'gpu',
        });
        const tolerations = [{ key: 'gpu', operator: 'Exists', value: 'x' }];
        fails({ gpu: { type, nodeLabelKey: 'gpu type', tolerations } },
          pattern(
            /^GpuAgentDeployment 'ai-agent': gpu.nodeLabelKey \("gpu type"\) must be a Kubernetes label key .*\n/,
            /.*gpu.type.nodeLabelValue \("a;b"\) must be a Kubernetes label value: .*\n/,
            /.*gpu.type.resourceName \("gpu"\) must be an extended resource name: .*\n/,
            /.*gpu.tolerations\[0\] \(\{"key":"gpu","operator":"Exists","value":"x"\}\) value must be empty with /,
            /operator 'Exists'$/,
          ));
      });
    test('fails when the model claim names no storage class or access mode the API server accepts', () => {
      const claim = (storageClassName: string, accessMode = 'ReadWriteOnce') => ModelStorage.newClaim({
        claimName: 'm', size: Size.gibibytes(1), storageClassName, accessMode: accessMode as 'ReadWriteOnce',
      });
      fails({ modelStorage: claim('Fast SSD', 'ReadWriteAll') }, pattern(
        /modelStorage.storageClassName \("Fast SSD"\) must be a DNS-1123 subdomain: .*\n/,
        /.*modelStorage.accessMode \("ReadWriteAll"\) must be one of ReadWriteOnce, ReadOnlyMany, ReadWriteMany, /,
        /ReadWriteOncePod$/,
      ));
      // An empty class means "no dynamic provisioning": the API server accepts it, and so does synth.
      const pvc = findObject(synth({ modelStorage: claim('') }).objects, 'PersistentVolumeClaim', 'm');
      expect(pvc.spec.storageClassName).toBe('');
    });
    test('fails when two volumes would mount at one path, or a writable path gives no valid volume name', () => {
      fails({ configMapName: 'c', configMountPath: '/tmp' }, pattern(
        /^GpuAgentDeployment 'ai-agent': security.writablePaths\[0\] \("\/tmp"\) is also mounted by /,
        /configMountPath: mount paths of a container must differ$/,
      ));
      fails({ modelStorage: ModelStorage.existingClaim('m', { mountPath: '/dev/shm' }) },
        /sharedMemory \("\/dev\/shm"\) is also mounted by modelStorage.mountPath/);
      fails({ modelStorage: ModelStorage.existingClaim('m', { mountPath: 'models' }) },
        /modelStorage.mountPath \("models"\) must be an absolute path/);
      fails({ security: { writablePaths: ['/var/cache', '/var/Cache', `/${'x'.repeat(60)}`] } }, pattern(
        /security.writablePaths\[1\] \("\/var\/Cache"\) gives its emptyDir volume the name "writable-var-cache", /,
        /as "\/var\/cache" does\n.*security.writablePaths\[2\] \("\/x{60}"\) gives its emptyDir volume a name /,
        /\("writable-x{60}"\) that is no DNS-1123 label \(at most 63 characters\): use a shorter path$/,
      ));
    });
    test('fails when the Service name, partOf, user ID or CPU break the API server\'s rules', () => {
      fails({ serviceName: '1-agent' }, /serviceName \("1-agent"\) must be a DNS-1035 label: at most 63 lowercase /);
      fails({ partOf: 'a;b' }, /partOf \("a;b"\) must be a Kubernetes label value/);
      fails({ security: { runAsUser: 2 ** 31 } }, /security.runAsUser \(2147483648\) must be an integer between 1 /);
      fails({ resources: { cpu: { request: Cpu.units(-1), limit: Cpu.units(1) } } },
        /resources.cpu.request \(-1\) must be a CPU quantity larger than zero/);
      fails({ configData: { '..data': 'x' } }, /configData...data \("..data"\) must be a ConfigMap or Secret key/);
    });
    test('fails when configData is larger than a ConfigMap may be (1 MiB)', () => {
      fails({ configMapName: 'c', configData: { a: 'x'.repeat(1024 * 1024) } }, pattern(
        /^GpuAgentDeployment 'ai-agent': configData \(1048577 bytes\) must total at most 1048576 bytes \(keys and /,
        /values\): the API server's limit of a ConfigMap$/,
      ));
      expect(() => synth({ configMapName: 'c', configData: { a: 'x'.repeat(1024 * 1024 - 1) } })).not.toThrow();
    });
    test('fails when the default Service name (<name>-service) is no Service name, saying how to choose one', () =>
      fails({ name: '7b-model' }, pattern(
        /^GpuAgentDeployment 'ai-agent': serviceName \("7b-model-service"\) must be a DNS-1035 label: .* \(it is /,
        /the default, <name>-service: set serviceName\)$/,
      )));
    test('fails when the id (the default name) is empty, naming the prop instead of the constructs library', () =>
      fails({}, /^GpuAgentDeployment '': name \(""\) must be a DNS-1123 label/, ''));
    test('fails when two autoscalers claim one workload', () => {
      const chart = Testing.chart();
      const agent = new GpuAgentDeployment(chart, 'ai-agent', { image: IMAGE });
      agent.markAutoscaled(new GpuAgentDeployment(chart, 'a', { image: IMAGE }));
      expect(() => agent.markAutoscaled(new GpuAgentDeployment(chart, 'b', { image: IMAGE }))).toThrow(
        /already autoscaled by/,
      );
    });
  });
});
