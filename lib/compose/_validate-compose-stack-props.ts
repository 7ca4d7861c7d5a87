import * as path from 'path';
import { PropsValidator } from '../core/validation';
import { NGINX_CONTAINER } from '../gateway/_nginx-container';
import { ComposeStackProps } from './compose-stack-props';
import { isPinnedImage } from '../workloads/agent-values';

/** Container ports of the gateway, which stub_status must not share. */
const GATEWAY_PORTS: number[] = [NGINX_CONTAINER.httpPort, NGINX_CONTAINER.httpsPort];

/**
 * Checks the props of a ComposeStack and reports every problem at once. What spans constructs (which
 * workloads exist) is checked at synth time by the stack itself.
 */
export function validateComposeStackProps(
  id: string,
  props: ComposeStackProps,
  resolved: {
    readonly directory: string;
    readonly name: string;
    readonly gatewayImage: string;
    readonly prometheusImage: string;
    readonly exporterImage?: string;
  },
): void {
  const v = new PropsValidator('ComposeStack', id);
  v.check(
    typeof props.nginxConf === 'function',
    'nginxConf',
    props.nginxConf,
    "must be a function that renders the gateway's nginx.conf",
  );
  v.check(
    /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/.test(resolved.directory),
    'directory',
    resolved.directory,
    'must be a relative path of lowercase letters, digits and ._- segments',
  );
  v.dnsLabel('name', resolved.name);
  const images: Array<[string, string | undefined]> = [
    ['gateway.image', resolved.gatewayImage],
    ['prometheus.image', resolved.prometheusImage],
    ['gateway.exporter.image', resolved.exporterImage],
  ];
  for (const [prop, image] of images) {
    if (image !== undefined) {v.check(isPinnedImage(image), prop, image, 'must be pinned to a tag other than "latest" or to a digest');}
  }
  v.integer('gateway.httpPort', props.gateway?.httpPort, 1, 65535).integer(
    'gateway.httpsPort',
    props.gateway?.httpsPort,
    1,
    65535,
  );
  v.check(
    (props.gateway?.httpPort ?? 80) !== (props.gateway?.httpsPort ?? 443),
    'gateway.httpsPort',
    props.gateway?.httpsPort ?? 443,
    'must differ from gateway.httpPort',
  );
  if (props.gateway?.exporter) {
    v.integer('gateway.exporter.statusPort', props.gateway.exporter.statusPort, 1, 65535);
    const statusPort = props.gateway.exporter.statusPort;
    v.check(
      statusPort === undefined || !GATEWAY_PORTS.includes(statusPort),
      'gateway.exporter.statusPort',
      statusPort,
      `must differ from the gateway's listen ports (${GATEWAY_PORTS.join(', ')}): stub_status must not be reachable from outside`,
    );
  }
  const paths: Array<[string, string | undefined]> = [
    ['gateway.healthPath', props.gateway?.healthPath],
    ['gateway.exporter.statusPath', props.gateway?.exporter ? props.gateway.exporter.statusPath : undefined],
  ];
  for (const [prop, p] of paths) {
    if (p !== undefined) {v.check(/^\/[A-Za-z0-9._~\-/]*$/.test(p), prop, p, 'must be an absolute path of letters, digits and ._~-/');}
  }
  if (props.gateway?.hostName !== undefined) {
    v.check(
      /^[A-Za-z0-9.*-]{1,253}$/.test(props.gateway.hostName),
      'gateway.hostName',
      props.gateway.hostName,
      'must be a host name',
    );
  }
  if (props.prometheus?.hostPort !== false) v.integer('prometheus.hostPort', props.prometheus?.hostPort, 1, 65535);
  for (const [prop, d] of [
    ['prometheus.scrapeInterval', props.prometheus?.scrapeInterval],
    ['prometheus.evaluationInterval', props.prometheus?.evaluationInterval],
    ['prometheus.retention', props.prometheus?.retention],
  ] as const) {
    if (d !== undefined) {
      v.check(
        Number.isInteger(d.toSeconds({ integral: false })) && d.toSeconds({ integral: false }) >= 1,
        prop,
        d.toHumanString(),
        'must be a whole number of seconds, at least 1',
      );
    }
  }
  v.integer('logging.maxFiles', props.logging?.maxFiles, 1, 100);
  v.check(
    props.restart === undefined || ['no', 'always', 'on-failure', 'unless-stopped'].includes(props.restart),
    'restart',
    props.restart,
    'must be one of no, always, on-failure, unless-stopped',
  );
  for (const [workload, options] of Object.entries(props.workloads ?? {})) {
    v.dnsLabel(`workloads.${workload}.serviceName`, options.serviceName);
    v.integer(`workloads.${workload}.replicas`, options.replicas, 1);
    const ids = options.gpuDeviceIds;
    if (ids !== undefined && !(ids.length > 0 && ids.every((d) => /^[A-Za-z0-9-]+$/.test(d)))) {
      v.fail(`workloads.${workload}.gpuDeviceIds (${JSON.stringify(ids)}) must list at least one device index or UUID`);
    }
    if (options.build && options.build.context !== undefined) {
      v.check(
        options.build.context !== '' && !path.posix.isAbsolute(options.build.context),
        `workloads.${workload}.build.context`,
        options.build.context,
        'must be a path relative to the Compose file',
      );
    }
    if (options.build && options.build.baseImage !== undefined) {
      v.check(
        isPinnedImage(options.build.baseImage),
        `workloads.${workload}.build.baseImage`,
        options.build.baseImage,
        'must be pinned to a tag other than "latest" or to a digest',
      );
    }
    if (options.healthCheckCommand !== undefined) {
      v.check(
        options.healthCheckCommand.length > 0,
        `workloads.${workload}.healthCheckCommand`,
        options.healthCheckCommand,
        'must name a command',
      );
    }
  }
  v.throwIfAny();
}
