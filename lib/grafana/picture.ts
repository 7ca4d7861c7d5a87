/**
 * A picture of a dashboard: the panels of a rendered Grafana dashboard JSON laid out on Grafana's 24-column
 * grid, each with its title, type and the metrics its queries read. For documentation (the README shows the
 * platform's), so that what it shows is what the library renders.
 */

/** The parts of a rendered Grafana panel the picture reads. */
interface RenderedPanel {
  readonly title: string;
  readonly type: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: ReadonlyArray<{ readonly expr: string }>;
}

const COLUMN = 40;
const ROW = 22;
const PAD = 4;

/** The SVG of a rendered dashboard (the JSON `renderDashboard` returns). */
export function renderDashboardPicture(dashboardJson: string): string {
  const dashboard = JSON.parse(dashboardJson) as { title: string; panels: RenderedPanel[] };
  const height = Math.max(...dashboard.panels.map((p) => p.gridPos.y + p.gridPos.h)) * ROW + 40;
  const width = 24 * COLUMN + 2 * PAD;
  const panels = dashboard.panels.map((p) => panelPicture(p));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"`
      + ' font-family="Helvetica, Arial, sans-serif">',
    `<rect width="${width}" height="${height}" fill="#111217"/>`,
    `<text x="${PAD + 4}" y="24" font-size="16" fill="#d8d9da">${escape(dashboard.title)}</text>`,
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}

function panelPicture(p: RenderedPanel): string {
  const x = PAD + p.gridPos.x * COLUMN;
  const y = 36 + p.gridPos.y * ROW;
  const w = p.gridPos.w * COLUMN - PAD;
  const h = p.gridPos.h * ROW - PAD;
  const metrics = [...new Set((p.targets ?? []).flatMap((t) => metricNames(t.expr)))];
  const lines = wrap(metrics.join(', '), Math.floor(w / 6.2)).slice(0, Math.max(1, Math.floor((h - 44) / 13)));
  return [
    '<g>',
    `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="3" fill="#181b1f" stroke="#2c3235"/>`,
    `<text x="${x + 8}" y="${y + 18}" font-size="12" font-weight="bold" fill="#d8d9da">${escape(p.title)}</text>`,
    `<text x="${x + 8}" y="${y + 33}" font-size="10" fill="#8e8e8e">${escape(p.type)}</text>`,
    ...lines.map((line, i) =>
      `<text x="${x + 8}" y="${y + 50 + i * 13}" font-size="10" fill="#6e9fff">${escape(line)}</text>`),
    '</g>',
  ].join('\n');
}

/** The metric names a PromQL expression reads (identifiers followed by a selector or a range). */
function metricNames(expr: string): string[] {
  const names = [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(?=\{|\[)/g)].map((m) => m[1]);
  return names.filter((n) => !['by', 'without', 'on', 'ignoring'].includes(n));
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
