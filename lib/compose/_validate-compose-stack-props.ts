import * as path from 'path';
import { isDnsLabel, PropsRule, PropsValidator } from '../core/validation';
import { NGINX_CONTAINER } from '../gateway/_nginx-container';
import type { GpuAgentDeployment } from '../workloads/gpu-agent-deployment';
import { ComposeStackProps, ComposeWorkloadOptions } from './compose-stack-props';
import { pinGpuDevices } from './_gpu-devices';

/**
 * ComposeStack's validation rules, as tables (aws-cdk's `validate-queue-props.ts`): its props, checked in
 * the constructor, and what spans constructs (which workloads exist), checked at synth time. Each table
 * runs whole, so the user sees every problem at once.
 */

/** Container ports of the gateway, which stub_status must not share. */
const GATEWAY_PORTS: number[] = [NGINX_CONTAINER.httpPort, NGINX_CONTAINER.httpsPort];
const RESTART_POLICIES = ['no', 'always', 'on-failure', 'unless-stopped'];

// ---------------------------------------------------------------------------------------------------
// The props (constructor)

/** What ComposeStack resolved from its props, with every default applied: what its rules check. */
export interface ComposeStackFacts {
  /** The props as given. */
  readonly props: ComposeStackProps;
  readonly directory: string;
  readonly name: string;
  readonly gatewayImage: string;
  readonly prometheusImage: string;
  readonly exporterImage?: string;
}

type Rule = PropsRule<ComposeStackFacts>;

const nginxConf: Rule = (v, { props }) => {
  v.check(typeof props.nginxConf === 'function', 'nginxConf', props.nginxConf,
    "must be a function that renders the gateway's nginx.conf");
};

const directory: Rule = (v, f) => {
  v.check(/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/.test(f.directory), 'directory', f.directory,
    'must be a relative path of lowercase letters, digits and ._- segments');
};

const name: Rule = (v, f) => {
  v.dnsLabel('name', f.name);
};

const images: Rule = (v, f) => {
  v.pinnedImage('gateway.image', f.gatewayImage).pinnedImage('prometheus.image', f.prometheusImage)
    .pinnedImage('gateway.exporter.image', f.exporterImage);
};

const gatewayPorts: Rule = (v, { props }) => {
  const gateway = props.gateway;
  v.port('gateway.httpPort', gateway?.httpPort).port('gateway.httpsPort', gateway?.httpsPort);
  v.check((gateway?.httpPort ?? 80) !== (gateway?.httpsPort ?? 443), 'gateway.httpsPort', gateway?.httpsPort ?? 443,
    'must differ from gateway.httpPort');
};

const statusPort: Rule = (v, { props }) => {
  const exporter = props.gateway?.exporter;
  if (!exporter) return;
  const port = exporter.statusPort;
  v.port('gateway.exporter.statusPort', port);
  v.check(port === undefined || !GATEWAY_PORTS.includes(port), 'gateway.exporter.statusPort', port,
    `must differ from the gateway's listen ports (${GATEWAY_PORTS.join(', ')}): `
    + 'stub_status must not be reachable from outside');
};

const gatewayPaths: Rule = (v, { props }) => {
  const exporter = props.gateway?.exporter;
  v.absolutePath('gateway.healthPath', props.gateway?.healthPath)
    .absolutePath('gateway.exporter.statusPath', exporter ? exporter.statusPath : undefined);
};

const machineGpus: Rule = (v, { props }) => {
  v.integer('gpus', props.gpus, 1);
};

const hostName: Rule = (v, { props }) => {
  const host = props.gateway?.hostName;
  if (host === undefined) return;
  v.check(/^[A-Za-z0-9.*-]{1,253}$/.test(host), 'gateway.hostName', host, 'must be a host name');
};

const prometheus: Rule = (v, { props }) => {
  const given = props.prometheus;
  if (given?.hostPort !== false) v.port('prometheus.hostPort', given?.hostPort);
  const durations = [
    ['prometheus.scrapeInterval', given?.scrapeInterval],
    ['prometheus.evaluationInterval', given?.evaluationInterval],
    ['prometheus.retention', given?.retention],
  ] as const;
  for (const [prop, d] of durations) {
    if (d === undefined) continue;
    const seconds = d.toSeconds({ integral: false });
    v.check(Number.isInteger(seconds) && seconds >= 1, prop, d.toHumanString(),
      'must be a whole number of seconds, at least 1');
  }
};

const loggingAndRestart: Rule = (v, { props }) => {
  v.integer('logging.maxFiles', props.logging?.maxFiles, 1, 100);
  v.check(props.restart === undefined || RESTART_POLICIES.includes(props.restart), 'restart', props.restart,
    `must be one of ${RESTART_POLICIES.join(', ')}`);
};

const workloads: Rule = (v, { props }) => {
  for (const [workload, options] of Object.entries(props.workloads ?? {})) {
    checkWorkloadOptions(v, `workloads.${workload}`, options);
  }
};

function checkWorkloadOptions(v: PropsValidator, prefix: string, options: ComposeWorkloadOptions): void {
  v.dnsLabel(`${prefix}.serviceName`, options.serviceName);
  v.integer(`${prefix}.replicas`, options.replicas, 1);
  const ids = options.gpuDeviceIds;
  if (ids !== undefined && !(ids.length > 0 && ids.every((d) => /^[A-Za-z0-9-]+$/.test(d)))) {
    v.fail(`${prefix}.gpuDeviceIds (${JSON.stringify(ids)}) must list at least one device index or UUID`);
  }
  const context = options.build ? options.build.context : undefined;
  if (context !== undefined) {
    v.check(context !== '' && !path.posix.isAbsolute(context), `${prefix}.build.context`, context,
      'must be a path relative to the Compose file');
  }
  v.pinnedImage(`${prefix}.build.baseImage`, options.build ? options.build.baseImage : undefined);
  if (options.healthCheckCommand !== undefined) {
    v.check(options.healthCheckCommand.length > 0, `${prefix}.healthCheckCommand`, options.healthCheckCommand,
      'must name a command');
  }
}

