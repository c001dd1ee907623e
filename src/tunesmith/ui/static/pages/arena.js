// The Arena page: pick or write an arena file (YAML, checked by the CLI's own loader when saved), run
// `tunesmith arena configs/<name>.yaml` as a task with its live log, then read the report: the verdict, each arm's
// metrics with the primary score's 95% interval, latency and cost per request, and report.json/report.html.
import { api } from '../lib/api.js';
import { clear, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { errorBox, field, table, useStyle } from '../lib/ui.js';
import { downloadButton, latestTask, taskPanel } from './task_panel.js';

const CONFIGS = '/ui/api/configs';

// A score or price with fixed digits (0 shows as 0.000, like the CLI's table); — when unknown.
const fixed = (value, digits = 3) => (value === null || value === undefined ? '—' : Number(value).toFixed(digits));

// A starter in the shape of examples/arena/quickstart.yaml, filled in from this workspace.
export function starter({ model, run, data }) {
  const arms = [`  - {name: prompt, kind: prompt${model ? `, model: ${model}` : ''}}`];
  if (run) arms.push(`  - {name: fine-tuned, kind: fine_tuned, run: ../${run}}`);
  return [
    '# Every arm answers the same held-out questions; the report scores them with intervals, latency and cost.',
    '# Paths are relative to this file\'s folder (configs/). Arm kinds: prompt, few_shot (needs task.train),',
    '# optimized_prompt, rag (needs task.knowledge), fine_tuned, fine_tuned_rag, teacher (see examples/arena/).',
    'task:',
    `  eval: ../${data || 'data/eval.jsonl'}      # the held-out test split`,
    '  metrics: [exact_match]',
    '  limit: 8                    # a quick look: the first 8 questions',
    '  max_new_tokens: 32',
    'arms:',
    ...arms,
    'cost:',
    '  currency: USD',
    '  hardware: this machine',
    '  price_per_hour: 0.10        # what an hour of this machine costs you',
    '',
  ].join('\n');
}

async function starterFor(ctx) {
  const [runs, files] = await Promise.all([
    api.get('/ui/api/export/runs').then((r) => r.data).catch(() => []),
    api.get('/ui/api/data/files').then((r) => r.data).catch(() => []),
  ]);
  const data = files.map((f) => f.path).find((p) => p.endsWith('.jsonl'));
  return starter({ model: ctx.info?.base_model, run: runs[0]?.path, data });
}

function verdict(report) {
  const rec = report.recommendation || {};
  return h('section', { class: 'panel arena-verdict', id: 'arena-verdict' },
    h('h2', {}, t('arena.verdict')),
    h('p', { class: 'verdict' }, h('strong', {}, rec.verdict || '—')),
    h('ul', {}, [...(rec.claims || []), ...(rec.signals || [])].map((line) => h('li', {}, line))));
}

function armsTable(report) {
  const primary = report.task.primary;
  const metrics = [...new Set(report.arms.flatMap((a) => Object.keys(a.metrics || {})))].filter((m) => m !== primary);
  const currency = report.cost.currency;
  const headers = [t('arena.arm'), t('arena.kind'), primary, t('arena.interval'), ...metrics, 'p50 s', 'p95 s',
    t('arena.tokens'), t('arena.perRequest', { currency }), t('arena.per1k', { currency }), t('arena.oneOff', { currency })];
  const rows = report.arms.map((arm) => {
    if (arm.status !== 'ok') return [arm.name, arm.kind, h('span', { class: 'bad' }, t('arena.failed')), arm.error || '', ...metrics.map(() => ''), '', '', '', '', '', ''];
    const p = arm.primary, cost = arm.cost.per_1k, once = arm.cost.one_off;
    return [
      arm.name, arm.kind, fixed(p.mean), `[${fixed(p.low)}, ${fixed(p.high)}]`,
      ...metrics.map((m) => fixed(arm.metrics[m])),
      fixed(arm.latency.p50, 2), fixed(arm.latency.p95, 2),
      `${fixed(arm.tokens.prompt, 0)} / ${fixed(arm.tokens.completion, 0)}`,
      h('span', { title: cost.basis }, cost.value === null ? t('arena.unknown') : fixed(cost.value / 1000, 6)),
      h('span', { title: cost.basis }, cost.value === null ? t('arena.unknown') : fixed(cost.value, 4)),
      h('span', { title: once.basis }, once.value === null ? t('arena.unknown') : fixed(once.value, 4)),
    ];
  });
  const numeric = headers.map((_, i) => i).filter((i) => i >= 2);
  return h('section', { class: 'panel', id: 'arena-arms' }, h('h2', {}, t('arena.arms')),
    h('p', { class: 'muted' }, t('arena.armsHelp', { n: report.task.n, primary })), table(headers, rows, { numeric }));
}

async function showReport(box, task) {
  clear(box);
  const path = `${task.output}/report.json`;
  try {
    const report = await api.get('/ui/api/files', { path });
    box.append(verdict(report), armsTable(report),
      h('div', { class: 'row', id: 'arena-downloads' }, downloadButton(path, t('arena.json')), downloadButton(`${task.output}/report.html`, t('arena.html'))));
  } catch (error) {
    box.append(errorBox(error));
  }
}

export default {
  strings: {
    en: {
      'arena.title': 'Arena', 'arena.intro': 'Answer one task several ways (prompt, few-shot, retrieval, fine-tuned, teacher), score each with its interval and cost, and get a recommendation. Runs `tunesmith arena`.',
      'arena.config': 'Arena file', 'arena.pick': 'Open a saved arena file', 'arena.new': '(new file)', 'arena.name': 'Name',
      'arena.nameHelp': 'Saved as configs/<name>.yaml', 'arena.yaml': 'Arena YAML', 'arena.yamlHelp': 'Checked with the same schema and messages as `tunesmith arena`.',
      'arena.save': 'Save', 'arena.run': 'Save and run', 'arena.saved': 'Saved {path}', 'arena.starter': 'Reset to the starter',
      'arena.verdict': 'Verdict', 'arena.arms': 'Arms', 'arena.arm': 'arm', 'arena.kind': 'kind', 'arena.interval': '95% interval',
      'arena.tokens': 'tokens in / out', 'arena.perRequest': '{currency} / request', 'arena.per1k': '{currency} / 1k requests',
      'arena.oneOff': 'one-off {currency}', 'arena.failed': 'failed', 'arena.unknown': 'unknown',
      'arena.armsHelp': '{n} questions; {primary} with its 95% bootstrap interval. Hover a cost for how it was worked out.',
      'arena.json': 'Download report.json', 'arena.html': 'Download report.html', 'arena.report': 'Report',
    },
    zh: {
      'arena.title': '擂台', 'arena.intro': '用多种方式回答同一任务（提示、少样本、检索、微调、教师模型），给出每种方式的置信区间与成本，并给出建议。运行 `tunesmith arena`。',
      'arena.config': '擂台文件', 'arena.pick': '打开已保存的擂台文件', 'arena.new': '（新文件）', 'arena.name': '名称',
      'arena.nameHelp': '保存为 configs/<名称>.yaml', 'arena.yaml': '擂台 YAML', 'arena.yamlHelp': '使用与 `tunesmith arena` 相同的模式和提示信息检查。',
      'arena.save': '保存', 'arena.run': '保存并运行', 'arena.saved': '已保存 {path}', 'arena.starter': '恢复为初始模板',
      'arena.verdict': '结论', 'arena.arms': '各方案', 'arena.arm': '方案', 'arena.kind': '类型', 'arena.interval': '95% 区间',
      'arena.tokens': '输入 / 输出词元', 'arena.perRequest': '{currency} / 每次请求', 'arena.per1k': '{currency} / 千次请求',
      'arena.oneOff': '一次性 {currency}', 'arena.failed': '失败', 'arena.unknown': '未知',
      'arena.armsHelp': '{n} 道题；{primary} 及其 95% 自助法区间。将鼠标悬停在成本上可查看计算方式。',
      'arena.json': '下载 report.json', 'arena.html': '下载 report.html', 'arena.report': '报告',
    },
  },

  async render(main, ctx) {
    useStyle('arena');
    const pick = h('select', { id: 'arena-pick' });
    const name = h('input', { id: 'arena-name', type: 'text', value: 'arena', autocomplete: 'off', spellcheck: 'false' });
    const yaml = h('textarea', { id: 'arena-yaml', rows: 18, spellcheck: 'false' });
    const message = h('div', { id: 'arena-message', 'aria-live': 'polite' });
    const save = h('button', { type: 'button', id: 'arena-save' }, t('arena.save'));
    const run = h('button', { type: 'button', id: 'arena-run', class: 'primary' }, t('arena.run'));
    const reset = h('button', { type: 'button', id: 'arena-reset' }, t('arena.starter'));
    const taskBox = h('section', { class: 'panel task-box', id: 'arena-task', hidden: true });
    const reportBox = h('div', { id: 'arena-report' });
    main.append(
      h('h1', {}, t('arena.title')),
      h('p', { class: 'muted' }, t('arena.intro')),
      h('section', { class: 'panel arena-config' }, h('h2', {}, t('arena.config')),
        h('div', { class: 'arena-fields' }, field(t('arena.pick'), pick), field(t('arena.name'), name, t('arena.nameHelp'))),
        field(t('arena.yaml'), yaml, t('arena.yamlHelp')),
        h('div', { class: 'row' }, run, save, reset), message),
      taskBox, reportBox,
    );

    let stopTask = null;
    const fresh = await starterFor(ctx);
    yaml.value = fresh;
    const configs = (await api.get(CONFIGS, { kind: 'arena' })).data;
    pick.append(h('option', { value: '' }, t('arena.new')), ...configs.map((c) => h('option', { value: c.name }, c.path)));
    pick.addEventListener('change', async () => {
      clear(message);
      if (!pick.value) { yaml.value = fresh; return; }
      try {
        const found = await api.get(`${CONFIGS}/${encodeURIComponent(pick.value)}`);
        yaml.value = found.yaml; name.value = pick.value;
      } catch (error) { message.append(errorBox(error)); }
    });
    reset.addEventListener('click', () => { yaml.value = fresh; clear(message); });

    const saveConfig = async () => {
      clear(message);
      const saved = await api.post(CONFIGS, { kind: 'arena', name: name.value, yaml: yaml.value });
      message.append(h('p', { class: 'ok' }, t('arena.saved', { path: saved.path })));
      const saveName = saved.path.replace(/^configs\//, '').replace(/\.yaml$/, '');
      if (![...pick.options].some((o) => o.value === saveName)) pick.append(h('option', { value: saveName }, saved.path));
      pick.value = saveName;
      return saved;
    };
    const watch = (task) => {
      if (stopTask) stopTask();
      taskBox.hidden = false;
      clear(reportBox);
      stopTask = taskPanel(taskBox, task, { onDone: (done) => { if (done.status === 'succeeded') showReport(reportBox, done); } });
    };
    const act = async (andRun) => {
      save.disabled = run.disabled = true;
      try {
        const saved = await saveConfig();
        if (andRun) watch(await api.post('/ui/api/tasks', { kind: 'arena', args: { config: saved.path } }));
      } catch (error) {
        clear(message).append(errorBox(error));
      } finally {
        save.disabled = run.disabled = false;
      }
    };
    save.addEventListener('click', () => act(false));
    run.addEventListener('click', () => act(true));

    const last = await latestTask('arena').catch(() => null);
    if (last) watch(last);
    return () => { if (stopTask) stopTask(); };
  },
};
