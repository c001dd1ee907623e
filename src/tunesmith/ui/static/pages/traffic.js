// The traffic page: the request log with `tunesmith logs`' filters, one exchange in full with the admin's thumbs
// and correction, export to a dataset in data/, and a flywheel turn (recipe, live log, decision).
// Filters and the page offset live in the hash query, so a reload shows the same view.
import { api } from '../lib/api.js';
import { clear, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { badge, errorBox, field, loading, number, poll, table, useStyle, when } from '../lib/ui.js';

const FILTERS = ['model', 'feedback', 'q', 'has_correction', 'since', 'until'];
const PAGE = 25;

const strings = {
  en: {
    'traffic.title': 'Traffic', 'traffic.filters': 'Filters', 'traffic.model': 'Model', 'traffic.any': 'any',
    'traffic.feedback': 'Feedback', 'traffic.fb.up': 'thumbs up', 'traffic.fb.down': 'thumbs down',
    'traffic.fb.corrected': 'corrected', 'traffic.fb.any': 'any feedback', 'traffic.fb.none': 'no feedback',
    'traffic.q': 'Text', 'traffic.q.help': 'In the prompt, the messages or the answer.',
    'traffic.hasCorrection': 'Has a correction', 'traffic.yes': 'yes', 'traffic.no': 'no',
    'traffic.since': 'Since', 'traffic.until': 'Until', 'traffic.when.help': 'UTC: 2026-05-01, 2026-05-01T12:00, or a span ago: 30m, 12h, 7d.',
    'traffic.apply': 'Apply filters', 'traffic.clear': 'Clear',
    'traffic.count': '{total} requests · showing {from}–{to}', 'traffic.empty': 'No logged requests match.',
    'traffic.prev': 'Newer', 'traffic.next': 'Older',
    'traffic.col.time': 'Time', 'traffic.col.model': 'Model', 'traffic.col.key': 'Key', 'traffic.col.prompt': 'Prompt',
    'traffic.col.answer': 'Answer', 'traffic.col.tokens': 'Tokens', 'traffic.col.ms': 'ms', 'traffic.col.status': 'Status',
    'traffic.col.feedback': 'Feedback', 'traffic.open': 'Open request {id}',
    'traffic.detail': 'Request {id}', 'traffic.close': 'Close', 'traffic.messages': 'Conversation',
    'traffic.answer': 'Answer', 'traffic.details': 'Details', 'traffic.review': 'Your review',
    'traffic.up': '✓ Good answer', 'traffic.down': '✗ Bad answer', 'traffic.correction': 'Correction',
    'traffic.correction.help': 'The answer the model should have given; on export it replaces the logged one.',
    'traffic.saveCorrection': 'Save correction', 'traffic.saved': 'Saved.',
    'traffic.history': 'Feedback so far', 'traffic.reviewer': 'review by {key}', 'traffic.asker': 'from the asker',
    'traffic.export': 'Export to a dataset', 'traffic.export.help': 'Writes data/NAME.jsonl with the same code as `tunesmith logs export`: corrections replace answers, answers rated down and not corrected are left out. Uses the model, feedback and time filters above (text search and “has a correction” are not export filters).',
    'traffic.name': 'Dataset name', 'traffic.only': 'Records', 'traffic.only.all': 'all answered requests',
    'traffic.only.thumbs_up': 'thumbs up only', 'traffic.only.corrected': 'corrected only', 'traffic.format': 'Format',
    'traffic.overwrite': 'Replace the file if it exists', 'traffic.doExport': 'Export',
    'traffic.exported': 'Wrote {records} records to {path}.',
    'traffic.fw': 'Flywheel turn', 'traffic.fw.help': 'Learn from this traffic: export, curate, train a student, compare it with the logged answers on held-out prompts, and register it with this server if it wins (docs/flywheel.md).',
    'traffic.fw.name': 'Config name', 'traffic.fw.yaml': 'Flywheel recipe (YAML)', 'traffic.fw.reset': 'Reset to starter',
    'traffic.fw.save': 'Save config', 'traffic.fw.run': 'Save and run a turn', 'traffic.fw.savedAt': 'Saved as {path}.',
    'traffic.fw.keyMissing': 'To register the student, this server\'s admin key must be in {env}: set it in the shell that starts `tunesmith ui` (export {env}=…), or remove promote.server to decide without registering. Tasks do not inherit the server\'s own keys.',
    'traffic.fw.keySet': '{env} is set where this server runs: a turn can register its student.',
    'traffic.fw.noKeys': 'This server has no keys, so its admin API is closed: a turn decides but registers nothing. Start `tunesmith ui --keys-file FILE` to let it register.',
    'traffic.fw.log': 'Log of {id}', 'traffic.fw.turns': 'Turns', 'traffic.fw.none': 'No flywheel turn yet.',
    'traffic.fw.promoted': 'Promoted', 'traffic.fw.notPromoted': 'Not promoted', 'traffic.fw.running': 'running…',
    'traffic.fw.registered': 'registered as {name}', 'traffic.fw.notRegistered': 'not registered',
    'traffic.fw.report': 'Show report', 'traffic.fw.score': '{metric}: student {student}, bar {bar}',
    'traffic.fw.folder': 'Folder', 'traffic.fw.decision': 'Decision', 'traffic.fw.reportCol': 'Report',
    'traffic.fw.dry': 'Dry run: decide, but register nothing',
  },
  zh: {
    'traffic.title': '流量', 'traffic.filters': '筛选', 'traffic.model': '模型', 'traffic.any': '全部',
    'traffic.feedback': '反馈', 'traffic.fb.up': '点赞', 'traffic.fb.down': '点踩', 'traffic.fb.corrected': '已更正',
    'traffic.fb.any': '有反馈', 'traffic.fb.none': '无反馈',
    'traffic.q': '文本', 'traffic.q.help': '在提示、消息或回答中查找。',
    'traffic.hasCorrection': '有更正', 'traffic.yes': '是', 'traffic.no': '否',
    'traffic.since': '起始', 'traffic.until': '截止', 'traffic.when.help': 'UTC：2026-05-01、2026-05-01T12:00，或距今时长：30m、12h、7d。',
    'traffic.apply': '应用筛选', 'traffic.clear': '清除',
    'traffic.count': '共 {total} 条请求 · 显示第 {from}–{to} 条', 'traffic.empty': '没有匹配的请求记录。',
    'traffic.prev': '较新', 'traffic.next': '较旧',
    'traffic.col.time': '时间', 'traffic.col.model': '模型', 'traffic.col.key': '密钥', 'traffic.col.prompt': '提示',
    'traffic.col.answer': '回答', 'traffic.col.tokens': '词元', 'traffic.col.ms': '毫秒', 'traffic.col.status': '状态',
    'traffic.col.feedback': '反馈', 'traffic.open': '打开请求 {id}',
    'traffic.detail': '请求 {id}', 'traffic.close': '关闭', 'traffic.messages': '对话',
    'traffic.answer': '回答', 'traffic.details': '详情', 'traffic.review': '你的评审',
    'traffic.up': '✓ 回答好', 'traffic.down': '✗ 回答差', 'traffic.correction': '更正',
    'traffic.correction.help': '模型本应给出的回答；导出时替换记录中的回答。',
    'traffic.saveCorrection': '保存更正', 'traffic.saved': '已保存。',
    'traffic.history': '已有反馈', 'traffic.reviewer': '{key} 的评审', 'traffic.asker': '来自提问者',
    'traffic.export': '导出为数据集', 'traffic.export.help': '用与 `tunesmith logs export` 相同的代码写入 data/名称.jsonl：更正替换回答，被点踩且未更正的回答不导出。使用上方的模型、反馈和时间筛选（文本搜索和“有更正”不是导出筛选）。',
    'traffic.name': '数据集名称', 'traffic.only': '记录', 'traffic.only.all': '所有已回答的请求',
    'traffic.only.thumbs_up': '仅点赞', 'traffic.only.corrected': '仅已更正', 'traffic.format': '格式',
    'traffic.overwrite': '文件已存在时替换', 'traffic.doExport': '导出',
    'traffic.exported': '已写入 {records} 条记录到 {path}。',
    'traffic.fw': '飞轮一轮', 'traffic.fw.help': '从这些流量中学习：导出、整理、训练学生模型，在留出的提示上与记录的回答比较，胜出则注册到本服务器（见 docs/flywheel.md）。',
    'traffic.fw.name': '配置名称', 'traffic.fw.yaml': '飞轮配置（YAML）', 'traffic.fw.reset': '恢复初始配置',
    'traffic.fw.save': '保存配置', 'traffic.fw.run': '保存并运行一轮', 'traffic.fw.savedAt': '已保存为 {path}。',
    'traffic.fw.keyMissing': '要注册学生模型，{env} 中须有本服务器的管理员密钥：在启动 `tunesmith ui` 的 shell 中设置（export {env}=…），或删除 promote.server 只做决定不注册。任务不会继承服务器自身的密钥。',
    'traffic.fw.keySet': '本服务器运行环境中已设置 {env}：一轮可以注册其学生模型。',
    'traffic.fw.noKeys': '本服务器没有密钥，其管理 API 已关闭：一轮只做决定，不注册。用 `tunesmith ui --keys-file FILE` 启动即可注册。',
    'traffic.fw.log': '{id} 的日志', 'traffic.fw.turns': '各轮', 'traffic.fw.none': '还没有飞轮轮次。',
    'traffic.fw.promoted': '已晋升', 'traffic.fw.notPromoted': '未晋升', 'traffic.fw.running': '运行中…',
    'traffic.fw.registered': '已注册为 {name}', 'traffic.fw.notRegistered': '未注册',
    'traffic.fw.report': '查看报告', 'traffic.fw.score': '{metric}：学生 {student}，门槛 {bar}',
    'traffic.fw.folder': '文件夹', 'traffic.fw.decision': '决定', 'traffic.fw.reportCol': '报告',
    'traffic.fw.dry': '试运行：只做决定，不注册',
  },
};

function option(value, label, current) { return h('option', { value, selected: value === (current || '') }, label); }

function filterForm(ctx) {
  const p = ctx.params;
  const models = [...new Set([...(ctx.info?.models || []), p.get('model')].filter(Boolean))];
  const controls = {
    model: h('select', { name: 'model' }, option('', t('traffic.any'), p.get('model')), models.map((m) => option(m, m, p.get('model')))),
    feedback: h('select', { name: 'feedback' }, option('', t('traffic.any'), p.get('feedback')),
      ['up', 'down', 'corrected', 'any', 'none'].map((k) => option(k, t(`traffic.fb.${k}`), p.get('feedback')))),
    q: h('input', { name: 'q', type: 'search', value: p.get('q') || '' }),
    has_correction: h('select', { name: 'has_correction' }, option('', t('traffic.any'), p.get('has_correction')),
      option('true', t('traffic.yes'), p.get('has_correction')), option('false', t('traffic.no'), p.get('has_correction'))),
    since: h('input', { name: 'since', value: p.get('since') || '', placeholder: '7d', size: 14 }),
    until: h('input', { name: 'until', value: p.get('until') || '', placeholder: '2026-05-01', size: 14 }),
  };
  const submit = (e) => {
    e.preventDefault();
    const query = new URLSearchParams();
    for (const name of FILTERS) if (controls[name].value.trim()) query.set(name, controls[name].value.trim());
    ctx.navigate(`#/traffic?${query}`);
  };
  return h('form', { class: 'panel traffic-filters', 'aria-label': t('traffic.filters'), onSubmit: submit },
    h('div', { class: 'traffic-fields' },
      field(t('traffic.model'), controls.model), field(t('traffic.feedback'), controls.feedback),
      field(t('traffic.q'), controls.q, t('traffic.q.help')), field(t('traffic.hasCorrection'), controls.has_correction),
      field(t('traffic.since'), controls.since, t('traffic.when.help')), field(t('traffic.until'), controls.until)),
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, t('traffic.apply')),
      h('a', { class: 'button', href: '#/traffic' }, t('traffic.clear'))));
}

