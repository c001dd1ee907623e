// The Export page: pick a finished run (runs/* or a fine-tuning job's run) and a format, run
// `tunesmith export FORMAT RUN --out exports/<run>-<format>` as a task with its live log, then its verification
// table (export_report.json: replies and task metrics in the format's own runtime beside PyTorch's) and downloads.
import { api } from '../lib/api.js';
import { clear, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { errorBox, field, number, table, useStyle, when } from '../lib/ui.js';
import { latestTask, taskPanel } from './task_panel.js';

const FORMATS = ['merge', 'gguf', 'ollama', 'onnx'];
const DEFAULT_QUANT = { gguf: 'f16', ollama: 'q4_k_m', onnx: 'fp32' };  // the CLI's defaults

function checksTable(report) {
  return (report.checks || []).map((check) => {
    const names = [...new Set([...Object.keys(check.metrics || {}), ...Object.keys(check.pytorch_metrics || {})])];
    const rows = [
      [t('export.identical'), `${check.identical}/${check.prompts}`, ''],
      ...names.map((m) => [m, number(check.metrics[m], 4), number(check.pytorch_metrics[m], 4)]),
      [t('export.size'), number(check.size_bytes / 1e6, 1), ''],
      [t('export.load'), number(check.load_seconds, 2), ''],
      [t('export.speed'), number(check.tokens_per_second, 1), number(check.pytorch_tokens_per_second, 1)],
    ];
    return h('div', { class: 'panel export-check' },
      h('h3', {}, t('export.verified', { runtime: check.runtime }), ' ',
        h('span', { class: check.all_identical ? 'ok' : 'warn' }, check.all_identical ? t('export.same') : t('export.differs'))),
      table(['', check.format, 'PyTorch'], rows, { numeric: [1, 2] }));
  });
}

async function showResult(box, task) {
  clear(box);
  const report = task.artifacts.find((p) => p.endsWith('/export_report.json'));
  if (!report) {
    box.append(h('p', { class: 'ok', id: 'export-done' }, t('export.written', { out: task.output })));
    return;
  }
  try {
    box.append(h('h2', {}, t('export.verification')), ...checksTable(await api.get('/ui/api/files', { path: report })));
  } catch (error) { box.append(errorBox(error)); }
}

export default {
  strings: {
    en: {
      'export.title': 'Export', 'export.intro': 'Turn a finished run into a standalone model: merged weights (plain transformers), GGUF (llama.cpp), an Ollama Modelfile, or ONNX. Each is verified in its own runtime. Runs `tunesmith export`.',
      'export.run': 'Run', 'export.format': 'Format', 'export.quant': 'Quantization', 'export.quantHelp': 'GGUF and Ollama: --quant; ONNX: --precision. A merge writes the weights as they are.',
      'export.go': 'Export', 'export.noRuns': 'No finished run yet: train one on the Train page (a run with a final/ model).',
      'export.fmt.merge': 'merge: base + adapter in one folder', 'export.fmt.gguf': 'gguf: llama.cpp', 'export.fmt.ollama': 'ollama: GGUF + Modelfile', 'export.fmt.onnx': 'onnx: onnxruntime',
      'export.default': '{quant} (default)', 'export.verification': 'Verification', 'export.verified': 'Verified in {runtime}',
      'export.same': 'all replies identical', 'export.differs': 'some replies differ', 'export.identical': 'identical replies',
      'export.size': 'size MB', 'export.load': 'load s', 'export.speed': 'tokens/s', 'export.written': 'Written to {out}.',
      'export.runOption': '{name} ({method}, {when})',
    },
    zh: {
      'export.title': '导出', 'export.intro': '把已完成的运行导出为独立模型：合并权重（原生 transformers）、GGUF（llama.cpp）、Ollama Modelfile 或 ONNX。每种格式都在自身运行时中验证。运行 `tunesmith export`。',
      'export.run': '运行', 'export.format': '格式', 'export.quant': '量化', 'export.quantHelp': 'GGUF 与 Ollama：--quant；ONNX：--precision。合并按原样写出权重。',
      'export.go': '导出', 'export.noRuns': '还没有已完成的运行：请先在“训练”页训练一个（含 final/ 模型的运行）。',
      'export.fmt.merge': 'merge：基座 + 适配器合并为一个文件夹', 'export.fmt.gguf': 'gguf：llama.cpp', 'export.fmt.ollama': 'ollama：GGUF + Modelfile', 'export.fmt.onnx': 'onnx：onnxruntime',
      'export.default': '{quant}（默认）', 'export.verification': '验证', 'export.verified': '在 {runtime} 中验证',
      'export.same': '所有回复一致', 'export.differs': '部分回复不同', 'export.identical': '一致的回复',
      'export.size': '大小 MB', 'export.load': '加载秒数', 'export.speed': '词元/秒', 'export.written': '已写入 {out}。',
      'export.runOption': '{name}（{method}，{when}）',
    },
  },

  async render(main, ctx) {
    useStyle('export');
    main.append(h('h1', {}, t('export.title')), h('p', { class: 'muted' }, t('export.intro')));
    const { data: runs, quants } = await api.get('/ui/api/export/runs');
    const run = h('select', { id: 'export-run' }, runs.map((r) => h('option', { value: r.path },
      t('export.runOption', { name: r.path, method: r.method || '?', when: when(r.modified) }))));
    const wanted = ctx.params.get('run');
    if (wanted && runs.some((r) => r.path === wanted)) run.value = wanted;
    const format = h('select', { id: 'export-format' }, FORMATS.map((f) => h('option', { value: f }, t(`export.fmt.${f}`))));
    const quant = h('select', { id: 'export-quant' });
    const fillQuant = () => {
      const choices = quants[format.value] || [];
      clear(quant).append(...choices.map((q) => h('option', { value: q }, q === DEFAULT_QUANT[format.value] ? t('export.default', { quant: q }) : q)));
      quant.value = DEFAULT_QUANT[format.value] || '';
      quant.disabled = !choices.length;
    };
    format.addEventListener('change', fillQuant);
    fillQuant();
    const go = h('button', { type: 'submit', id: 'export-go', class: 'primary', disabled: !runs.length }, t('export.go'));
    const message = h('div', { id: 'export-message' });
    const taskBox = h('section', { class: 'panel task-box', id: 'export-task', hidden: true });
    const result = h('div', { id: 'export-result' });
    const form = h('form', { class: 'panel export-form', id: 'export-form' },
      runs.length ? null : h('p', { class: 'warn' }, t('export.noRuns')),
      h('div', { class: 'export-fields' }, field(t('export.run'), run), field(t('export.format'), format), field(t('export.quant'), quant, t('export.quantHelp'))),
      h('div', { class: 'row' }, go), message);
    main.append(form, taskBox, result);

    let stopTask = null;
    const watch = (task) => {
      if (stopTask) stopTask();
      taskBox.hidden = false;
      clear(result);
      stopTask = taskPanel(taskBox, task, { onDone: (done) => { if (done.status === 'succeeded') showResult(result, done); } });
    };
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clear(message);
      go.disabled = true;
      const args = { run: run.value, format: format.value };
      if (!quant.disabled && quant.value !== DEFAULT_QUANT[format.value]) args.quant = quant.value;
      try { watch(await api.post('/ui/api/tasks', { kind: 'export', args })); } catch (error) { message.append(errorBox(error)); } finally { go.disabled = !runs.length; }
    });
    const last = await latestTask('export').catch(() => null);
    if (last) watch(last);
    return () => { if (stopTask) stopTask(); };
  },
};
