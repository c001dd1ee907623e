// Small shared pieces every page uses: error boxes, tables, labelled fields, status badges, polling, downloads.
import { h } from './dom.js';
import { t } from './i18n.js';

// The API's own message, as the CLI would print it (file, line, field, what was expected), in an alert region.
export function errorBox(error) {
  const message = error?.message || String(error);
  return h('div', { class: 'error', role: 'alert' }, message);
}

export function table(headers, rows, { numeric = [] } = {}) {
  const num = (i) => (numeric.includes(i) ? 'num' : null);
  return h('div', { class: 'scroll' }, h('table', {},
    h('thead', {}, h('tr', {}, headers.map((x, i) => h('th', { scope: 'col', class: num(i) }, x)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell, i) => h('td', { class: num(i) }, cell)))))));
}

// A labelled control: field('Learning rate', input, 'help text'); the label points at the control's id.
let fieldIds = 0;
export function field(label, control, help) {
  if (!control.id) { fieldIds += 1; control.id = `field-${fieldIds}`; }
  const helpId = help ? `${control.id}-help` : null;
  if (helpId) control.setAttribute('aria-describedby', helpId);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, help ? h('span', { class: 'help', id: helpId }, help) : null);
}

export function badge(status) { return h('span', { class: `badge ${status}` }, status); }

export function number(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(digits)) : String(value);
}

export function when(seconds) { return seconds ? new Date(seconds * 1000).toLocaleString() : '—'; }

// Call `fn` now and every `ms` until the returned stop() is called (pages return it as their cleanup).
export function poll(fn, ms = 1000) {
  let stopped = false, timer = null;
  const tick = async () => { if (stopped) return; try { await fn(); } finally { if (!stopped) timer = setTimeout(tick, ms); } };
  tick();
  return () => { stopped = true; clearTimeout(timer); };
}

export function saveText(filename, text, type = 'text/plain') {
  const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(new Blob([text], { type })), download: filename });
  document.body.append(link); link.click(); link.remove();
}

export function toast(message) {
  const box = document.getElementById('toast');
  const item = h('div', {}, message);
  box.append(item);
  setTimeout(() => item.remove(), 4000);
}

export function loading() { return h('p', { class: 'muted' }, t('common.loading')); }

// A page's own stylesheet (`pages/NAME.css`), linked once: pages keep their CSS out of the shared style.css.
export function useStyle(name) {
  const href = `pages/${name}.css`;
  if (!document.querySelector(`link[href="${href}"]`)) document.head.append(h('link', { rel: 'stylesheet', href }));
}