function feedbackCell(fb) {
  const parts = [];
  if (fb.rating) parts.push(h('span', { class: fb.rating === 'up' ? 'ok' : 'bad' }, t(`traffic.fb.${fb.rating}`)));
  if (fb.correction !== null && fb.correction !== undefined) parts.push(h('ins', { class: 'traffic-correction' }, fb.correction));
  return h('span', { class: 'traffic-fb' }, parts);
}

function queryOf(params) {
  const query = { limit: PAGE, offset: Number(params.get('offset') || 0) };
  for (const name of FILTERS) if (params.get(name)) query[name] = params.get(name);
  return query;
}

function pager(ctx, listed) {
  const go = (offset) => () => {
    const query = new URLSearchParams(ctx.params);
    if (offset > 0) query.set('offset', offset); else query.delete('offset');
    ctx.navigate(`#/traffic?${query}`);
  };
  const from = listed.total ? listed.offset + 1 : 0, to = listed.offset + listed.data.length;
  return h('div', { class: 'row' }, h('span', { class: 'traffic-count' }, t('traffic.count', { total: listed.total, from, to })),
    h('button', { type: 'button', disabled: listed.offset <= 0, onClick: go(Math.max(0, listed.offset - PAGE)) }, t('traffic.prev')),
    h('button', { type: 'button', disabled: to >= listed.total, onClick: go(listed.offset + PAGE) }, t('traffic.next')));
}

