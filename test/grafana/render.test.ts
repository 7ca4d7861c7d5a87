import { DashboardPanel, renderDashboard } from '../../lib/grafana';

const DS = { type: 'prometheus', uid: '${datasource}' };

const latency: DashboardPanel = {
  title: 'Latency', type: 'timeseries', unit: 's', width: 16, height: 8, description: 'P99 of requests',
  queries: [{ expr: 'a', legend: 'p99' }, { expr: 'b', legend: 'p50' }],
  thresholds: [{ value: 3, color: 'red' }], min: 0, max: 10,
};
const budget: DashboardPanel = {
  title: 'Budget left', type: 'stat', unit: 'percentunit', width: 8, height: 4, baseColor: 'red',
  queries: [{ expr: 'c', legend: '{{slo}}' }],
};
const replicas: DashboardPanel = {
  title: 'Replicas', type: 'timeseries', unit: 'short', width: 12, height: 6, queries: [{ expr: 'd', legend: 'r' }],
};

describe('renderDashboard: the Grafana JSON model, written out', () => {
  test('the whole model of a small dashboard', () => {
    expect(JSON.parse(renderDashboard({ uid: 'u', title: 'T', tags: ['ai'], panels: [latency, budget, replicas] })))
      .toEqual({
        uid: 'u', title: 'T', tags: ['ai'], editable: false, graphTooltip: 1, schemaVersion: 39, version: 1,
        refresh: '30s', time: { from: 'now-6h', to: 'now' }, timezone: 'browser', annotations: { list: [] },
        templating: {
          list: [{
            name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0,
            refresh: 1,
          }],
        },
        panels: [
          {
            id: 1, type: 'timeseries', title: 'Latency', description: 'P99 of requests', datasource: DS,
            gridPos: { h: 8, w: 16, x: 0, y: 0 },
            fieldConfig: {
              defaults: {
                unit: 's', min: 0, max: 10,
                thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: 3 }] },
                custom: { thresholdsStyle: { mode: 'dashed' } },
              },
              overrides: [],
            },
            options: {
              legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
              tooltip: { mode: 'multi', sort: 'desc' },
            },
            targets: [
              { refId: 'A', datasource: DS, expr: 'a', legendFormat: 'p99' },
              { refId: 'B', datasource: DS, expr: 'b', legendFormat: 'p50' },
            ],
          },
          {
            id: 2, type: 'stat', title: 'Budget left', datasource: DS, gridPos: { h: 4, w: 8, x: 16, y: 0 },
            fieldConfig: {
              defaults: {
                unit: 'percentunit', thresholds: { mode: 'absolute', steps: [{ color: 'red', value: null }] },
              },
              overrides: [],
            },
            options: {
              reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
              colorMode: 'value', graphMode: 'none', textMode: 'auto',
            },
            targets: [{ refId: 'A', datasource: DS, expr: 'c', legendFormat: '{{slo}}' }],
          },
          {
            // 16 + 8 fill the row: the next panel starts a row below the tallest (8).
            id: 3, type: 'timeseries', title: 'Replicas', datasource: DS, gridPos: { h: 6, w: 12, x: 0, y: 8 },
            fieldConfig: {
              defaults: { unit: 'short', thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }] } },
              overrides: [],
            },
            options: {
              legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
              tooltip: { mode: 'multi', sort: 'desc' },
            },
            targets: [{ refId: 'A', datasource: DS, expr: 'd', legendFormat: 'r' }],
          },
        ],
      });
  });

  test('pretty-printed with two spaces and a final newline', () => {
    const text = renderDashboard({ uid: 'u', title: 'T', tags: [], panels: [] });
    expect(text.startsWith('{\n  "uid": "u",\n')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  test('rows: a panel that would pass column 24 wraps; one that fits exactly does not; the row height resets', () => {
    const p = (width: number, height: number): DashboardPanel => ({ ...replicas, width, height });
    const grid = (panels: DashboardPanel[]) =>
      JSON.parse(renderDashboard({ uid: 'u', title: 'T', tags: [], panels })).panels.map((x: any) => x.gridPos);
    expect(grid([p(24, 3), p(12, 5), p(12, 2), p(1, 1)])).toEqual([
      { h: 3, w: 24, x: 0, y: 0 }, { h: 5, w: 12, x: 0, y: 3 }, { h: 2, w: 12, x: 12, y: 3 },
      { h: 1, w: 1, x: 0, y: 8 },
    ]);
  });

  test('a timeseries without thresholds draws no threshold lines', () => {
    const text = renderDashboard({ uid: 'u', title: 'T', tags: [], panels: [{ ...replicas, thresholds: [] }] });
    const panel = JSON.parse(text).panels[0];
    expect(panel.fieldConfig.defaults.custom).toBeUndefined();
  });

  test.each([0, 25, -1])('fails when a panel is %d columns wide', (width) => {
    expect(() => renderDashboard({ uid: 'u', title: 'T', tags: [], panels: [{ ...replicas, width }] })).toThrow(
      `Grafana dashboard: panel 'Replicas' width (${width}) must be between 1 and 24`,
    );
  });

  test('1 and 24 columns are fine', () => {
    for (const width of [1, 24]) {
      expect(() => renderDashboard({ uid: 'u', title: 'T', tags: [], panels: [{ ...replicas, width }] })).not.toThrow();
    }
  });
});
