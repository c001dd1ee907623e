// The Data page: the workspace's data files, upload, the inspect view (as `tunesmith data inspect` shows it), and
// a `tunesmith data run` pipeline: edited as YAML, saved as a config, run as a task, its report read back.
import { api } from '../lib/api.js';
import { histogram } from '../lib/charts.js';
import { append, clear, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { badge, errorBox, field, number, poll, table, toast, useStyle, when } from '../lib/ui.js';

const FORMATS = ['auto', 'openai', 'sharegpt', 'alpaca', 'dolly', 'prompt_completion', 'preference',
  'sharegpt_preference', 'ultrafeedback', 'kto'];
const ACCEPT = '.jsonl,.ndjson,.json,.csv,.parquet';
const DONE = ['succeeded', 'failed', 'cancelled'];
const LAST_LINES = 20;

const strings = {
  en: {
    'data.title': 'Data',
    'data.files': 'Data files', 'data.files.none': 'No data files yet: upload one.',
    'data.upload': 'Upload a data file', 'data.upload.help': 'JSONL, JSON, CSV or Parquet; it is saved into data/ and inspected at once.',
    'data.overwrite': 'Replace a file of the same name', 'data.uploading': 'Uploading {name}…', 'data.uploaded': 'Saved {path} ({bytes} bytes)',
    'data.col.file': 'File', 'data.col.bytes': 'Bytes', 'data.col.records': 'Records', 'data.col.modified': 'Modified',
    'data.inspect': 'Inspect', 'data.inspect.pick': 'Pick a file to inspect it: its format, counts, token lengths and which tokens are trained.',
    'data.inspecting': 'Inspecting {path}…', 'data.format': 'Format', 'data.max_length': 'Max length (tokens)',
    'data.max_length.help': 'Records longer than this are counted (train.max_length would cut them).',
    'data.summary': '{path}: format {format}, {records} records', 'data.model': 'Tokens measured with {model}',
    'data.turns': 'Turns by role', 'data.keys': 'Record keys: read {read}; kept in meta {kept}', 'data.none': 'none',
    'data.counts': 'Counts', 'data.lengths': 'Tokens per record', 'data.stat': 'Statistic', 'data.tokens': 'Tokens',
    'data.histogram': 'Token length histogram', 'data.histogram.label': 'tokens',
    'data.trained': 'Trained tokens: {trained} of {total} ({share})',
    'data.overlong.none': 'Over max-length {max}: none (longest {longest} tokens)',
    'data.overlong.some': 'Over max-length {max}: {overlong} of {records} records, {lost} tokens cut',
    'data.overlong.trained': ' ({lost} of them trained)', 'data.overlong.emptied': ', {emptied} left with no trained token',
    'data.overlong.first': '; longest {longest}, first: {where} ({tokens} tokens)',
    'data.example': 'First example', 'data.example.legend': 'Highlighted: the tokens training learns from; the rest is context.',
    'data.trained.mark': 'trained',
    'data.pipeline': 'Data pipeline', 'data.pipeline.help': 'A `tunesmith data run` pipeline: inputs, an output folder and ops in order. Paths are relative to configs/, where it is saved.',
    'data.pipeline.name': 'Pipeline name', 'data.pipeline.name.help': 'Saved as configs/NAME.yaml (letters, digits, - and _).',
    'data.pipeline.yaml': 'Pipeline YAML', 'data.pipeline.starter': 'Starter for the chosen file', 'data.pipeline.save': 'Save',
    'data.pipeline.run': 'Save and run', 'data.pipeline.saved': 'Saved {path}', 'data.pipeline.last': 'Latest pipeline run',
    'data.task.command': 'Command', 'data.task.log': 'Log', 'data.task.error': 'The pipeline failed', 'data.task.last_lines': 'Last log lines',
    'data.report': 'Report', 'data.report.records': 'Wrote {written}', 'data.report.steps': 'Counts per op',
    'data.report.checks': 'Checks', 'data.report.download': 'Download report.html', 'data.report.inspect': 'Inspect {path}',
    'data.col.op': 'Op', 'data.col.in': 'In', 'data.col.kept': 'Kept', 'data.col.changed': 'Changed', 'data.col.added': 'Added',
    'data.col.removed': 'Removed', 'data.col.check': 'Check', 'data.col.figure': 'Figure', 'data.col.threshold': 'Threshold',
  },
  zh: {
    'data.title': '数据',
    'data.files': '数据文件', 'data.files.none': '还没有数据文件：请上传一个。',
    'data.upload': '上传数据文件', 'data.upload.help': 'JSONL、JSON、CSV 或 Parquet；保存到 data/ 并立即检查。',
    'data.overwrite': '替换同名文件', 'data.uploading': '正在上传 {name}…', 'data.uploaded': '已保存 {path}（{bytes} 字节）',
    'data.col.file': '文件', 'data.col.bytes': '字节', 'data.col.records': '记录数', 'data.col.modified': '修改时间',
    'data.inspect': '检查', 'data.inspect.pick': '选择一个文件来检查：格式、计数、词元长度，以及哪些词元参与训练。',
    'data.inspecting': '正在检查 {path}…', 'data.format': '格式', 'data.max_length': '最大长度（词元）',
    'data.max_length.help': '统计超过此长度的记录（train.max_length 会截断它们）。',
    'data.summary': '{path}：格式 {format}，{records} 条记录', 'data.model': '词元由 {model} 计量',
    'data.turns': '各角色的轮次', 'data.keys': '记录字段：读取 {read}；保留在 meta 中 {kept}', 'data.none': '无',
    'data.counts': '计数', 'data.lengths': '每条记录的词元数', 'data.stat': '统计量', 'data.tokens': '词元',
    'data.histogram': '词元长度直方图', 'data.histogram.label': '词元',
    'data.trained': '参与训练的词元：{trained} / {total}（{share}）',
    'data.overlong.none': '超过最大长度 {max}：无（最长 {longest} 个词元）',
    'data.overlong.some': '超过最大长度 {max}：{records} 条中有 {overlong} 条，截掉 {lost} 个词元',
    'data.overlong.trained': '（其中 {lost} 个参与训练）', 'data.overlong.emptied': '，{emptied} 条不再有参与训练的词元',
    'data.overlong.first': '；最长 {longest}，第一条：{where}（{tokens} 个词元）',
    'data.example': '第一个样例', 'data.example.legend': '高亮部分：训练所学习的词元；其余为上下文。',
    'data.trained.mark': '参与训练',
    'data.pipeline': '数据流水线', 'data.pipeline.help': '一个 `tunesmith data run` 流水线：输入、输出文件夹和按顺序执行的操作。路径相对于保存它的 configs/ 文件夹。',
    'data.pipeline.name': '流水线名称', 'data.pipeline.name.help': '保存为 configs/名称.yaml（字母、数字、- 和 _）。',
    'data.pipeline.yaml': '流水线 YAML', 'data.pipeline.starter': '为所选文件生成起始模板', 'data.pipeline.save': '保存',
    'data.pipeline.run': '保存并运行', 'data.pipeline.saved': '已保存 {path}', 'data.pipeline.last': '最近一次流水线运行',
    'data.task.command': '命令', 'data.task.log': '日志', 'data.task.error': '流水线失败', 'data.task.last_lines': '最后几行日志',
    'data.report': '报告', 'data.report.records': '已写入 {written}', 'data.report.steps': '各操作的计数',
    'data.report.checks': '检查', 'data.report.download': '下载 report.html', 'data.report.inspect': '检查 {path}',
    'data.col.op': '操作', 'data.col.in': '输入', 'data.col.kept': '保留', 'data.col.changed': '修改', 'data.col.added': '新增',
    'data.col.removed': '删除', 'data.col.check': '检查项', 'data.col.figure': '数值', 'data.col.threshold': '阈值',
  },
};

const count = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : number(n));
const percent = (share) => `${Math.round(share * 100)}%`;

