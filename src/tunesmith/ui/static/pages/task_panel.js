// One UI task (/ui/api/tasks): the command it runs, its status, a cancel button, its live log, and when it ends
// either the CLI's own error with the last log lines, or its artifacts with download buttons. Used by the pages
// that run CLI commands (arena, export). taskPanel(box, task, {onDone}) -> stop().
import { api } from '../lib/api.js';
import { clear, h } from '../lib/dom.js';
import { addStrings, t } from '../lib/i18n.js';
import { badge, errorBox, poll, when } from '../lib/ui.js';

addStrings({
  en: {
    'task.title': 'Task', 'task.command': 'Command', 'task.log': 'Log', 'task.cancel': 'Cancel task',
    'task.artifacts': 'Files it wrote', 'task.lastLines': 'Last lines of the log', 'task.started': 'Started {when}',
    'task.queued': 'Waiting for a free slot (one task runs at a time).', 'task.noArtifacts': 'It wrote no files.',
  },
  zh: {
    'task.title': '任务', 'task.command': '命令', 'task.log': '日志', 'task.cancel': '取消任务',
    'task.artifacts': '生成的文件', 'task.lastLines': '日志最后几行', 'task.started': '开始于 {when}',
    'task.queued': '等待空闲槽位（一次运行一个任务）。', 'task.noArtifacts': '没有生成文件。',
  },
});

export const DONE = ['succeeded', 'failed', 'cancelled'];
const TASKS = '/ui/api/tasks';

export function fileName(path) { return path.split('/').pop(); }

// A button that downloads one workspace file through the files API (with the key).
export function downloadButton(path, label) {
  const button = h('button', { type: 'button', class: 'download', 'data-path': path }, label || fileName(path));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try { await api.download('/ui/api/files', fileName(path), { path }); } finally { button.disabled = false; }
  });
  return button;
}

export function taskPanel(box, task, { onDone } = {}) {
  const status = h('span', { class: 'task-status' });
  const meta = h('span', { class: 'muted' });
  const cancel = h('button', { type: 'button', class: 'danger task-cancel' }, t('task.cancel'));
  const actionError = h('div');
  const logText = h('pre', { class: 'task-log', tabindex: '0', 'aria-label': t('task.log'), 'aria-live': 'off' });
  const result = h('div', { class: 'task-result' });
  clear(box).append(
    h('div', { class: 'row' }, h('strong', {}, t('task.title')), status, meta, cancel),
    h('p', {}, h('span', { class: 'muted' }, `${t('task.command')}: `), h('code', { class: 'task-command' }, task.command)),
    actionError,
    h('details', { class: 'task-log-box', open: true }, h('summary', {}, t('task.log')), logText),
    result,
  );
  box.dataset.task = task.id;
  delete box.dataset.done;
  let offset = 0, finished = false, stop = null;

  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    clear(actionError);
    try { show(await api.post(`${TASKS}/${task.id}/cancel`, {})); } catch (error) { actionError.append(errorBox(error)); }
  });

  function show(found) {
    task = found;
    clear(status).append(badge(found.status));
    box.dataset.status = found.status;
    meta.textContent = found.status === 'queued' ? t('task.queued') : t('task.started', { when: when(found.started_at) });
    cancel.disabled = DONE.includes(found.status);
  }

  function finish(found) {
    finished = true;
    clear(result);
    if (found.status === 'failed') {
      const lines = logText.textContent.trimEnd().split('\n').slice(-12).join('\n');
      result.append(errorBox(found.error || found.status), h('h3', {}, t('task.lastLines')), h('pre', { class: 'task-last-lines' }, lines));
    } else if (found.status === 'succeeded') {
      result.append(h('h3', {}, t('task.artifacts')), found.artifacts.length
        ? h('ul', { class: 'artifacts' }, found.artifacts.map((path) => h('li', {}, downloadButton(path), ' ', h('code', { class: 'muted' }, path))))
        : h('p', { class: 'muted' }, t('task.noArtifacts')));
    }
    box.dataset.done = '1';
    if (onDone) onDone(found);
  }

  async function refresh() {
    const found = await api.get(`${TASKS}/${task.id}`);
    for (;;) {  // the whole log so far, in pieces
      const piece = await api.get(`${TASKS}/${task.id}/log`, { offset });
      if (piece.text) logText.append(piece.text);
      const moved = piece.offset !== offset;
      offset = piece.offset;
      if (!moved || piece.done) break;
    }
    logText.scrollTop = logText.scrollHeight;
    show(found);
    if (DONE.includes(found.status) && !finished) {
      if (stop) stop();
      finish(found);
    }
  }

  show(task);
  stop = poll(async () => {
    if (finished) return;
    try { await refresh(); } catch (error) { clear(actionError).append(errorBox(error)); }
  }, 1000);
  return () => { finished = true; if (stop) stop(); };
}

// The newest task of `kind` whose args match `match(args)`, if any (to show it again after a reload).
export async function latestTask(kind, match = () => true) {
  const { data } = await api.get(TASKS, { kind });
  return data.find((task) => match(task.args)) || null;
}
