// What the run view, the compare view and the list share: metric cells with intervals, charts, a pager.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { lineChart } from '../lib/charts.js';
import { number } from '../lib/ui.js';

// "0.500 [0.333, 0.667]": the value and, where the report allows one, its 95% interval.
export function metricText(m) {
  if (!m || m.value === null || m.value === undefined) return '—';
  const value = score(m.value);
  return m.low === null || m.low === undefined ? value : `${value} [${score(m.low)}, ${score(m.high)}]`;
}

// A score with three decimals whatever its type in JSON (0.0 arrives as 0).
export function score(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(3) : number(value);
}

export function metricCell(m, best = false) {
  const text = metricText(m);
  return best ? h('strong', { class: 'runs-best', title: t('runs.best') }, text) : text;
}

export function runLink(id, name) {
  return h('a', { href: `#/runs?run=${encodeURIComponent(id)}` }, name || id);
}

export function statusBadge(status) {
  const cls = { finished: 'succeeded', training: 'running', incomplete: 'failed' }[status] || '';
  return h('span', { class: `badge ${cls}`, 'data-status': status }, t(`runs.status.${status}`));
}

// Two charts in `container`: losses (one series per run and kind) and, when asked, the learning rate.
// Returns update(runs), to redraw them with newer curves (a run still training).
export function drawCurves(container, runs, { learningRate = true } = {}) {
  const grid = h('div', { class: 'grid' });
  container.append(grid);
  const lossBox = h('div', { class: 'runs-chart', 'data-chart': 'loss' });
  grid.append(lossBox);
  const loss = lineChart(lossBox, { title: t('runs.chart.loss'), xLabel: 'step', yLabel: 'loss' });
  let lr = null;
  if (learningRate) {
    const lrBox = h('div', { class: 'runs-chart', 'data-chart': 'learning_rate' });
    grid.append(lrBox);
    lr = lineChart(lrBox, { title: t('runs.chart.lr'), xLabel: 'step', yLabel: 'lr' });
  }
  function update(latest) {
    const many = latest.length > 1;
    const series = [];
    for (const run of latest) {
      const prefix = many ? `${run.name}: ` : '';
      if (run.curves.train_loss.length) series.push({ label: `${prefix}${t('runs.series.train')}`, points: run.curves.train_loss });
      if (run.curves.eval_loss.length) series.push({ label: `${prefix}${t('runs.series.eval')}`, points: run.curves.eval_loss });
    }
    loss.update(series);
    if (lr) lr.update(latest.filter((r) => r.curves.learning_rate.length).map((r) => ({ label: many ? r.name : t('runs.chart.lr'), points: r.curves.learning_rate })));
  }
  update(runs);
  return update;
}

// Previous / next buttons for a paged list ({total, offset, limit}); onPage(newOffset).
export function pager(page, onPage) {
  if (page.total <= page.limit && page.offset === 0) return null;
  const last = Math.min(page.offset + page.limit, page.total);
  return h('div', { class: 'row runs-pager' },
    h('button', { type: 'button', disabled: page.offset === 0, onClick: () => onPage(Math.max(0, page.offset - page.limit)) }, t('runs.prev')),
    h('span', { class: 'muted' }, t('runs.page', { from: page.total ? page.offset + 1 : 0, to: last, total: page.total })),
    h('button', { type: 'button', disabled: last >= page.total, onClick: () => onPage(page.offset + page.limit) }, t('runs.next')));
}

// A model's answer as text; an empty answer is said to be empty rather than left blank.
export function answer(text) {
  return text === null || text === undefined || String(text).trim() === '' ? h('span', { class: 'muted' }, t('runs.empty')) : String(text);
}

export function plain(value) {
  if (value === null || value === undefined) return 'null';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