function logTable(listed, open) {
  const headers = ['time', 'model', 'prompt', 'answer', 'tokens', 'ms', 'status', 'feedback'].map((c) => t(`traffic.col.${c}`));
  const rows = listed.data.map((r) => [
    when(r.time), r.model,
    h('button', { type: 'button', class: 'traffic-open', 'data-id': r.id, 'aria-label': t('traffic.open', { id: r.id }), onClick: () => open(r.id) }, r.prompt || r.id),
    r.answer, `${r.prompt_tokens}+${r.completion_tokens}`, number(r.latency_ms, 0), r.status, feedbackCell(r.feedback),
  ]);
  const shown = table(headers, rows, { numeric: [4, 5] });
  shown.classList.add('traffic-log');
  listed.data.forEach((r, i) => { shown.querySelectorAll('tbody tr')[i].dataset.id = r.id; });
  return shown;
}

function detailView(whole, onSaved, onClose) {
  const status = h('div', { 'aria-live': 'polite' });
  const save = async (body) => {
    clear(status);
    try {
      const saved = await api.post(`/ui/api/traffic/${encodeURIComponent(whole.id)}/feedback`, body);
      onSaved(saved);
    } catch (error) { status.append(errorBox(error)); }
  };
  const rating = whole.summary.rating;
  const box = h('textarea', { rows: 4, name: 'correction' }, whole.summary.correction ?? whole.output);
  const turns = (whole.messages || [{ role: 'prompt', content: whole.prompt }]).map((m) =>
    h('div', { class: `traffic-turn ${m.role}` }, h('strong', {}, `${m.role}: `), typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));
  const history = whole.feedback.map((f) => h('li', {}, when(f.time), ' · ', f.rating ? `${t(`traffic.fb.${f.rating}`)} ` : '',
    f.correction !== null ? h('ins', {}, f.correction) : '', ' ', h('span', { class: 'muted' }, f.reviewer ? t('traffic.reviewer', { key: f.key_id || '—' }) : t('traffic.asker'))));
  return h('section', { class: 'panel traffic-detail', 'aria-labelledby': 'traffic-detail-title', 'data-id': whole.id },
    h('div', { class: 'row' }, h('h2', { id: 'traffic-detail-title', tabindex: '-1' }, t('traffic.detail', { id: whole.id })),
      h('button', { type: 'button', onClick: onClose }, t('traffic.close'))),
    h('h3', {}, t('traffic.messages')), h('div', { class: 'traffic-turns' }, turns),
    h('h3', {}, t('traffic.answer')), h('pre', { class: 'traffic-answer' }, whole.output),
    whole.error ? errorBox(whole.error) : null,
    h('p', { class: 'muted' }, `${t('traffic.col.model')}: ${whole.model} · ${t('traffic.col.key')}: ${whole.key_id || '—'} · `,
      `${t('traffic.col.tokens')}: ${whole.prompt_tokens}+${whole.completion_tokens} · ${number(whole.latency_ms, 0)} ms · ${whole.status} · ${when(whole.time)}`),
    h('details', {}, h('summary', {}, t('traffic.details')), h('pre', {}, JSON.stringify({ params: whole.params, meta: whole.meta, tags: whole.tags }, null, 2))),
    h('h3', {}, t('traffic.review')),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'traffic-up', 'aria-pressed': String(rating === 'up'), onClick: () => save({ rating: 'up' }) }, t('traffic.up')),
      h('button', { type: 'button', class: 'traffic-down', 'aria-pressed': String(rating === 'down'), onClick: () => save({ rating: 'down' }) }, t('traffic.down'))),
    h('form', { onSubmit: (e) => { e.preventDefault(); save({ correction: box.value }); } },
      field(t('traffic.correction'), box, t('traffic.correction.help')),
      h('button', { type: 'submit', class: 'primary' }, t('traffic.saveCorrection'))),
    status,
    history.length ? [h('h3', {}, t('traffic.history')), h('ul', { class: 'traffic-history' }, history)] : null);
}

