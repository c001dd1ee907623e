// One run (#/runs?run=ID[&report=FOLDER]): curves, eval metrics with intervals (before/after when compared with
// the base), predictions, summary and recipe; Evaluate runs `tunesmith eval` as a task and loads its report.
import { api } from '../lib/api.js';
import { clear, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { errorBox, field, loading, number, poll, saveText, table, toast } from '../lib/ui.js';
import { answer, drawCurves, metricCell, pager, plain, statusBadge } from './runs_common.js';

const DONE = ['succeeded', 'failed', 'cancelled'];
const PAGE = 50;

export async function renderRun(main, ctx, id, reportAt) {
  main.append(h('p', {}, h('a', { href: '#/runs' }, t('runs.back'))));
  const detail = await api.get('/ui/api/runs/detail', { id, report: reportAt, limit: PAGE });
  const run = detail.run;
  let stopTask = null;

  const evalState = h('div', { class: 'runs-eval-state', 'aria-live': 'polite' });
  const evaluate = h('button', { type: 'button', class: 'primary', id: 'runs-evaluate', onClick: () => startEval() }, t('runs.evaluate'));
  // What to evaluate on: the recipe's eval.file, or any data file in the workspace (`tunesmith eval --data`).
  const evalFile = h('select', { id: 'runs-eval-file' }, h('option', { value: '' }, t('runs.eval.recipeFile')));
  api.get('/ui/api/data/files').then((found) => {
    for (const file of found.data) evalFile.append(h('option', { value: file.path }, file.path));
  }).catch(() => { /* the recipe's own file still works */ });
  main.append(
    h('h1', {}, run.name, ' ', statusBadge(run.status)),
    h('p', { class: 'muted runs-meta' }, [run.id, run.model, run.method, run.stage, t('runs.steps', { n: number(run.steps) }),
      run.train_seconds === null ? null : `${number(run.train_seconds, 1)} s`].filter(Boolean).join(' · ')),
    h('div', { class: 'row runs-eval' }, field(t('runs.eval.file'), evalFile), evaluate, evalState));

  const curves = h('section', { class: 'panel', 'aria-labelledby': 'runs-curves-h' }, h('h2', { id: 'runs-curves-h' }, t('runs.curves')));
  main.append(curves);
  const redraw = drawCurves(curves, [{ name: run.name, curves: detail.curves }]);
  const stopWatch = run.status === 'training' ? watch() : null;

  main.append(metricsPanel(detail, ctx, id));
  const predictions = h('section', { class: 'panel', id: 'runs-predictions', 'aria-labelledby': 'runs-pred-h' });
  main.append(predictions);

  if (detail.summary) main.append(summaryPanel(detail.summary));
  main.append(h('section', { class: 'panel', 'aria-labelledby': 'runs-recipe-h' },
    h('h2', { id: 'runs-recipe-h' }, t('runs.recipe')),
    h('div', { class: 'row' }, h('button', { type: 'button', onClick: () => saveText('recipe.yaml', detail.recipe_yaml, 'text/yaml') }, t('runs.recipe.download'))),
    h('pre', { class: 'runs-recipe' }, detail.recipe_yaml)));

  async function loadPage(offset) {
    try {
      const next = await api.get('/ui/api/runs/detail', { id, report: reportAt, offset, limit: PAGE });
      drawPredictions(predictions, next, loadPage);
    } catch (error) { predictions.append(errorBox(error)); }
  }
  drawPredictions(predictions, detail, loadPage);

  // A run still training: its curves grow every few seconds, and the view reloads once it has finished.
  function watch() {
    return poll(async () => {
      try {
        const latest = await api.get('/ui/api/runs/detail', { id, limit: 1 });
        redraw([{ name: run.name, curves: latest.curves }]);
        if (latest.run.status !== 'training') { stopWatch(); ctx.rerender(); }
      } catch { /* the next tick tries again */ }
    }, 3000);
  }

  async function startEval() {
    evaluate.disabled = true;
    clear(evalState);
    let task;
    try {
      const args = evalFile.value ? { run: id, file: evalFile.value } : { run: id };
      task = await api.post('/ui/api/tasks', { kind: 'eval', args });
    } catch (error) { evalState.append(errorBox(error)); evaluate.disabled = false; return; }
    const line = h('span', { class: 'muted', id: 'runs-eval-status' }, t('runs.eval.status', { id: task.id, status: task.status }));
    evalState.append(line);
    stopTask = poll(async () => {
      try {
        task = await api.get(`/ui/api/tasks/${encodeURIComponent(task.id)}`);
      } catch (error) { stopTask(); evalState.append(errorBox(error)); evaluate.disabled = false; return; }
      line.textContent = t('runs.eval.status', { id: task.id, status: task.status });
      if (!DONE.includes(task.status)) return;
      stopTask();
      if (task.status === 'succeeded') await finished(task);
      else await failed(task);
    }, 1000);
  }

  async function finished(task) {
    toast(t('runs.eval.done'));
    const report = (task.artifacts || []).find((p) => p.endsWith('/report.json'));
    const folder = report ? report.slice(0, -'/report.json'.length) : null;
    const own = `${run.id}/eval`;
    const hash = folder && folder !== own ? `#/runs?run=${encodeURIComponent(id)}&report=${encodeURIComponent(folder)}` : `#/runs?run=${encodeURIComponent(id)}`;
    if (location.hash === hash) ctx.rerender(); else ctx.navigate(hash);
  }

  async function failed(task) {
    evaluate.disabled = false;
    evalState.append(errorBox(`${t('runs.eval.failed')}: ${task.error || task.status}`));
    try {
      const log = await api.get(`/ui/api/tasks/${encodeURIComponent(task.id)}/log`, { offset: 0 });
      const tail = String(log.text || '').trimEnd().split('\n').slice(-15).join('\n');
      if (tail) evalState.append(h('details', { open: true }, h('summary', {}, t('runs.eval.log')), h('pre', {}, tail)));
    } catch { /* the error above says enough */ }
  }

  return () => { if (stopTask) stopTask(); if (stopWatch) stopWatch(); };
}

function metricsPanel(detail, ctx, id) {
  const panel = h('section', { class: 'panel', id: 'runs-metrics', 'aria-labelledby': 'runs-metrics-h' }, h('h2', { id: 'runs-metrics-h' }, t('runs.metrics')));
  const report = detail.report;
  if (detail.reports.length > 1 || (report && !detail.reports.includes(report.folder))) {
    const folders = [...new Set([...(report ? [report.folder] : []), ...detail.reports])];
    const select = h('select', { id: 'runs-report', onChange: (e) => ctx.navigate(`#/runs?run=${encodeURIComponent(id)}&report=${encodeURIComponent(e.target.value)}`) },
      folders.map((f) => h('option', { value: f, selected: report && f === report.folder }, f)));
    panel.append(h('div', { class: 'field' }, h('label', { for: 'runs-report' }, t('runs.report')), select));
  }
  if (!report) { panel.append(h('p', { class: 'muted' }, t('runs.metrics.none'))); return panel; }
  const models = report.models;
  const names = [...new Set(models.flatMap((m) => m.metrics.map((x) => x.name)))];
  const compared = models.length >= 2;
  const rows = names.map((name) => {
    const found = models.map((m) => m.metrics.find((x) => x.name === name));
    const first = found[0], last = found[found.length - 1];
    const delta = compared && first && last && first.value !== null && last.value !== null ? last.value - first.value : null;
    const lower = found.some((x) => x && x.lower_is_better);
    const better = delta === null || delta === 0 ? '' : ((delta < 0) === lower ? 'ok' : 'bad');
    return [name, ...found.map((x) => metricCell(x)), ...(compared ? [h('span', { class: better }, delta === null ? '—' : `${delta > 0 ? '+' : ''}${number(delta)}`)] : [])];
  });
  const headers = [t('runs.metric'), ...models.map((m) => m.label), ...(compared ? [t('runs.delta')] : [])];
  panel.append(table(headers, rows, { numeric: headers.map((_, i) => i).slice(1) }),
    h('p', { class: 'muted' }, t('runs.report.data', { file: report.data }), ' · ', t('runs.metrics.note')));
  return panel;
}

function drawPredictions(panel, detail, onPage) {
  clear(panel).append(h('h2', { id: 'runs-pred-h' }, t('runs.predictions')));
  const page = detail.predictions;
  if (!page.total) { panel.append(h('p', { class: 'muted' }, t('runs.no_predictions'))); return; }
  const withBase = page.data.some((p) => p.baseline_prediction !== null);
  const scoreName = detail.report?.score_name || '';
  const headers = ['#', t('runs.col.prompt'), t('runs.col.reference'), t('runs.col.prediction'), t('runs.col.score', { name: scoreName }),
    ...(withBase ? [t('runs.col.baseline'), t('runs.col.score', { name: scoreName })] : [])];
  const rows = page.data.map((p) => [String(p.index + 1), p.prompt, p.reference, answer(p.prediction), number(p.score),
    ...(withBase ? [answer(p.baseline_prediction), number(p.baseline_score)] : [])]);
  panel.append(table(headers, rows, { numeric: [0, 4, 6] }));
  if (onPage) { const nav = pager(page, onPage); if (nav) panel.append(nav); }
}

function summaryPanel(summary) {
  const keys = ['steps', 'train_examples', 'train_loss', 'best_eval_loss', 'trainable_params', 'total_params', 'precision', 'train_seconds', 'resumed_from', 'cancelled'];
  const rows = keys.filter((k) => k in summary).map((k) => [k, plain(summary[k])]);
  for (const [k, v] of Object.entries(summary.held_out || {})) rows.push([k, plain(v)]);
  return h('section', { class: 'panel', 'aria-labelledby': 'runs-summary-h' }, h('h2', { id: 'runs-summary-h' }, t('runs.summary')), table([t('runs.field'), t('runs.value')], rows));
}
