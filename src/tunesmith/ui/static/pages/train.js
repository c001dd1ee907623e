// The Train page: a recipe form generated from the recipe schema, the YAML beside it (validated live by the API,
// with `tunesmith train`'s own messages), launch through the job runner, recent jobs; `?job=<id>` shows one job.
import { api } from '../lib/api.js';
import { clear, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { badge, errorBox, field, saveText, table, useStyle, when } from '../lib/ui.js';
import { buildForm } from './train_form.js';
import { renderJob } from './train_job.js';
import { STRINGS } from './train_strings.js';

const SAVED = 'tunesmith.train.recipe';

async function firstDataFile() {
  try {  // the Data page's listing, when the server has it; the form works without it
    const listing = await api.get('/ui/api/data/files');
    const files = (listing.data || listing.files || []).map((f) => (typeof f === 'string' ? f : f.path)).filter(Boolean);
    return files.find((f) => /\.(jsonl|json|csv|parquet)$/.test(f)) || '';
  } catch { return ''; }
}

async function startingRecipe(ctx) {
  try { const saved = JSON.parse(sessionStorage.getItem(SAVED)); if (saved && typeof saved === 'object') return saved; } catch { /* none */ }
  const train = await firstDataFile();
  return { model: ctx.info.base_model, data: train ? { train } : {} };
}

function recentJobs(container) {
  const load = async () => {
    clear(container).append(h('h2', {}, t('train.recent')));
    try {
      const { data } = await api.get('/v1/fine_tuning/jobs', { limit: 20 });
      if (!data.length) { container.append(h('p', { class: 'muted' }, t('common.none'))); return; }
      container.append(table([t('train.job'), t('common.status'), t('train.data'), t('train.model'), t('common.created')],
        data.map((j) => [h('a', { href: `#/train?job=${j.id}` }, j.id), badge(j.status), j.metadata?.['data.train'] || j.training_file,
          j.fine_tuned_model || '—', when(j.created_at)])));
    } catch (error) { container.append(errorBox(error)); }
  };
  return load();
}

async function renderForm(main, ctx) {
  const schema = await api.get('/ui/api/recipe/schema');
  let raw = await startingRecipe(ctx);
  const form = h('form', { class: 'recipe-form', id: 'recipe-form', onSubmit: (e) => e.preventDefault() });
  const yamlView = h('pre', { id: 'train-yaml', 'aria-live': 'polite', tabindex: '0', 'aria-label': t('train.yaml') });
  const yamlError = h('div', { id: 'train-yaml-error' });
  const editor = h('textarea', { id: 'train-yaml-edit', rows: 12, spellcheck: 'false' });
  const editError = h('div', { id: 'train-edit-error' });
  const launchError = h('div', { id: 'train-launch-error' });
  const suffix = h('input', { id: 'train-suffix', type: 'text', placeholder: 'my-task', autocomplete: 'off', pattern: '[A-Za-z0-9_-]{1,64}' });
  let yamlText = '', seq = 0, timer = null;

  const validate = async () => {
    const mine = ++seq;
    sessionStorage.setItem(SAVED, JSON.stringify(raw));
    try {
      const answer = await api.post('/ui/api/recipe/validate', { recipe: raw });
      if (mine !== seq) return;
      yamlText = answer.yaml;
      yamlView.textContent = answer.yaml;
      yamlView.dataset.valid = '1';
      clear(yamlError);
    } catch (error) {
      if (mine !== seq) return;
      yamlView.dataset.valid = '0';
      clear(yamlError).append(errorBox(error));
    }
  };
  const changed = () => { clearTimeout(timer); timer = setTimeout(validate, 300); };
  const apply = async () => {
    clear(editError);
    try {
      const answer = await api.post('/ui/api/recipe/validate', { yaml: editor.value });
      raw = answer.recipe;
      buildForm(form, schema, raw, changed);
      await validate();
    } catch (error) { editError.append(errorBox(error)); }
  };
  const launch = async (button) => {
    clear(launchError);
    button.disabled = true;
    try {
      const job = await api.post('/ui/api/recipe/jobs', { recipe: raw, suffix: suffix.value.trim() || null });
      ctx.navigate(`#/train?job=${job.id}`);
    } catch (error) { launchError.append(errorBox(error)); } finally { button.disabled = false; }
  };
  const launchButton = h('button', { type: 'button', id: 'train-launch', class: 'primary', onClick: (e) => launch(e.currentTarget) }, t('train.launch'));
  const reset = h('button', { type: 'button', id: 'train-reset', onClick: async () => { sessionStorage.removeItem(SAVED); raw = await startingRecipe(ctx); buildForm(form, schema, raw, changed); validate(); } }, t('train.reset'));
  const jobs = h('section', { class: 'panel', id: 'train-jobs' });

  main.append(
    h('h1', {}, t('train.title')),
    h('p', { class: 'muted' }, t('train.intro')),
    h('div', { class: 'train-layout' },
      h('section', { class: 'panel', 'aria-label': t('train.form') }, h('h2', {}, t('train.form')), form),
      h('section', { class: 'panel yaml-panel', 'aria-label': t('train.yaml') },
        h('h2', {}, t('train.yaml')), yamlView, yamlError,
        h('div', { class: 'row' },
          h('button', { type: 'button', id: 'train-download', onClick: () => saveText('recipe.yaml', yamlText || '', 'application/yaml') }, t('train.download')),
          h('button', { type: 'button', id: 'train-edit-load', onClick: () => { editor.value = yamlText; editor.focus(); } }, t('train.copyToEditor'))),
        field(t('train.editYaml'), editor, t('train.editHelp')),
        h('div', { class: 'row' }, h('button', { type: 'button', id: 'train-apply', onClick: apply }, t('train.apply'))), editError,
        h('h2', {}, t('train.launchTitle')),
        field(t('train.suffix'), suffix, t('train.suffixHelp')),
        h('div', { class: 'row' }, launchButton, reset), launchError)),
    jobs,
  );
  buildForm(form, schema, raw, changed);
  await Promise.all([validate(), recentJobs(jobs)]);
  return () => clearTimeout(timer);
}

export default {
  strings: STRINGS,
  async render(main, ctx) {
    useStyle('train');
    const id = ctx.params.get('job');
    return id ? renderJob(main, ctx, id) : renderForm(main, ctx);
  },
};