function exportForm(ctx) {
  const name = h('input', { name: 'name', required: true, placeholder: 'reviewed', spellcheck: 'false' });
  const only = h('select', { name: 'only' }, ['all', 'thumbs_up', 'corrected'].map((k) => option(k, t(`traffic.only.${k}`), 'all')));
  const format = h('select', { name: 'format' }, ['sft', 'preference', 'kto'].map((k) => option(k, k, 'sft')));
  const overwrite = h('input', { type: 'checkbox', name: 'overwrite' });
  const result = h('div', { 'aria-live': 'polite', class: 'traffic-export-result' });
  const submit = async (e) => {
    e.preventDefault();
    clear(result);
    const body = { name: name.value.trim(), only: only.value, format: format.value, overwrite: overwrite.checked };
    for (const key of ['model', 'feedback', 'since', 'until']) if (ctx.params.get(key)) body[key] = ctx.params.get(key);
    try {
      const done = await api.post('/ui/api/traffic/export', body);
      result.append(h('p', { class: 'ok' }, t('traffic.exported', done)));
    } catch (error) { result.append(errorBox(error)); }
  };
  return h('section', { class: 'panel', 'aria-labelledby': 'traffic-export-title' },
    h('h2', { id: 'traffic-export-title' }, t('traffic.export')), h('p', { class: 'muted' }, t('traffic.export.help')),
    h('form', { class: 'traffic-export', onSubmit: submit },
      field(t('traffic.name'), name), field(t('traffic.only'), only), field(t('traffic.format'), format),
      h('div', { class: 'row' }, overwrite, h('label', { for: (overwrite.id = 'traffic-overwrite') }, t('traffic.overwrite'))),
      h('button', { type: 'submit', class: 'primary' }, t('traffic.doExport'))),
    result);
}

