// Line charts with uPlot (vendored from npm, MIT): loss curves, learning rate, several runs overlaid.
import { h } from './dom.js';

const COLORS = ['#1f6feb', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#0a7ea4'];

// An axis label that stays readable for a learning rate (2e-4) as for a loss (10.6) or a count (12000).
function tick(value) {
  if (value === null || value === undefined) return '';
  const size = Math.abs(value);
  if (size === 0) return '0';
  if (size < 1e-3 || size >= 1e6) return value.toExponential(1);
  return String(Number(value.toPrecision(4)));
}

// lineChart(container, {title, xLabel, yLabel}) -> {update(series)}; series: [{label, points: [[x, y], ...]}].
// Each series keeps its own x values; they are merged onto one x axis (gaps where a series has no point).
export function lineChart(container, { title = '', xLabel = 'step', yLabel = '' } = {}) {
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': title });
  container.append(box);
  let plot = null, shape = '';
  function width() { return Math.max(260, box.clientWidth || container.clientWidth || 600); }
  function update(series) {
    const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
    const columns = series.map((s) => { const m = new Map(s.points); return xs.map((x) => (m.has(x) ? m.get(x) : null)); });
    const data = [xs, ...columns];
    const key = series.map((s) => s.label).join('|');
    box.setAttribute('aria-label', `${title}: ${series.map((s) => `${s.label} ${s.points.length} points`).join(', ')}`);
    box.dataset.points = String(series.reduce((n, s) => n + s.points.length, 0));
    if (plot && key === shape) { plot.setData(data); return; }
    if (plot) plot.destroy();
    shape = key;
    plot = new window.uPlot({
      title, width: width(), height: 220,
      scales: { x: { time: false } },
      axes: [{ label: xLabel }, { label: yLabel, values: (u, splits) => splits.map(tick), size: 60 }],
      series: [{ label: xLabel }, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true, points: { show: s.points.length < 40 } }))],
    }, data, box);
  }
  new ResizeObserver(() => plot && plot.setSize({ width: width(), height: 220 })).observe(box);
  return { update, element: box };
}

// A histogram from bins [{lo, hi, count}] drawn as plain SVG bars (no library needed for a dozen rectangles).
export function histogram(container, bins, { title = '', label = 'tokens' } = {}) {
  const width = 600, height = 160, max = Math.max(1, ...bins.map((b) => b.count));
  const bar = width / Math.max(1, bins.length);
  const svg = h('svg', { viewBox: `0 0 ${width} ${height + 20}`, role: 'img', 'aria-label': title, class: 'chart', svg: true });
  bins.forEach((b, i) => {
    const y = height - (b.count / max) * height;
    const rect = h('rect', { svg: true, x: i * bar + 1, y, width: Math.max(1, bar - 2), height: height - y, fill: COLORS[0] });
    rect.append(h('title', { svg: true }, `${b.lo}–${b.hi} ${label}: ${b.count}`));
    svg.append(rect);
  });
  if (bins.length) {
    svg.append(h('text', { svg: true, x: 0, y: height + 16, 'font-size': 12 }, String(bins[0].lo)));
    svg.append(h('text', { svg: true, x: width, y: height + 16, 'font-size': 12, 'text-anchor': 'end' }, String(bins[bins.length - 1].hi)));
  }
  container.append(svg);
  return svg;
}