// `data/sub/x.jsonl` -> `sub-x`: a config name and output folder for the starter pipeline.
function stemOf(path) {
  return path.replace(/^data\//, '').replace(/\.[^.]+$/, '').replace(/[^\w-]+/g, '-').replace(/^-+|-+$/g, '') || 'data';
}

export function starterPipeline(path, maxLength = 1024) {
  const stem = stemOf(path);
  return [
    `# tunesmith data run configs/clean-${stem}.yaml: paths are relative to this file's folder (configs/).`,
    'inputs:',
    `  - path: ../${path}`,
    `output: ../data/${stem}-clean        # data.jsonl, report.json and report.html`,
    'ops:',
    '  - dedup: {method: exact}           # drop repeated records',
    `  - filter: {max_tokens: ${maxLength}}       # drop records longer than this (and empty answers, refusals)`,
    '',
  ].join('\n');
}

async function render(main, ctx) {
  useStyle('data');
  let current = ctx.params.get('file') || '';
  let stopTask = null, left = false;

  // ---- files: upload and list -------------------------------------------------------------------------------
  const upload = h('input', { type: 'file', id: 'data-upload', accept: ACCEPT });
  const overwrite = h('input', { type: 'checkbox', id: 'data-overwrite' });
  const uploadStatus = h('div', { class: 'data-upload-status', 'aria-live': 'polite' });
  const list = h('div', { class: 'data-files' });
  const refresh = h('button', { type: 'button', onClick: () => loadFiles() }, t('common.refresh'));
  const filesPanel = h('section', { class: 'panel data-files-panel', 'aria-labelledby': 'data-files-title' },
    h('h2', { id: 'data-files-title' }, t('data.files')),
    field(t('data.upload'), upload, t('data.upload.help')),
    h('div', { class: 'row' }, overwrite, h('label', { for: 'data-overwrite' }, t('data.overwrite'))),
    uploadStatus,
    h('div', { class: 'row' }, refresh),
    list);

  async function loadFiles() {
    try {
      const { data } = await api.get('/ui/api/data/files');
      clear(list);
      if (!data.length) { list.append(h('p', { class: 'muted' }, t('data.files.none'))); return; }
      const rows = data.map((f) => [
        h('button', { type: 'button', class: 'data-file', 'data-path': f.path, 'aria-current': f.path === current ? 'true' : null,
          onClick: () => select(f.path) }, f.path),
        count(f.bytes), f.records === null || f.records === undefined ? '—' : count(f.records), when(f.modified),
      ]);
      list.append(table([t('data.col.file'), t('data.col.bytes'), t('data.col.records'), t('data.col.modified')], rows, { numeric: [1, 2] }));
    } catch (error) {
      clear(list).append(errorBox(error));
    }
  }

  upload.addEventListener('change', async () => {
    const file = upload.files[0];
    if (!file) return;
    clear(uploadStatus).append(h('p', { class: 'muted' }, t('data.uploading', { name: file.name })));
    const form = new FormData();
    form.append('file', file, file.name);
    if (overwrite.checked) form.append('overwrite', 'true');
    try {
      const saved = await api.upload('/ui/api/data/upload', form);
      clear(uploadStatus).append(h('p', { class: 'ok' }, t('data.uploaded', { path: saved.path, bytes: count(saved.bytes) })));
      upload.value = '';
      await select(saved.path);
    } catch (error) {
      clear(uploadStatus).append(errorBox(error));
      upload.value = '';
    }
  });

  // ---- inspect ----------------------------------------------------------------------------------------------
  const format = h('select', { id: 'data-format' }, FORMATS.map((f) => h('option', { value: f }, f)));
  const maxLength = h('input', { type: 'number', id: 'data-max-length', min: 1, step: 1, value: '1024', inputmode: 'numeric',
    'aria-describedby': 'data-max-length-help' });
  const inspectButton = h('button', { type: 'submit', class: 'primary' }, t('data.inspect'));
  const result = h('div', { class: 'data-result', 'aria-live': 'polite' });
  const inspectForm = h('form', { class: 'data-inspect-form', onSubmit: (e) => { e.preventDefault(); if (current) inspect(current); } },
    h('div', { class: 'row' }, field(t('data.format'), format), field(t('data.max_length'), maxLength), inspectButton),
    h('p', { class: 'help', id: 'data-max-length-help' }, t('data.max_length.help')));
  const inspectTitle = h('h2', { id: 'data-inspect-title' }, t('data.inspect'));
  const inspectPanel = h('section', { class: 'panel data-inspect-panel', 'aria-labelledby': 'data-inspect-title' },
    inspectTitle, inspectForm, result);

  async function select(path) {
    current = path;
    history.replaceState(null, '', `#/data?file=${encodeURIComponent(path)}`);
    await loadFiles();
    if (!yaml.dataset.edited) fillStarter();
    await inspect(path);
  }

  async function inspect(path) {
    inspectTitle.textContent = `${t('data.inspect')}: ${path}`;
    clear(result).append(h('p', { class: 'muted' }, t('data.inspecting', { path })));
    result.dataset.state = 'loading';
    try {
      const found = await api.get('/ui/api/data/inspect', { path, format: format.value, max_length: maxLength.value });
      if (current !== path) return;
      append(clear(result), inspectView(found));
      const chart = h('div', { class: 'data-histogram' });
      result.querySelector('.data-histogram-slot').append(chart);
      histogram(chart, found.histogram, { title: t('data.histogram'), label: t('data.histogram.label') });
      result.dataset.state = 'done';
    } catch (error) {
      if (current !== path) return;
      clear(result).append(errorBox(error));
      result.dataset.state = 'error';
    }
  }

  // ---- pipeline ---------------------------------------------------------------------------------------------
  const name = h('input', { type: 'text', id: 'data-pipeline-name', value: 'clean-data', pattern: '[A-Za-z0-9][A-Za-z0-9_-]*', spellcheck: 'false', autocomplete: 'off' });
  const yaml = h('textarea', { id: 'data-pipeline-yaml', rows: 10, spellcheck: 'false' });
  yaml.addEventListener('input', () => { yaml.dataset.edited = '1'; });
  const taskBox = h('div', { class: 'data-task' });
  const fillStarter = () => {
    if (!current) return;
    yaml.value = starterPipeline(current, Number(maxLength.value) || 1024);
    name.value = `clean-${stemOf(current)}`;
    delete yaml.dataset.edited;
  };
  const busy = (on) => { for (const b of pipelinePanel.querySelectorAll('button')) b.disabled = on; };

  async function save() {
    const saved = await api.post('/ui/api/configs', { kind: 'data_pipeline', name: name.value.trim(), yaml: yaml.value });
    toast(t('data.pipeline.saved', { path: saved.path }));
    return saved;
  }

  async function run(alsoRun) {
    busy(true);
    clear(taskBox);
    try {
      const saved = await save();
      if (alsoRun) follow(await api.post('/ui/api/tasks', { kind: 'data_run', args: { pipeline: saved.path } }));
    } catch (error) {
      taskBox.append(errorBox(error));
    } finally {
      busy(false);
    }
  }

  // Poll a task: status and log while it runs, then its report (or its error and last log lines).
  function follow(task) {
    if (stopTask) stopTask();
    let offset = 0, text = '', finished = false;
    const status = h('p', { class: 'data-task-status' });
    const log = h('pre', { class: 'data-log', role: 'log', 'aria-label': t('data.task.log') });
    const end = h('div', { class: 'data-task-end' });
    clear(taskBox).append(
      h('h3', {}, t('data.pipeline.last')), status,
      h('p', {}, h('span', { class: 'muted' }, `${t('data.task.command')}: `), h('code', {}, task.command)),
      h('details', { open: true }, h('summary', {}, t('data.task.log')), log), end);
    const cancel = h('button', { type: 'button', class: 'danger', onClick: async () => {
      cancel.disabled = true;
      try { show(await api.post(`/ui/api/tasks/${encodeURIComponent(task.id)}/cancel`)); } catch (error) { end.append(errorBox(error)); }
    } }, t('common.cancel'));
    const show = (now) => {
      append(clear(status), [badge(now.status), ' ', h('span', { class: 'muted' }, now.id), ' ', DONE.includes(now.status) ? null : cancel]);
      taskBox.dataset.status = now.status;
    };
    show(task);
    const problem = h('div');
    end.before(problem);
    stopTask = poll(async () => {
      if (finished) return;
      try {
        const now = await api.get(`/ui/api/tasks/${encodeURIComponent(task.id)}`);
        const chunk = await api.get(`/ui/api/tasks/${encodeURIComponent(task.id)}/log`, { offset });
        clear(problem);
        offset = chunk.offset;
        if (chunk.text) { text += chunk.text; log.textContent = text; log.scrollTop = log.scrollHeight; }
        show(now);
        if (DONE.includes(now.status) && chunk.done) {
          finished = true;
          stopTask();
          await finish(now, text, end);
        }
      } catch (error) {
        clear(problem).append(errorBox(error)); // e.g. the server restarting: shown, and asked again
      }
    }, 1000);
  }

  async function finish(task, text, end) {
    if (task.status === 'succeeded') {
      try { append(end, await reportView(task, end)); } catch (error) { end.append(errorBox(error)); }
      loadFiles();
      return;
    }
    end.append(h('h3', {}, t('data.task.error')), errorBox(task.error || task.status));
    const lines = text.trimEnd().split('\n').slice(-LAST_LINES).join('\n');
    if (lines) end.append(h('p', { class: 'muted' }, t('data.task.last_lines')), h('pre', { class: 'data-last-lines' }, lines));
  }

  async function reportView(task, end) {
    const artifacts = task.artifacts || [];
    const jsonPath = artifacts.find((p) => p.endsWith('report.json')) || `${task.output}/report.json`;
    const htmlPath = artifacts.find((p) => p.endsWith('report.html')) || `${task.output}/report.html`;
    let report = await api.get('/ui/api/files', { path: jsonPath });
    if (typeof report === 'string') report = JSON.parse(report);
    const folder = jsonPath.replace(/\/report\.json$/, '');
    const written = Object.entries(report.records || {}).map(([n, c]) => `${n}.jsonl (${count(c)})`).join(', ');
    const steps = (report.steps || []).map((s) => [s.op, count(s.records_in), count(s.kept), count(s.changed), count(s.added),
      Object.entries(s.removed || {}).map(([why, n]) => `${why} ${count(n)}`).join(', ') || '—']);
    const look = { pass: 'succeeded', fail: 'failed' };
    const checks = (report.checks || []).map((c) => [c.name, number(c.figure), number(c.threshold),
      h('span', { class: `badge ${look[c.status] || c.status}` }, c.status)]);
    const outputs = Object.keys(report.records || {}).map((n) => `${folder}/${n}.jsonl`);
    return [
      h('h3', {}, t('data.report')),
      h('p', { class: 'data-written' }, t('data.report.records', { written })),
      h('h4', {}, t('data.report.steps')),
      h('div', { class: 'data-steps' }, table([t('data.col.op'), t('data.col.in'), t('data.col.kept'), t('data.col.changed'), t('data.col.added'), t('data.col.removed')], steps, { numeric: [1, 2, 3, 4] })),
      h('h4', {}, t('data.report.checks')),
      h('div', { class: 'data-checks' }, table([t('data.col.check'), t('data.col.figure'), t('data.col.threshold'), t('common.status')], checks, { numeric: [1, 2] })),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'data-report-html', onClick: () => api.download('/ui/api/files', 'report.html', { path: htmlPath }).catch((e) => end.append(errorBox(e))) }, t('data.report.download')),
        outputs.map((p) => h('button', { type: 'button', onClick: () => select(p) }, t('data.report.inspect', { path: p })))),
    ];
  }

  const pipelinePanel = h('section', { class: 'panel data-pipeline-panel', 'aria-labelledby': 'data-pipeline-title' },
    h('h2', { id: 'data-pipeline-title' }, t('data.pipeline')),
    h('p', { class: 'muted' }, t('data.pipeline.help')),
    field(t('data.pipeline.name'), name, t('data.pipeline.name.help')),
    field(t('data.pipeline.yaml'), yaml),
    h('div', { class: 'row' },
      h('button', { type: 'button', onClick: fillStarter }, t('data.pipeline.starter')),
      h('button', { type: 'button', onClick: () => run(false) }, t('data.pipeline.save')),
      h('button', { type: 'button', class: 'primary', onClick: () => run(true) }, t('data.pipeline.run'))),
    taskBox);

  main.append(h('h1', {}, t('data.title')),
    h('div', { class: 'data-layout' }, filesPanel, inspectPanel),
    pipelinePanel);

  await loadFiles();
  if (current) { fillStarter(); inspect(current); } else result.append(h('p', { class: 'muted' }, t('data.inspect.pick')));
  api.get('/ui/api/tasks', { kind: 'data_run' })
    .then(({ data }) => { if (data && data.length && !stopTask && !left) follow(data[0]); })
    .catch(() => { /* the tasks routes may be off: the pipeline section still saves and runs */ });
  return () => { left = true; if (stopTask) stopTask(); };
}

