// Compare 2–4 runs (#/runs?compare=a,b): metrics with intervals, overlaid curves, the recipe diff, and the
// predictions side by side with each run's words marked against the first run's.
import { api } from '../lib/api.js';
import { clear, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { errorBox, number } from '../lib/ui.js';
import { answer, drawCurves, metricCell, pager, plain, runLink, statusBadge } from './runs_common.js';
import { markedDiff } from './runs_diff.js';

const PAGE = 50;

export async function renderCompare(main, ctx, ids) {
  main.append(h('p', {}, h('a', { href: '#/runs' }, t('runs.back'))));
  const query = { ids: ids.join(','), limit: PAGE };
  const data = await api.get('/ui/api/runs/compare', query);
  const runs = data.runs;
  main.append(h('h1', {}, t('runs.compare.title', { n: runs.length })),
    h('ul', { class: 'runs-legend' }, runs.map((r) => h('li', {}, runLink(r.id, r.name), ' ', h('span', { class: 'muted' }, r.id), ' ', statusBadge(r.status)))));

  main.append(section('runs-cmp-metrics', t('runs.metrics'), metricTable(data), h('p', { class: 'muted' }, t('runs.metrics.note'))));
  const curves = section('runs-cmp-curves', t('runs.curves'));
  main.append(curves);
  drawCurves(curves, data.curves);
  main.append(section('runs-cmp-diff', t('runs.diff'), diffTable(data)));

  const only = h('input', { type: 'checkbox', id: 'runs-only-differ' });
  const body = h('div', {});
  main.append(section('runs-cmp-predictions', t('runs.predictions'),
    h('div', { class: 'row' }, only, h('label', { for: 'runs-only-differ' }, t('runs.only_differ'))),
    h('p', { class: 'muted' }, t('runs.diff.marks')), body));

  async function load(offset) {
    try {
      const next = offset === 0 && !only.checked ? data : await api.get('/ui/api/runs/compare', { ...query, differ: only.checked, offset });
      drawPredictions(body, runs, next.predictions, load);
    } catch (error) { clear(body).append(errorBox(error)); }
  }
  only.addEventListener('change', () => load(0));
  await load(0);
}

function section(id, title, ...children) {
  return h('section', { class: 'panel', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...children);
}

function headRow(first, runs, numeric = false) {
  const heads = [...first.map((x) => h('th', { scope: 'col' }, x)), ...runs.map((r) => h('th', { scope: 'col', class: numeric ? 'num' : null }, r.name))];
  return h('thead', {}, h('tr', {}, heads));
}

function metricTable(data) {
  if (!data.metrics.length) return h('p', { class: 'muted' }, t('runs.no_report'));
  return h('div', { class: 'scroll' }, h('table', {}, headRow([t('runs.metric')], data.runs, true),
    h('tbody', {}, data.metrics.map((m) => h('tr', { 'data-metric': m.name },
      h('th', { scope: 'row' }, m.name), m.values.map((v, i) => h('td', { class: 'num' }, v ? metricCell(v, m.best === i) : t('runs.no_report'))))))));
}

function diffTable(data) {
  if (!data.recipe_diff.length) return h('p', { class: 'muted' }, t('runs.diff.none'));
  return h('div', { class: 'scroll' }, h('table', { class: 'runs-diff-table' }, headRow([t('runs.diff.key')], data.runs),
    h('tbody', {}, data.recipe_diff.map((row) => h('tr', { 'data-key': row.key },
      h('th', { scope: 'row' }, h('code', {}, row.key)),
      row.values.map((v, i) => h('td', {}, row.missing[i] ? h('span', { class: 'muted' }, t('runs.missing')) : h('code', {}, plain(v)))))))));
}

function drawPredictions(body, runs, page, onPage) {
  clear(body).append(h('p', { id: 'runs-differing' }, t('runs.differing', { n: page.differing, total: page.total })));
  if (!page.data.length) { body.append(h('p', { class: 'muted' }, t('runs.no_predictions'))); return; }
  const score = page.score_name ? t('runs.col.score', { name: page.score_name }) : null;
  body.append(h('div', { class: 'scroll' }, h('table', { class: 'runs-side' }, headRow(['#', t('runs.col.prompt'), t('runs.col.reference')], runs),
    h('tbody', {}, page.data.map((row) => {
      const first = row.cells[0];
      return h('tr', { class: row.differ ? 'runs-differ' : null, 'data-differ': row.differ ? '1' : '0' },
        h('td', { class: 'num' }, String(row.index + 1), row.differ ? h('span', { class: 'runs-flag' }, ` ${t('runs.differs')}`) : null),
        h('td', {}, row.prompt), h('td', {}, row.reference),
        row.cells.map((cell, i) => h('td', {},
          !cell ? '—' : (i > 0 && row.differ && first ? markedDiff(first.prediction, cell.prediction) : answer(cell.prediction)),
          cell && score ? h('div', { class: 'muted runs-score' }, `${score}: ${number(cell.score)}`) : null)));
    })))));
  const nav = pager(page, onPage);
  if (nav) body.append(nav);
}
