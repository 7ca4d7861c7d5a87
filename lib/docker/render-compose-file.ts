import { bytes, duration } from '../core/format';
import { toYaml } from '../core/yaml';
import {
  ComposeBuild,
  ComposeDeviceRequest,
  ComposeFile,
  ComposeHealthcheck,
  ComposeLogging,
  ComposeMount,
  ComposePort,
  ComposeResources,
  ComposeSecret,
  ComposeService,
  ComposeVariable,
} from './compose-file';

/**
 * Renders a {@link ComposeFile} as `docker-compose.yml` in the current Compose Specification: no
 * `version:` key, and nothing that docker-compose 1.29 rejects (top-level `name:`, healthcheck
 * `start_interval`, `depends_on.restart`/`required`). Pure and deterministic.
 */
export function renderComposeFile(file: ComposeFile): string {
  const out: Record<string, unknown> = {
    services: mapValues(file.services, renderService),
  };
  if (file.networks && Object.keys(file.networks).length) {
    out.networks = mapValues(file.networks, (n) => compact({ name: n.name, driver: n.driver, internal: n.internal }));
  }
  if (file.volumes && Object.keys(file.volumes).length) {
    out.volumes = mapValues(file.volumes, (v) => compact({ name: v.name, external: v.external || undefined }));
  }
  if (file.secrets && Object.keys(file.secrets).length) {
    out.secrets = mapValues(file.secrets, (secret) => ({ file: secretFile(secret) }));
  }
  return toYaml(out, { flowKeys: ['test', 'capabilities', 'cap_drop'], comment: file.comment });
}

function renderService(service: ComposeService, name: string): Record<string, unknown> {
  return compact({
    image: literal(service.image),
    build: service.build && renderBuild(service.build),
    command: service.command?.map(literal),
    user: service.user && literal(service.user),
    environment: service.environment?.length ? renderEnvironment(service.environment) : undefined,
    ports: service.ports?.length ? service.ports.map(renderPort) : undefined,
    volumes: service.mounts?.length ? service.mounts.map(renderMount) : undefined,
    secrets: service.secrets?.length
      ? service.secrets.map((s) => ({ source: s.source, target: literal(s.target) }))
      : undefined,
    tmpfs: service.tmpfs?.length ? service.tmpfs.map(literal) : undefined,
    network_mode: service.networkOf !== undefined ? networkOf(name, service) : undefined,
    networks: hasKeys(service.networks) ? renderServiceNetworks(service.networks) : undefined,
    depends_on: hasKeys(service.dependsOn) ? mapValues(service.dependsOn, (condition) => ({ condition })) : undefined,
    healthcheck: service.healthcheck && renderHealthcheck(service.healthcheck),
    deploy: renderDeploy(service, name),
    restart: service.restart,
    stop_grace_period: service.stopGracePeriod && duration(service.stopGracePeriod),
    shm_size: service.shmSize && bytes(service.shmSize),
    ulimits: hasKeys(service.ulimits) ? mapValues(service.ulimits, (l) => ({ soft: l.soft, hard: l.hard })) : undefined,
    read_only: service.readOnly || undefined,
    cap_drop: service.capDrop?.length ? service.capDrop : undefined,
    security_opt: service.securityOpt?.length ? service.securityOpt.map(literal) : undefined,
    logging: service.logging && renderLogging(service.logging),
  });
}

/** `service:<name>`; a service that joins another's network cannot have networks or ports of its own. */
function networkOf(name: string, service: ComposeService): string {
  if (hasKeys(service.networks) || service.ports?.length) {
    throw new Error(`Compose service '${name}': networkOf excludes networks and ports (they are the other service's)`);
  }
  return literal(`service:${service.networkOf}`);
}

function renderBuild(build: ComposeBuild): Record<string, unknown> {
  return compact({
    context: literal(build.context),
    dockerfile: build.dockerfile && literal(build.dockerfile),
  });
}

/** The map form: variables interpolated by Compose as they are, literal values escaped. */
function renderEnvironment(environment: NonNullable<ComposeService['environment']>): Record<string, string> {
  return Object.fromEntries(environment.map(({ name, value }) => [
    name,
    value instanceof ComposeVariable ? value.toString() : literal(value),
  ]));
}