/** The rules of ComposeStack's props, in the order their problems are reported. */
const RULES: readonly Rule[] = [
  nginxConf, directory, name, images, gatewayPorts, statusPort, gatewayPaths, hostName, machineGpus, prometheus,
  loggingAndRestart, workloads,
];

/** Checks a ComposeStack's resolved props and throws one error listing every problem. */
export function validateComposeStackProps(id: string, facts: ComposeStackFacts): void {
  new PropsValidator('ComposeStack', id).rules(RULES, facts).throwIfAny();
}

// ---------------------------------------------------------------------------------------------------
// Across constructs (synth time)

/** What the checks across constructs read: the platform's workloads and the stack's own names. */
export interface ComposePlatformFacts {
  readonly workloads: readonly GpuAgentDeployment[];
  /** The stack's options of a workload (`props.workloads[name]`, or none). */
  readonly options: (workload: GpuAgentDeployment) => ComposeWorkloadOptions;
  readonly props: ComposeStackProps;
  /** Service names the stack itself uses, with what uses each (`nginx` → `the gateway`). */
  readonly stackServices: ReadonlyMap<string, string>;
  /** Named volumes of the stack's own services. */
  readonly stackVolumes: readonly string[];
}

/** One check across constructs: returns its problems, without the construct prefix. */
type PlatformRule = (facts: ComposePlatformFacts) => string[];

const knownWorkloads: PlatformRule = ({ props, workloads: all }) => {
  const names = all.map((w) => w.name);
  return Object.keys(props.workloads ?? {}).filter((key) => !names.includes(key))
    .map((key) => `workloads.${key} names no workload of the platform (workloads: ${names.join(', ') || 'none'})`);
};

const serviceNames: PlatformRule = ({ workloads: all, options, stackServices }) => {
  const problems: string[] = [];
  const taken = new Map(stackServices);
  for (const w of all) {
    const service = options(w).serviceName ?? w.name;
    const subject = `service name ("${service}") of workload '${w.name}'`;
    if (!isDnsLabel(service)) problems.push(`${subject} must be a DNS-1123 label`);
    const owner = taken.get(service);
    if (owner) problems.push(`${subject} is already used by ${owner}; set workloads.${w.name}.serviceName`);
    taken.set(service, `workload '${w.name}'`);
  }
  return problems;
};

const gpus: PlatformRule = ({ workloads: all, options }) => all.flatMap((w) => {
  const problems: string[] = [];
  const resource = w.gpu?.type.resourceName;
  if (resource !== undefined && resource !== 'nvidia.com/gpu') {
    problems.push(`workload '${w.name}' requests GPU resource ("${resource}"); `
      + 'Compose reserves only NVIDIA GPUs (nvidia.com/gpu)');
  }
  if (options(w).gpuDeviceIds && !w.gpu) {
    problems.push(`workloads.${w.name}.gpuDeviceIds is set, but the workload requests no GPU`);
  }
  return problems;
});

/** GPU services reserving by count: Docker gives each the first GPUs of the machine. */
const sharedGpus: PlatformRule = ({ workloads: all, options, props }) => {
  const byCount = all.filter((w) => w.gpu && !options(w).gpuDeviceIds);
  const names = byCount.map((w) => `${w.name} (${w.gpu!.count})`).join(', ');
  const gpus = props.gpus;
  if (gpus === undefined) {
    return byCount.length > 1 ? [`workloads ${names} reserve GPUs by count, and Docker gives each the first GPUs `
      + 'of the machine (they would all share device 0): set gpus (the machine\'s GPU count) to pin distinct '
      + 'devices, or gpuDeviceIds per workload'] : [];
  }
  // The devices the stack renders: every one must exist on the machine.
  const pinned = [...pinGpuDevices(all, (w) => options(w).gpuDeviceIds).values()].flat();
  if (pinned.every((id) => Number(id) < gpus)) return [];
  const given = new Set(all.flatMap((w) => options(w).gpuDeviceIds ?? [])
    .filter((id) => /^\d+$/.test(id) && Number(id) < gpus));
  return [`workloads ${names} need ${pinned.length} GPUs besides the ${given.size} given by gpuDeviceIds, more than `
    + `the machine's gpus (${gpus})`];
};

const modelClaims: PlatformRule = ({ workloads: all, stackVolumes }) => all.flatMap((w) => {
  const claim = w.modelStorage?.claimName;
  if (claim === undefined || !stackVolumes.includes(claim)) return [];
  return [`workload '${w.name}' mounts claim ("${claim}"), the name of a volume of the stack `
    + `(${stackVolumes.join(', ')}); rename the claim`];
});

/** The checks across constructs, in the order their problems are reported. */
const PLATFORM_RULES: readonly PlatformRule[] = [knownWorkloads, serviceNames, gpus, sharedGpus, modelClaims];

/** Every problem of a ComposeStack with the platform's workloads, each naming the stack. */
export function validateComposeStackAgainstPlatform(id: string, facts: ComposePlatformFacts): string[] {
  return PLATFORM_RULES.flatMap((rule) => rule(facts)).map((problem) => `ComposeStack '${id}': ${problem}`);
}
