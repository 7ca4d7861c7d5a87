import { bytes, duration } from '../core/format';
import { toYaml } from '../core/yaml';
import {
  ComposeDeviceRequest,
  ComposeFile,
  ComposeHealthcheck,
  ComposeResources,
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
    out.secrets = mapValues(file.secrets, (secret) => ({
      file: `${secret.directory instanceof ComposeVariable ? secret.directory.toString() : literal(secret.directory)}/${literal(secret.file)}`,
    }));
  }
  return toYaml(out, { flowKeys: ['test', 'capabilities', 'cap_drop'], comment: file.comment });
}

function renderService(service: ComposeService, name: string): Record<string, unknown> {
  return compact({
    image: literal(service.image),
    build:
      service.build &&
      compact({
        context: literal(service.build.context),
        dockerfile: service.build.dockerfile && literal(service.build.dockerfile),
      }),
    command: service.command?.map(literal),
    user: service.user && literal(service.user),
    environment: service.environment?.length
      ? Object.fromEntries(
          service.environment.map(({ name: key, value }) => [
            key,
            value instanceof ComposeVariable ? value.toString() : literal(value),
          ]),
        )
      : undefined,
    ports: service.ports?.length
      ? service.ports.map((p) => `${p.hostIp ? `${p.hostIp}:` : ''}${p.published}:${p.target}`)
      : undefined,
    volumes: service.mounts?.length
      ? service.mounts.map((m) =>
          compact({
            type: m.type,
            source: literal(m.source),
            target: literal(m.target),
            read_only: m.readOnly || undefined,
          }),
        )
      : undefined,
    secrets: service.secrets?.length
      ? service.secrets.map((s) => ({ source: s.source, target: literal(s.target) }))
      : undefined,
    tmpfs: service.tmpfs?.length ? service.tmpfs.map(literal) : undefined,
    networks:
      service.networks && Object.keys(service.networks).length ? renderServiceNetworks(service.networks) : undefined,
    depends_on:
      service.dependsOn && Object.keys(service.dependsOn).length
        ? mapValues(service.dependsOn, (condition) => ({ condition }))
        : undefined,
    healthcheck: service.healthcheck && renderHealthcheck(service.healthcheck),
    deploy:
      service.replicas !== undefined || service.resources
        ? compact({
            replicas: service.replicas,
            resources: service.resources && renderResources(service.resources, name),
          })
        : undefined,
    restart: service.restart,
    stop_grace_period: service.stopGracePeriod && duration(service.stopGracePeriod),
    shm_size: service.shmSize && bytes(service.shmSize),
    ulimits:
      service.ulimits && Object.keys(service.ulimits).length
        ? mapValues(service.ulimits, (l) => ({ soft: l.soft, hard: l.hard }))
        : undefined,
    read_only: service.readOnly || undefined,
    cap_drop: service.capDrop?.length ? service.capDrop : undefined,
    security_opt: service.securityOpt?.length ? service.securityOpt.map(literal) : undefined,
    logging:
      service.logging &&
      compact({
        driver: service.logging.driver,
        options:
          service.logging.options && Object.keys(service.logging.options).length
            ? mapValues(service.logging.options, literal)
            : undefined,
      }),
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
    throw new Error(
      `renderComposeFile: service '${service}': a device request takes count (${device.count}) or deviceIds (${device.deviceIds.join(', ')}), not both`,
    );
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

function mapValues<T, U>(record: Record<string, T>, fn: (value: T, key: string) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value, key)]));
}

/** Drops undefined entries, so optional model fields leave no `null` behind. */
function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