/** The short form: `[host ip:]published:target`. */
function renderPort(port: ComposePort): string {
  return `${port.hostIp ? `${port.hostIp}:` : ''}${port.published}:${port.target}`;
}

/** The long form, which names the mount's type. */
function renderMount(mount: ComposeMount): Record<string, unknown> {
  return compact({
    type: mount.type,
    source: literal(mount.source),
    target: literal(mount.target),
    read_only: mount.readOnly || undefined,
  });
}

/** `deploy:` with the replicas and resources, when the service sets either. */
function renderDeploy(service: ComposeService, name: string): Record<string, unknown> | undefined {
  if (service.replicas === undefined && !service.resources) return undefined;
  return compact({
    replicas: service.replicas,
    resources: service.resources && renderResources(service.resources, name),
  });
}

function renderLogging(logging: ComposeLogging): Record<string, unknown> {
  return compact({
    driver: logging.driver,
    options: hasKeys(logging.options) ? mapValues(logging.options, literal) : undefined,
  });
}

/** The short list form, unless a network carries aliases. */
function renderServiceNetworks(networks: Record<string, { readonly aliases?: string[] }>): unknown {
  if (!Object.values(networks).some((n) => n.aliases?.length)) return Object.keys(networks);
  return mapValues(networks, (n) => (n.aliases?.length ? { aliases: n.aliases.map(literal) } : {}));
}

function renderHealthcheck(check: ComposeHealthcheck): Record<string, unknown> {
  return compact({
    test: ['CMD', ...check.command.map(literal)],
    interval: duration(check.interval),
    timeout: duration(check.timeout),
    retries: check.retries,
    start_period: check.startPeriod && duration(check.startPeriod),
  });
}

function renderResources(resources: ComposeResources, service: string): Record<string, unknown> {
  const limits =
    resources.limits &&
    compact({
      cpus: resources.limits.cpus !== undefined ? cpus(resources.limits.cpus) : undefined,
      memory: resources.limits.memory && bytes(resources.limits.memory),
    });
  const r = resources.reservations;
  const reservations = r && compact({
    cpus: r.cpus !== undefined ? cpus(r.cpus) : undefined,
    memory: r.memory && bytes(r.memory),
    devices: r.devices?.length ? r.devices.map((d) => renderDevice(d, service)) : undefined,
  });
  return compact({
    limits: limits && Object.keys(limits).length ? limits : undefined,
    reservations: reservations && Object.keys(reservations).length ? reservations : undefined,
  });
}

function renderDevice(device: ComposeDeviceRequest, service: string): Record<string, unknown> {
  if (device.count !== undefined && device.deviceIds !== undefined) {
    const given = `count (${device.count}) or deviceIds (${device.deviceIds.join(', ')})`;
    throw new Error(`renderComposeFile: service '${service}': a device request takes ${given}, not both`);
  }
  return compact({
    driver: device.driver,
    count: device.count,
    device_ids: device.deviceIds?.map(literal),
    capabilities: device.capabilities,
  });
}

/** `$` is Compose's interpolation character; a literal one is written `$$`. */
function literal(value: string): string {
  return value.replace(/\$/g, '$$$$');
}

/** CPUs as a quoted decimal string ("0.5", "4"), which every Compose implementation reads. */
function cpus(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** A secret's file: its directory, a variable Compose interpolates or a literal path, then the file name. */
function secretFile(secret: ComposeSecret): string {
  const { directory, file } = secret;
  const folder = directory instanceof ComposeVariable ? directory.toString() : literal(directory);
  return `${folder}/${literal(file)}`;
}

/** True when a record is given and has at least one key. */
function hasKeys<T>(record: Record<string, T> | undefined): record is Record<string, T> {
  return record !== undefined && Object.keys(record).length > 0;
}

function mapValues<T, U>(record: Record<string, T>, fn: (value: T, key: string) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value, key)]));
}

/** Drops undefined entries, so optional model fields leave no `null` behind. */
function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