async function renderLog(area, ctx) {
  const listed = await api.get('/ui/api/traffic', queryOf(ctx.params));
  const detail = h('div', { class: 'traffic-detail-slot' });
  const open = async (id) => {
    clear(detail).append(loading());
    try {
      const whole = await api.get(`/ui/api/traffic/${encodeURIComponent(id)}`);
      const show = (w) => {
        clear(detail).append(detailView(w, (saved) => {
          show(saved);
          const cell = area.querySelector(`tr[data-id="${CSS.escape(saved.id)}"] .traffic-fb`);
          if (cell) cell.replaceWith(feedbackCell(saved.summary));
          detail.querySelector('[aria-live]').append(h('p', { class: 'ok' }, t('traffic.saved')));
        }, () => { clear(detail); area.querySelector(`button[data-id="${CSS.escape(id)}"]`)?.focus(); }));
      };
      show(whole);
      detail.querySelector('h2').focus();
    } catch (error) { clear(detail).append(errorBox(error)); }
  };
  clear(area).append(pager(ctx, listed),
    listed.data.length ? logTable(listed, open) : h('p', { class: 'muted traffic-empty' }, t('traffic.empty')), detail);
}

function decisionView(turn) {
  const d = turn.decision;
  if (!d) return h('span', { class: 'muted' }, t('traffic.fw.running'));
  const score = t('traffic.fw.score', { metric: d.metric, student: number(d.student), bar: number(d.bar) });
  const registered = d.registered ? t('traffic.fw.registered', { name: d.adapter_name }) : t('traffic.fw.notRegistered');
  return h('div', { class: 'traffic-decision' },
    h('strong', { class: d.promote ? 'ok' : 'bad' }, d.promote ? t('traffic.fw.promoted') : t('traffic.fw.notPromoted')),
    ' — ', h('span', { class: 'traffic-reason' }, d.reason),
    h('div', { class: 'muted' }, `${score} · ${registered}${d.dry_run ? ' · dry run' : ''}`));
}