// The inspect result as DOM (the histogram is drawn into `.data-histogram-slot` once this is in the page).
function inspectView(found) {
  const none = t('data.none');
  const keys = found.keys && Object.keys(found.keys).length
    ? h('p', {}, t('data.keys', { read: (found.keys.read || []).join(', ') || none, kept: (found.keys['kept in meta'] || []).join(', ') || none }))
    : null;
  const counts = Object.keys(found.counts || {}).length
    ? h('p', {}, `${t('data.counts')}: `, Object.entries(found.counts).map(([k, v]) => `${k} ${count(v)}`).join(', '))
    : null;
  const stats = Object.entries(found.token_lengths).map(([k, v]) => [k, number(v, 1)]);
  const over = found.overlong;
  let overText = null;
  if (over) {
    if (!over.overlong) overText = h('p', { class: 'muted data-overlong' }, t('data.overlong.none', { max: count(over.max_length), longest: count(over.longest) }));
    else {
      let line = t('data.overlong.some', { max: count(over.max_length), overlong: count(over.overlong), records: count(found.records), lost: count(over.tokens_lost) });
      if (over.trained_tokens_lost !== null && over.trained_tokens_lost !== undefined) line += t('data.overlong.trained', { lost: count(over.trained_tokens_lost) });
      if (over.emptied) line += t('data.overlong.emptied', { emptied: count(over.emptied) });
      if (over.first) line += t('data.overlong.first', { longest: count(over.longest), where: over.first.where, tokens: count(over.first.tokens) });
      overText = h('p', { class: 'warn data-overlong', role: 'status' }, `⚠ ${line}`);
    }
  }
  const example = h('pre', { class: 'data-example', 'aria-describedby': 'data-example-legend' },
    found.first_example.map(([text, trained]) => (trained ? h('mark', { class: 'trained', title: t('data.trained.mark') }, text) : h('span', { class: 'untrained' }, text))));
  return [
    h('p', { class: 'data-summary' }, h('strong', {}, t('data.summary', { path: found.path, format: found.format, records: count(found.records) }))),
    h('p', { class: 'muted' }, t('data.model', { model: found.model })),
    h('p', {}, `${t('data.turns')}: `, Object.entries(found.turns).map(([k, v]) => `${k} ${count(v)}`).join(', ') || none),
    keys, counts,
    h('div', { class: 'data-numbers' },
      h('div', {}, h('h3', {}, t('data.lengths')), table([t('data.stat'), t('data.tokens')], stats, { numeric: [1] })),
      h('div', { class: 'data-histogram-slot' }, h('h3', {}, t('data.histogram')))),
    h('p', { class: 'data-trained' }, t('data.trained', { trained: count(found.trained_tokens), total: count(found.total_tokens), share: percent(found.trained_share) })),
    h('div', { class: 'data-share', role: 'presentation' }, h('div', { style: `width:${Math.round(found.trained_share * 100)}%` })),
    overText,
    h('h3', {}, t('data.example')),
    h('p', { class: 'muted', id: 'data-example-legend' }, t('data.example.legend')),
    example,
  ];
}

export default { strings, render };
