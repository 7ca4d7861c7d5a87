/**
 * A small typed model of a Grafana dashboard (what the platform's dashboard needs) and its one
 * serializer to Grafana's dashboard JSON.
 * @see https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/
 */

/** One PromQL query of a panel. */
export interface PanelQuery {
  /** The PromQL expression. */
  readonly expr: string;
  /** Legend template (`{{deployment}} replicas`). */
  readonly legend: string;
}

/** A horizontal threshold drawn on a panel (an alert threshold, an SLO target). */
export interface PanelThreshold {
  /** Value in the panel's unit. */
  readonly value: number;
  /** Grafana colour name. */
  readonly color: 'green' | 'yellow' | 'orange' | 'red';
}

/** A panel of the dashboard. */
export interface DashboardPanel {
  /** Panel title. */
  readonly title: string;
  /** `timeseries` for graphs, `stat` for single numbers. */
  readonly type: 'timeseries' | 'stat';
  /**
   * Grafana unit id (`reqps`, `percentunit`, `s`, `percent`, `none`).
   * @see https://grafana.com/docs/grafana/latest/panels-visualizations/configure-standard-options/#unit
   */
  readonly unit: string;
  /** The queries. */
  readonly queries: readonly PanelQuery[];
  /** Width in grid columns (of 24). */
  readonly width: number;
  /** Height in grid rows. */
  readonly height: number;
  /** What the panel shows, as a tooltip. @default - no description */
  readonly description?: string;
  /**
   * Thresholds, lowest first, drawn above {@link baseColor} (dashed lines on time series).
   * @default - none: the whole range is {@link baseColor}
   * @see https://grafana.com/docs/grafana/latest/panels-visualizations/configure-thresholds/
   */
  readonly thresholds?: readonly PanelThreshold[];
  /** Colour below the first threshold. @default 'green' */
  readonly baseColor?: PanelThreshold['color'];
  /** Axis minimum, in the panel's unit. @default - Grafana scales to the data */
  readonly min?: number;
  /** Axis maximum, in the panel's unit. @default - Grafana scales to the data */
  readonly max?: number;
}

/** A dashboard. */
export interface Dashboard {
  /** Stable uid: the dashboard's URL stays the same across deploys. */
  readonly uid: string;
  /** Title. */
  readonly title: string;
  /** Tags. */
  readonly tags: readonly string[];
  /** Panels, laid out left to right, top to bottom. */
  readonly panels: readonly DashboardPanel[];
}

/** Grafana's dashboard JSON for the model; deterministic (same model, same bytes). */
export function renderDashboard(dashboard: Dashboard): string {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = dashboard.panels.map((panel, index) => {
    if (panel.width < 1 || panel.width > 24) {
      throw new Error(`Grafana dashboard: panel '${panel.title}' width (${panel.width}) must be between 1 and 24`);
    }
    if (x + panel.width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { h: panel.height, w: panel.width, x, y };
    x += panel.width;
    rowHeight = Math.max(rowHeight, panel.height);
    return renderPanel(panel, index + 1, gridPos);
  });
  const model = {
    uid: dashboard.uid,
    title: dashboard.title,
    tags: [...dashboard.tags],
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    timezone: 'browser',
    annotations: { list: [] },
    templating: {
      list: [{
        name: 'datasource',
        label: 'Data source',
        type: 'datasource',
        query: 'prometheus',
        current: {},
        hide: 0,
        refresh: 1,
      }],
    },
    panels,
  };
  return `${JSON.stringify(model, undefined, 2)}\n`;
}

function renderPanel(panel: DashboardPanel, id: number, gridPos: object): object {
  const steps = [
    { color: panel.baseColor ?? 'green', value: null },
    ...(panel.thresholds ?? []).map((t) => ({ color: t.color, value: t.value })),
  ];
  return {
    id,
    type: panel.type,
    title: panel.title,
    ...(panel.description ? { description: panel.description } : {}),
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos,
    fieldConfig: {
      defaults: {
        unit: panel.unit,
        ...(panel.min !== undefined ? { min: panel.min } : {}),
        ...(panel.max !== undefined ? { max: panel.max } : {}),
        thresholds: { mode: 'absolute', steps },
        ...(panel.type === 'timeseries' && panel.thresholds?.length
          ? { custom: { thresholdsStyle: { mode: 'dashed' } } }
          : {}),
      },
      overrides: [],
    },
    options:
      panel.type === 'stat'
        ? {
            reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
            colorMode: 'value',
            graphMode: 'none',
            textMode: 'auto',
          }
        : {
            legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
            tooltip: { mode: 'multi', sort: 'desc' },
          },
    targets: panel.queries.map((q, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: { type: 'prometheus', uid: '${datasource}' },
      expr: q.expr,
      legendFormat: q.legend,
    })),
  };
}
