// The shell: navigation, language, the admin key, and a hash router that renders one page module at a time.
// A page module's default export: {strings: {en, zh}, async render(main, ctx)}; render may return a cleanup
// function (stop polling) that runs when the user leaves the page. ctx: {params, navigate, info, rerender}.
import { api, hasKey, setKey } from './lib/api.js';
import { clear, h } from './lib/dom.js';
import { addStrings, lang, setLang, t } from './lib/i18n.js';
import { errorBox, toast } from './lib/ui.js';

export const PAGES = ['data', 'train', 'runs', 'chat', 'arena', 'export', 'traffic'];
const modules = {};
let cleanup = null, info = null;

async function load(name) {
  if (!modules[name]) {
    modules[name] = (await import(`./pages/${name}.js`)).default;
    addStrings(modules[name].strings || {});
  }
  return modules[name];
}

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?');
  const name = PAGES.includes(path) ? path : 'data';
  return { name, params: new URLSearchParams(query) };
}

function drawShell(active) {
  const nav = clear(document.getElementById('nav'));
  for (const name of PAGES) {
    nav.append(h('a', { href: `#/${name}`, 'aria-current': name === active ? 'page' : null, 'data-page': name }, t(`nav.${name}`)));
  }
  document.getElementById('key-label').textContent = t('key.label');
  document.getElementById('key-save').textContent = t('key.use');
  document.getElementById('key').placeholder = t('key.placeholder');
  document.querySelector('label[for="lang"]').textContent = t('lang.label');
  document.querySelector('.skip').textContent = t('skip');
  document.getElementById('lang').value = lang();
}

async function render() {
  const { name, params } = route();
  delete document.getElementById('main').dataset.ready;  // set again once this view has drawn (tests wait on it)
  if (cleanup) { try { cleanup(); } catch { /* a page's own */ } cleanup = null; }
  const page = await load(name);
  drawShell(name);
  document.title = `${t(`nav.${name}`)} · tunesmith`;
  const main = clear(document.getElementById('main'));
  main.dataset.page = name;
  const ctx = { params, info, navigate: (hash) => { location.hash = hash; }, rerender: render };
  try {
    if (!info) info = ctx.info = await api.get('/ui/api/info');
    const result = await page.render(main, ctx);
    if (typeof result === 'function') cleanup = result;
  } catch (error) {
    if (error.status === 401 || error.status === 403) main.append(errorBox(`${t('key.needed')} (${error.message})`));
    else main.append(errorBox(error));
    document.getElementById('key').focus();
  }
  main.dataset.ready = '1';
}

window.addEventListener('hashchange', render);
window.addEventListener('tunesmith:key-needed', () => { if (!hasKey()) toast(t('key.needed')); });
document.getElementById('lang').addEventListener('change', (e) => { setLang(e.target.value); render(); });
document.getElementById('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = document.getElementById('key');
  setKey(input.value.trim());
  input.value = '';
  info = null;
  toast(t('key.saved'));
  render();
});
setLang(lang());
render();