function turnsView(turns) {
  if (!turns.length) return h('p', { class: 'muted' }, t('traffic.fw.none'));
  const report = h('div', {});
  const show = (path) => async () => {
    clear(report).append(loading());
    try { clear(report).append(h('pre', { class: 'traffic-report' }, await api.get('/ui/api/files', { path }))); } catch (error) { clear(report).append(errorBox(error)); }
  };
  const rows = turns.map((turn) => [turn.folder, decisionView(turn),
    turn.report ? h('button', { type: 'button', onClick: show(turn.report) }, t('traffic.fw.report')) : '—']);
  return h('div', { class: 'traffic-turns-list' },
    table([t('traffic.fw.folder'), t('traffic.fw.decision'), t('traffic.fw.reportCol')], rows), report);
}

async function flywheelSection(wheel) {
  let info;
  try { info = await api.get('/ui/api/traffic/flywheel'); } catch (error) { clear(wheel).append(errorBox(error)); return null; }
  const name = h('input', { name: 'fw-name', value: 'flywheel', spellcheck: 'false', pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]*' });
  const yaml = h('textarea', { rows: 24, name: 'fw-yaml', spellcheck: 'false', class: 'traffic-yaml' }, info.starter);
  const status = h('div', { 'aria-live': 'polite', class: 'traffic-fw-status' });
  const logBox = h('div', { class: 'traffic-fw-log' });
  const turns = h('div', {}, turnsView(info.turns));
  const dry = h('input', { type: 'checkbox', id: 'traffic-fw-dry' });
  let stop = null;
  const note = !info.keys_required ? h('p', { class: 'warn' }, t('traffic.fw.noKeys'))
    : info.key_set ? h('p', { class: 'ok' }, t('traffic.fw.keySet', { env: info.key_env }))
      : h('p', { class: 'warn traffic-key-note' }, t('traffic.fw.keyMissing', { env: info.key_env }));
  const refreshTurns = async () => {
    const found = (await api.get('/ui/api/traffic/flywheel')).turns;
    clear(turns).append(turnsView(found));
    return found;
  };
  const follow = (task) => {
    if (stop) stop();
    const pre = h('pre', { class: 'traffic-fw-output' });
    const state = h('span', {}, badge(task.status));
    const failure = h('div', {});
    clear(logBox).append(h('h3', {}, t('traffic.fw.log', { id: task.id })), h('p', {}, state, ' ', h('code', {}, task.command || '')), pre, failure);
    let offset = 0;
    const step = async () => {
      const chunk = await api.get(`/ui/api/tasks/${encodeURIComponent(task.id)}/log`, { offset });
      if (chunk.text) pre.append(chunk.text);
      offset = chunk.offset;
      const now = await api.get(`/ui/api/tasks/${encodeURIComponent(task.id)}`);
      clear(state).append(badge(now.status));
      if (chunk.done && !['queued', 'running'].includes(now.status)) {
        stop();
        if (now.error) failure.append(errorBox(now.error));
        const turn = (await refreshTurns()).find((x) => x.folder === now.output);
        if (turn?.decision) failure.append(h('h3', {}, t('traffic.fw.decision')), decisionView(turn));
      }
    };
    stop = poll(async () => {
      try { await step(); } catch (error) { stop(); failure.append(errorBox(error)); }
    }, 1000);
  };
  const saveConfig = async () => api.post('/ui/api/configs', { kind: 'flywheel', name: name.value.trim(), yaml: yaml.value });
  const act = (run) => async () => {
    clear(status);
    try {
      const saved = await saveConfig();
      status.append(h('p', { class: 'ok' }, t('traffic.fw.savedAt', { path: saved.path })));
      if (run) follow(await api.post('/ui/api/tasks', { kind: 'flywheel', args: { config: saved.path, dry_run: dry.checked } }));
    } catch (error) { status.append(errorBox(error)); }
  };
  clear(wheel).append(h('section', { class: 'panel traffic-flywheel', 'aria-labelledby': 'traffic-fw-title' },
    h('h2', { id: 'traffic-fw-title' }, t('traffic.fw')), h('p', { class: 'muted' }, t('traffic.fw.help')), note,
    field(t('traffic.fw.name'), name), field(t('traffic.fw.yaml'), yaml),
    h('div', { class: 'row' }, dry, h('label', { for: dry.id }, t('traffic.fw.dry'))),
    h('div', { class: 'row' },
      h('button', { type: 'button', onClick: () => { yaml.value = info.starter; } }, t('traffic.fw.reset')),
      h('button', { type: 'button', onClick: act(false) }, t('traffic.fw.save')),
      h('button', { type: 'button', class: 'primary', onClick: act(true) }, t('traffic.fw.run'))),
    status, logBox, h('h3', {}, t('traffic.fw.turns')), turns));
  try {  // a saved recipe comes back in the editor, and a turn still running is followed again
    const savedConfig = await api.get(`/ui/api/configs/${encodeURIComponent(name.value)}`);
    if (savedConfig?.yaml) yaml.value = savedConfig.yaml;
  } catch { /* none saved yet */ }
  try {
    const running = ((await api.get('/ui/api/tasks', { kind: 'flywheel' })).data || []).find((x) => ['queued', 'running'].includes(x.status));
    if (running) follow(running);
  } catch { /* no task yet */ }
  return () => { if (stop) stop(); };
}

export default {
  strings,
  async render(main, ctx) {
    useStyle('traffic');
    const log = h('section', { class: 'traffic-log-area', 'aria-label': t('traffic.title') }, loading());
    const wheel = h('div', {}, loading());
    main.append(h('h1', {}, t('traffic.title')), filterForm(ctx), log, exportForm(ctx), wheel);
    try { await renderLog(log, ctx); } catch (error) { clear(log).append(errorBox(error)); }
    return flywheelSection(wheel);
  },
};
