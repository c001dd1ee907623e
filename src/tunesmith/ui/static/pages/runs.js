// The Runs page: every run in the workspace with filters; pick 2–4 to compare (#/runs?compare=a,b); open one
// (#/runs?run=ID) for its recipe, curves, eval report and predictions, and evaluate it again as a task.
import { api } from '../lib/api.js';
import { clear, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { errorBox, field, loading, number, useStyle, when } from '../lib/ui.js';
import { metricText, runLink, statusBadge } from './runs_common.js';
import { renderCompare } from './runs_compare.js';
import { renderRun } from './runs_run.js';
import { STRINGS } from './runs_strings.js';

const STATUSES = ['finished', 'training', 'incomplete'];
const MIN_PICK = 2, MAX_PICK = 4;

function options(values, current) {
  return [h('option', { value: '' }, t('runs.any')), ...values.map((v) => h('option', { value: v, selected: v === current }, v))];
}

async function renderList(main, ctx) {
  main.append(h('h1', {}, t('runs.title')));
  const picked = new Set();
  const q = h('input', { type: 'search', name: 'q', autocomplete: 'off' });
  const method = h('select', { name: 'method' }, options([]));
  const stage = h('select', { name: 'stage' }, options([]));
  const status = h('select', { name: 'status' }, [h('option', { value: '' }, t('runs.any')), ...STATUSES.map((s) => h('option', { value: s }, t(`runs.status.${s}`)))]);
  const compare = h('button', { type: 'button', class: 'primary', id: 'runs-compare', disabled: true, onClick: () => ctx.navigate(`#/runs?compare=${[...picked].map(encodeURIComponent).join(',')}`) }, t('runs.compare', { n: 0 }));
  const refresh = h('button', { type: 'button', onClick: () => load() }, t('common.refresh'));
  const form = h('form', { class: 'row runs-filters', role: 'search', onSubmit: (e) => { e.preventDefault(); load(); } },
    field(t('runs.filter.q'), q, t('runs.filter.q.help')), field(t('runs.filter.method'), method),
    field(t('runs.filter.stage'), stage), field(t('runs.filter.status'), status));
  const count = h('p', { class: 'muted', 'aria-live': 'polite', id: 'runs-count' });
  const body = h('div', { id: 'runs-list' }, loading());
  main.append(form, h('div', { class: 'row' }, compare, h('span', { class: 'muted' }, t('runs.compare.help')), refresh), count, body);

  function updateCompare() {
    compare.disabled = picked.size < MIN_PICK || picked.size > MAX_PICK;
    compare.textContent = t('runs.compare', { n: picked.size });
  }

  let seq = 0;
  async function load() {
    const mine = ++seq;
    let found;
    try {
      found = await api.get('/ui/api/runs', { q: q.value, method: method.value, stage: stage.value, status: status.value });
    } catch (error) { clear(body).append(errorBox(error)); return; }
    if (mine !== seq) return; // a newer filter answered first
    for (const [select, values] of [[method, found.methods], [stage, found.stages]]) {
      const current = select.value;
      clear(select).append(...options(values, current));
      select.value = values.includes(current) ? current : '';
    }
    count.textContent = t('runs.count', { n: found.data.length });
    clear(body).append(found.data.length ? runTable(found.data) : h('p', { class: 'muted' }, t('runs.none')));
  }

  function runTable(rows) {
    const heads = ['runs.col.select', 'runs.col.name', 'runs.col.model', 'runs.col.method', 'runs.col.stage', 'runs.col.status', 'runs.col.steps', 'runs.col.time', 'runs.col.metrics', 'runs.col.modified'];
    return h('div', { class: 'scroll' }, h('table', { class: 'runs-table' },
      h('thead', {}, h('tr', {}, heads.map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, rows.map((run) => {
        const box = h('input', { type: 'checkbox', value: run.id, checked: picked.has(run.id), 'aria-label': t('runs.select', { name: run.name }),
          onChange: (e) => { if (e.target.checked) picked.add(run.id); else picked.delete(run.id); updateCompare(); } });
        return h('tr', { 'data-run': run.id },
          h('td', {}, box), h('td', {}, runLink(run.id, run.name), h('div', { class: 'muted runs-id' }, run.id)),
          h('td', {}, run.model), h('td', {}, run.method), h('td', {}, run.stage), h('td', {}, statusBadge(run.status)),
          h('td', { class: 'num' }, number(run.steps)), h('td', { class: 'num' }, run.train_seconds === null ? '—' : `${number(run.train_seconds, 1)} s`),
          h('td', {}, run.metrics.length ? h('ul', { class: 'runs-metrics' }, run.metrics.map((m) => h('li', {}, `${m.name} ${metricText(m)}`))) : '—'),
          h('td', {}, when(run.modified)));
      }))));
  }

  let timer = null;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 250); });
  for (const select of [method, stage, status]) select.addEventListener('change', load);
  await load();
  updateCompare();
  return () => clearTimeout(timer);
}

export default {
  strings: STRINGS,
  async render(main, ctx) {
    useStyle('runs');
    const compare = ctx.params.get('compare');
    if (compare) return renderCompare(main, ctx, compare.split(',').filter(Boolean));
    const run = ctx.params.get('run');
    if (run) return renderRun(main, ctx, run, ctx.params.get('report'));
    return renderList(main, ctx);
  },
};
