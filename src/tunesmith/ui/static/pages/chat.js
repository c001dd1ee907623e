// The chat page: one to three served models side by side, one prompt streamed to all of them at once, each column
// its own conversation; thumbs per answer (POST /v1/feedback) and "save to dataset" (POST /ui/api/datasets/append).
import { api, streamChat } from '../lib/api.js';
import { clear, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { errorBox, field, toast, useStyle } from '../lib/ui.js';

const MAX_COLUMNS = 3;  // the issue: the base and one or two tuned models

const strings = {
  en: {
    'chat.title': 'Chat', 'chat.intro': 'Send one prompt to up to three models at once and compare their answers as they stream.',
    'chat.settings': 'Settings', 'chat.columns': 'Models side by side', 'chat.system': 'System prompt (optional)',
    'chat.temperature': 'Temperature', 'chat.maxTokens': 'Max tokens', 'chat.serverDefault': 'server default', 'chat.retrieval': 'Retrieval',
    'chat.retrievalHelp': 'Answer from the served index ({models}); off answers without it.',
    'chat.noRetrieval': 'No served model retrieves: start the server with --rag MODEL=INDEX to compare with retrieval.',
    'chat.column': 'Model {n}', 'chat.conversation': 'Conversation with model {n}', 'chat.model': 'Model', 'chat.columnTemp': 'Temperature', 'chat.columnTempHelp': 'Blank: the shared one.',
    'chat.retrieves': 'retrieves', 'chat.prompt': 'Message', 'chat.promptHelp': 'Enter or Ctrl+Enter sends; Shift+Enter starts a new line.',
    'chat.send': 'Send', 'chat.stop': 'Stop', 'chat.clear': 'Clear', 'chat.you': 'You', 'chat.empty': 'No messages yet.',
    'chat.stopped': 'stopped', 'chat.streaming': 'answering…', 'chat.citations': 'Sources',
    'chat.up': 'Good answer', 'chat.down': 'Bad answer', 'chat.upShort': 'Good', 'chat.downShort': 'Bad', 'chat.rated': 'Feedback recorded: {rating}.',
    'chat.dataset': 'Dataset', 'chat.datasetHelp': 'A name (saved as data/<name>.jsonl) or a file listed here.',
    'chat.save': 'Save to dataset', 'chat.saved': 'Saved to {path} (records in the file: {records}).', 'chat.nothing': 'Nothing to save yet: send a prompt first.',
    'chat.busy': 'Wait for the answers (or Stop) before sending again.',
  },
  zh: {
    'chat.title': '对话', 'chat.intro': '把同一个提示同时发给最多三个模型，边流式输出边比较它们的回答。',
    'chat.settings': '设置', 'chat.columns': '并排的模型数', 'chat.system': '系统提示（可选）',
    'chat.temperature': '温度', 'chat.maxTokens': '最大词元数', 'chat.serverDefault': '服务器默认值', 'chat.retrieval': '检索',
    'chat.retrievalHelp': '用服务端的索引回答（{models}）；关闭则不检索。',
    'chat.noRetrieval': '没有模型启用检索：用 --rag MODEL=INDEX 启动服务器即可对比检索效果。',
    'chat.column': '模型 {n}', 'chat.conversation': '与模型 {n} 的对话', 'chat.model': '模型', 'chat.columnTemp': '温度', 'chat.columnTempHelp': '留空：使用共享设置。',
    'chat.retrieves': '检索', 'chat.prompt': '消息', 'chat.promptHelp': '按 Enter 或 Ctrl+Enter 发送；Shift+Enter 换行。',
    'chat.send': '发送', 'chat.stop': '停止', 'chat.clear': '清空', 'chat.you': '你', 'chat.empty': '还没有消息。',
    'chat.stopped': '已停止', 'chat.streaming': '回答中…', 'chat.citations': '来源',
    'chat.up': '好回答', 'chat.down': '差回答', 'chat.upShort': '好', 'chat.downShort': '差', 'chat.rated': '已记录反馈：{rating}。',
    'chat.dataset': '数据集', 'chat.datasetHelp': '名称（保存为 data/<名称>.jsonl）或此处列出的文件。',
    'chat.save': '保存到数据集', 'chat.saved': '已保存到 {path}：现有 {records} 条记录。', 'chat.nothing': '还没有可保存的内容：请先发送提示。',
    'chat.busy': '请等回答结束（或点停止）后再发送。',
  },
};

// "good" -> data/good.jsonl; a path with a folder or suffix is sent as typed, for the server to check.
export function datasetPath(name) {
  let path = name.trim();
  if (!path) return path;
  if (!path.startsWith('data/')) path = `data/${path}`;
  if (!/\.[A-Za-z0-9]+$/.test(path.split('/').pop())) path += '.jsonl';
  return path;
}

function numberOrNull(input) {
  const value = input.value.trim();
  return value === '' ? null : Number(value);
}

export default {
  strings,
  async render(main) {
    useStyle('chat');
    const [models, rag, sets] = await Promise.all([
      api.get('/v1/models'), api.get('/ui/api/chat/retrieval'), api.get('/ui/api/datasets'),
    ]);
    const names = models.data.map((m) => m.id);
    const retrieving = new Set(rag.models);
    let controller = null;

    // shared settings
    const count = h('select', { id: 'chat-count' }, Array.from({ length: MAX_COLUMNS }, (_, i) => i + 1).map((n) => h('option', { value: n, selected: n === Math.min(2, names.length || 1) }, String(n))));
    const system = h('textarea', { id: 'chat-system', rows: 2 });
    const temperature = h('input', { id: 'chat-temperature', type: 'number', min: 0, max: 2, step: 0.1, value: '0.7' });
    const maxTokens = h('input', { id: 'chat-max-tokens', type: 'number', min: 1, step: 1, placeholder: t('chat.serverDefault') });
    const useRag = h('input', { id: 'chat-retrieval', type: 'checkbox', checked: retrieving.size > 0, disabled: retrieving.size === 0 });
    const ragField = retrieving.size
      ? h('div', { class: 'field chat-check' }, h('label', { for: 'chat-retrieval' }, useRag, ' ', t('chat.retrieval')),
        h('span', { class: 'help' }, t('chat.retrievalHelp', { models: [...retrieving].join(', ') })))
      : h('p', { class: 'muted', id: 'chat-no-retrieval' }, t('chat.noRetrieval'));
    const datasetName = h('input', { id: 'chat-dataset', list: 'chat-datasets', value: 'chat-saved', autocomplete: 'off' });
    const datalist = h('datalist', { id: 'chat-datasets' }, sets.data.map((d) => h('option', { value: d.path }, `${d.records}`)));

    // one column per model
    const columnsBox = h('div', { class: 'chat-columns', id: 'chat-columns' });
    const columns = [];
    function makeColumn(i) {
      const select = h('select', { id: `chat-model-${i}` }, names.map((name) => h('option', { value: name }, name)));
      select.value = names[Math.min(i, names.length - 1)] || '';
      const temp = h('input', { id: `chat-temp-${i}`, type: 'number', min: 0, max: 2, step: 0.1 });
      const badge = h('span', { class: 'badge chat-rag', hidden: true }, t('chat.retrieves'));
      const log = h('div', { class: 'chat-log', role: 'region', tabindex: 0, 'aria-label': t('chat.conversation', { n: i + 1 }) }, h('p', { class: 'muted' }, t('chat.empty')));
      const status = h('div', { class: 'chat-status' });
      const col = { select, temp, log, status, history: [], epoch: 0, el: null }; // epoch: bumped when the talk restarts
      const showBadge = () => { badge.hidden = !retrieving.has(select.value); };
      select.addEventListener('change', () => { showBadge(); restart(col); });
      showBadge();
      const save = h('button', { type: 'button', class: 'chat-save', onClick: () => saveColumn(col) }, t('chat.save'));
      col.el = h('section', { class: 'panel chat-column', 'data-column': i, 'aria-label': t('chat.column', { n: i + 1 }) },
        h('h2', {}, t('chat.column', { n: i + 1 }), ' ', badge),
        h('div', { class: 'row' }, field(t('chat.model'), select), field(t('chat.columnTemp'), temp, t('chat.columnTempHelp'))),
        log, status, h('div', { class: 'row' }, save));
      return col;
    }
    function layout() {
      const n = Number(count.value);
      while (columns.length < n) columns.push(makeColumn(columns.length));
      columns.splice(n);
      clear(columnsBox).append(...columns.map((c) => c.el));
      columnsBox.dataset.count = String(n);
    }
    count.addEventListener('change', layout);

    // the shared prompt
    const prompt = h('textarea', { id: 'chat-prompt', rows: 3 });
    const send = h('button', { type: 'submit', class: 'primary', id: 'chat-send' }, t('chat.send'));
    const stop = h('button', { type: 'button', id: 'chat-stop', disabled: true, onClick: () => controller?.abort() }, t('chat.stop'));
    const clearButton = h('button', { type: 'button', id: 'chat-clear', onClick: clearAll }, t('chat.clear'));
    const form = h('form', { class: 'panel chat-prompt', id: 'chat-form', onSubmit: (e) => { e.preventDefault(); sendAll(); } },
      field(t('chat.prompt'), prompt, t('chat.promptHelp')), h('div', { class: 'row' }, send, stop, clearButton));
    prompt.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
    });

    function clearAll() {
      controller?.abort();
      for (const col of columns) restart(col);
      prompt.focus();
    }

    function requestBody(col) {
      const messages = [];
      if (system.value.trim()) messages.push({ role: 'system', content: system.value });
      messages.push(...col.history.map(({ role, content }) => ({ role, content })));
      const body = { model: col.select.value, messages };
      const temp = numberOrNull(col.temp) ?? numberOrNull(temperature);
      if (temp !== null) body.temperature = temp;
      const most = numberOrNull(maxTokens);
      if (most !== null) body.max_tokens = most;
      if (retrieving.has(col.select.value)) body.retrieval = useRag.checked;
      return body;
    }

    // a new conversation in this column: answers still arriving for the old one are dropped
    function restart(col) {
      col.epoch += 1;
      col.history = [];
      clear(col.log).append(h('p', { class: 'muted' }, t('chat.empty')));
      clear(col.status);
    }

    async function answer(col, signal) {
      const turn = h('div', { class: 'chat-turn assistant', 'aria-busy': 'true' });
      const text = h('div', { class: 'chat-text' });
      const note = h('span', { class: 'muted chat-note' }, t('chat.streaming'));
      turn.append(h('div', { class: 'chat-who' }, col.select.value, ' ', note), text);
      col.log.append(turn);
      col.el.setAttribute('aria-busy', 'true');
      const epoch = col.epoch;
      let id = null, whole = '', failed = null;
      try {
        const result = await streamChat(requestBody(col), (delta, chunk) => {
          whole += delta; id = chunk?.id || id;
          text.textContent = whole;
          col.log.scrollTop = col.log.scrollHeight;
          turn.dataset.tokens = String(Number(turn.dataset.tokens || 0) + 1);
        }, signal);
        id = result.last?.id || id;
        whole = result.text;
        note.textContent = '';
        if (result.citations?.length) turn.append(citations(result.citations));
      } catch (error) {
        if (error.name === 'AbortError') { note.textContent = t('chat.stopped'); turn.dataset.stopped = '1'; }
        else { note.textContent = ''; failed = error; turn.append(errorBox(error)); }
      }
      finishTurn(col, turn);
      if (epoch !== col.epoch) return; // cleared, or another model chosen, while this answer streamed
      text.textContent = whole;
      if (whole && !failed) col.history.push({ role: 'assistant', content: whole });
      else col.history.pop(); // no answer: the prompt is taken back, so the conversation stays well-formed
      if (id) { turn.dataset.request = id; turn.append(thumbs(id)); }
    }

    function finishTurn(col, turn) {
      turn.setAttribute('aria-busy', 'false');
      turn.dataset.done = '1';
      col.el.removeAttribute('aria-busy');
    }

    function citations(list) {
      return h('details', { class: 'chat-citations', open: true }, h('summary', {}, `${t('chat.citations')} (${list.length})`),
        h('ol', {}, list.map((c) => h('li', {}, h('code', {}, c.id), ` ${c.source} · ${Number(c.score).toFixed(3)}`))));
    }

    function thumbs(id) {
      const box = h('div', { class: 'row chat-thumbs' });
      const rate = async (rating, button) => {
        try {
          await api.post('/v1/feedback', { request_id: id, rating });
          for (const b of box.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === button));
          toast(t('chat.rated', { rating: t(rating === 'up' ? 'chat.up' : 'chat.down') }));
        } catch (error) { box.append(errorBox(error)); }
      };
      const up = h('button', { type: 'button', class: 'chat-up', 'aria-pressed': 'false', 'aria-label': t('chat.up'), title: t('chat.up'), onClick: () => rate('up', up) }, `✓ ${t('chat.upShort')}`);
      const down = h('button', { type: 'button', class: 'chat-down', 'aria-pressed': 'false', 'aria-label': t('chat.down'), title: t('chat.down'), onClick: () => rate('down', down) }, `✗ ${t('chat.downShort')}`);
      box.append(up, down);
      return box;
    }

    async function sendAll() {
      const text = prompt.value.trim();
      if (!text || !columns.length) return;
      if (controller) { toast(t('chat.busy')); return; }
      controller = new AbortController();
      send.disabled = true; stop.disabled = false;
      prompt.value = '';
      for (const col of columns) {
        if (!col.history.length) clear(col.log);
        col.history.push({ role: 'user', content: text });
        col.log.append(h('div', { class: 'chat-turn user' }, h('div', { class: 'chat-who' }, t('chat.you')), h('div', { class: 'chat-text' }, text)));
      }
      await Promise.allSettled(columns.map((col) => answer(col, controller.signal)));
      controller = null;
      send.disabled = false; stop.disabled = true;
      prompt.focus();
    }

    async function saveColumn(col) {
      clear(col.status);
      const turns = col.history.map(({ role, content }) => ({ role, content }));
      if (!turns.length) { col.status.append(errorBox(t('chat.nothing'))); return; }
      const messages = system.value.trim() ? [{ role: 'system', content: system.value }, ...turns] : turns;
      try {
        const saved = await api.post('/ui/api/datasets/append', { path: datasetPath(datasetName.value), messages });
        col.status.append(h('p', { class: 'ok', role: 'status' }, t('chat.saved', saved)));
        const known = [...datalist.options].find((o) => o.value === saved.path);
        if (known) known.textContent = String(saved.records);
        else datalist.append(h('option', { value: saved.path }, String(saved.records)));
      } catch (error) { col.status.append(errorBox(error)); }
    }

    main.append(
      h('h1', {}, t('chat.title')), h('p', { class: 'muted' }, t('chat.intro')),
      h('details', { class: 'panel chat-settings', open: true }, h('summary', {}, t('chat.settings')),
        h('div', { class: 'chat-settings-grid' },
          field(t('chat.columns'), count), field(t('chat.temperature'), temperature), field(t('chat.maxTokens'), maxTokens),
          field(t('chat.dataset'), datasetName, t('chat.datasetHelp')), datalist),
        field(t('chat.system'), system), ragField),
      columnsBox, form,
    );
    layout();
    return () => controller?.abort();
  },
};
