// One training job (#/train?job=<id>), read from the fine-tuning API: status, progress, live loss, validation-loss
// and learning-rate curves from its events' `data`, cancel / pause / resume, and the events log (newest first).
import { api } from '../lib/api.js';
import { lineChart } from '../lib/charts.js';
import { clear, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { badge, errorBox, number, poll, when } from '../lib/ui.js';

const TERMINAL = ['succeeded', 'failed', 'cancelled'];
const JOBS = '/v1/fine_tuning/jobs';

// Every event of the job, oldest first (the API pages newest first).
async function allEvents(id) {
  const found = [];
  let after = null;
  for (;;) {
    const page = await api.get(`${JOBS}/${id}/events`, { limit: 1000, after });
    found.push(...page.data);
    if (!page.has_more || !page.data.length) return found.reverse();
    after = page.data[page.data.length - 1].id;
  }
}

const metric = (v) => (typeof v === 'number' && v !== 0 && Math.abs(v) < 0.01 ? v.toExponential(2) : number(v, 4));

function curves(events) {
  const train = new Map(), valid = new Map(), lr = new Map();
  let step = 0, total = null;
  for (const e of events) {
    const d = e.data;
    if (e.type !== 'metrics' || !d) continue;
    if (d.train_loss !== undefined) train.set(d.step, d.train_loss);
    if (d.valid_loss !== undefined) valid.set(d.step, d.valid_loss);
    if (d.learning_rate !== undefined) lr.set(d.step, d.learning_rate);
    step = Math.max(step, d.step || 0);
    if (d.total_steps) total = d.total_steps;
  }
  const points = (m) => [...m.entries()].sort((a, b) => a[0] - b[0]);
  return { train: points(train), valid: points(valid), lr: points(lr), step, total };
}

export async function renderJob(main, ctx, id) {
  const status = h('span', { id: 'job-status' });
  const progress = h('progress', { id: 'job-progress', max: 1, value: 0, 'aria-label': t('train.progress') });
  const progressText = h('span', { class: 'muted', id: 'job-progress-text' });
  const modelLine = h('p', { id: 'job-model' });
  const problem = h('div', { id: 'job-error' });
  const actionError = h('div', { id: 'job-action-error' });
  const log = h('ol', { id: 'job-events', class: 'events', reversed: true });
  const buttons = {};
  const act = async (kind) => {
    Object.values(buttons).forEach((b) => { b.disabled = true; });
    clear(actionError);
    // OpenAI's API keeps a cancelled job over; the UI's own route continues one from its last checkpoint.
    const path = kind === 'resume' && job?.status === 'cancelled' ? `/ui/api/recipe/jobs/${id}/resume` : `${JOBS}/${id}/${kind}`;
    try { show(await api.post(path, {})); } catch (error) { actionError.append(errorBox(error)); }
    await refresh();
    watch();
  };
  for (const kind of ['pause', 'resume', 'cancel']) {
    buttons[kind] = h('button', { type: 'button', id: `job-${kind}`, class: kind === 'cancel' ? 'danger' : null, disabled: true, onClick: () => act(kind) }, t(`train.${kind}`));
  }
  const charts = h('div', { class: 'grid charts' });
  main.append(
    h('p', {}, h('a', { href: '#/train' }, t('train.back'))),
    h('h1', { class: 'job-title' }, t('train.job'), ' ', h('code', {}, id)),
    h('div', { class: 'row' }, status, progress, progressText),
    modelLine,
    h('div', { class: 'row', role: 'group', 'aria-label': t('train.actions') }, buttons.pause, buttons.resume, buttons.cancel),
    actionError, problem, charts,
    h('section', { class: 'panel' }, h('h2', {}, t('train.events')), h('div', { class: 'scroll events-box' }, log)),
  );
  const chart = (key, title, y) => { const box = h('div', { class: 'panel', id: `chart-${key}` }); charts.append(box); return lineChart(box, { title, xLabel: t('train.step'), yLabel: y }); };
  const loss = chart('loss', t('train.loss'), 'loss');
  const vloss = chart('valid', t('train.validLoss'), 'loss');
  const lr = chart('lr', t('train.lr'), 'lr');

  let job = null, events = [], stop = null;
  function show(found) {
    job = found;
    clear(status).append(badge(job.status));
    status.dataset.status = job.status;
    buttons.pause.disabled = !['running', 'queued'].includes(job.status);
    buttons.resume.disabled = !['paused', 'cancelled'].includes(job.status);
    buttons.cancel.disabled = TERMINAL.includes(job.status);
    clear(modelLine);
    if (job.fine_tuned_model) modelLine.append(t('train.model'), ' ', h('code', {}, job.fine_tuned_model), ' · ', h('a', { href: `#/chat?model=${encodeURIComponent(job.fine_tuned_model)}` }, t('train.chat')));
    else modelLine.append(h('span', { class: 'muted' }, `${t('train.base')} ${job.model} · ${when(job.created_at)}`));
  }
  function draw() {
    const c = curves(events);
    loss.update([{ label: t('train.trainSeries'), points: c.train }]);
    vloss.update([{ label: t('train.validSeries'), points: c.valid }]);
    const top = Math.max(0, ...c.lr.map((p) => Math.abs(p[1])));
    const exp = top > 0 ? Math.floor(Math.log10(top)) : 0;  // 2e-4 reads as 2 (×1e-4): the axis shows digits, not 0
    lr.update([{ label: exp ? `lr (×1e${exp})` : 'lr', points: c.lr.map(([x, y]) => [x, y / 10 ** exp]) }]);
    const total = c.total || c.step || 1;
    const done = job?.status === 'succeeded' ? total : c.step;
    progress.max = total; progress.value = done;
    progressText.textContent = t('train.stepOf', { step: done, total: c.total ?? '?' });
    clear(log).append(...events.slice().reverse().slice(0, 300).map((e) => h('li', { class: `level-${e.level}` },
      h('span', { class: 'muted' }, new Date(e.created_at * 1000).toLocaleTimeString()), ' ', e.message,
      e.data && e.type === 'metrics' ? h('span', { class: 'muted' }, ` (${Object.entries(e.data).filter(([k]) => k !== 'step' && k !== 'total_steps').map(([k, v]) => `${k} ${metric(v)}`).join(', ')})`) : null)));
    clear(problem);
    if (job?.status === 'failed') {
      problem.append(errorBox(job.error?.message || t('train.failed')),
        h('h3', {}, t('train.lastEvents')), h('ul', { class: 'last-events' }, events.slice(-8).reverse().map((e) => h('li', {}, e.message))));
    }
  }
  // Poll while the job can still change; a resumed job (paused or cancelled before) is watched again.
  function watch() {
    if (stop || TERMINAL.includes(job.status)) return;
    stop = poll(async () => { try { await refresh(); } catch (error) { clear(actionError).append(errorBox(error)); } }, 1000);
  }
  async function refresh() {
    const [found, list] = await Promise.all([api.get(`${JOBS}/${id}`), allEvents(id)]);
    events = list;
    show(found);
    draw();
    if (TERMINAL.includes(found.status) && stop) { stop(); stop = null; }
  }
  try {
    await refresh();
  } catch (error) {
    main.append(errorBox(error));
    return null;
  }
  watch();
  return () => { if (stop) stop(); };
}
