import { block, comment, directive, NginxNode } from '../nginx';

/**
 * W3C Trace Context at the gateway: a valid `traceparent` from the client is continued (its trace id and
 * flags), anything else starts a trace whose id is the request's random `$request_id`. The agents receive
 * `traceparent` with the gateway as the parent span, and the access log carries the trace id beside the request
 * ID, so a request can be followed from the gateway into the agents. `tracestate` passes through untouched.
 * @see https://www.w3.org/TR/trace-context/#traceparent-header
 */
export const TRACE_ID_VAR = '$gateway_trace_id';
const SPAN_ID_VAR = '$gateway_span_id';
const FLAGS_VAR = '$gateway_trace_flags';
/** Version 00, a trace id and parent id that are not all zeros, two flag digits. */
const VALID = '^00-(?!0{32})(?<gateway_in_trace>[0-9a-f]{32})-(?!0{16})[0-9a-f]{16}-(?<gateway_in_flags>[0-9a-f]{2})$';

/** The `http` nodes: the trace id, the gateway's span id and the flags. */
export function traceContextHttpNodes(): NginxNode[] {
  return [
    comment('W3C Trace Context: continue a valid traceparent, else start a trace with the request\'s random id.'),
    block('map', ['$http_traceparent', TRACE_ID_VAR], [
      directive(`~${VALID}`, '$gateway_in_trace'),
      directive('default', '$request_id'),
    ]),
    block('map', ['$http_traceparent', FLAGS_VAR], [
      directive(`~${VALID}`, '$gateway_in_flags'),
      directive('default', '01'),
    ]),
    comment('The gateway\'s own span: 16 hex digits of the request\'s random id.'),
    block('map', ['$request_id', SPAN_ID_VAR], [
      directive('~^(?<gateway_span>[0-9a-f]{16})', '$gateway_span'),
    ]),
  ];
}

/** The header the agents receive: the trace, with the gateway as the parent span. */
export function traceContextProxyHeader(): NginxNode {
  return directive('proxy_set_header', 'traceparent', `00-${TRACE_ID_VAR}-${SPAN_ID_VAR}-${FLAGS_VAR}`);
}

/** OTLP export with nginx's OpenTelemetry module. */
export interface OtelExport {
  readonly otlpEndpoint: string;
  readonly serviceName: string;
}

/** The main-context node: load the module. */
export function otelMainNodes(): NginxNode[] {
  return [comment('nginx\'s OpenTelemetry module (nginx:*-otel images).'),
    directive('load_module', 'modules/ngx_otel_module.so')];
}

/**
 * The `http` nodes with OTLP export: every request is a span, exported to the collector; the module continues
 * an incoming trace and hands `traceparent` on (`propagate`), so the gateway's own header is not set then.
 */
export function otelHttpNodes(otel: OtelExport): NginxNode[] {
  return [
    comment('OpenTelemetry: a span per request, exported over OTLP/gRPC; the module propagates traceparent.'),
    block('otel_exporter', [], [directive('endpoint', otel.otlpEndpoint)]),
    directive('otel_service_name', otel.serviceName),
    directive('otel_trace', 'on'),
    directive('otel_trace_context', 'propagate'),
  ];
}
