// The Train page's recipe form, generated from the recipe's JSON schema (GET /ui/api/recipe/schema): one section
// per recipe section, each key with its label, default (placeholder) and description (help); enums as selects,
// booleans as checkboxes; the method and stage `name` picks which keys show. The form edits a sparse mapping
// (`raw`: only what the person set), which the API validates exactly as `tunesmith train` does.
import { clear, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { field } from '../lib/ui.js';

const OPEN = new Set(['data', 'method', 'train']);

export function deref(schema, node) {
  let seen = 0;
  while (node && node.$ref && seen < 20) { node = schema.$defs[node.$ref.split('/').pop()]; seen += 1; }
  return node || {};
}

// The JSON types a key takes (through anyOf and $ref), plus its enum values and whether it is a nested model.
function describe(schema, prop) {
  const types = new Set(); let options = null, nested = false, free = false;
  const visit = (node) => {
    node = deref(schema, node);
    if (node.anyOf || node.oneOf) { (node.anyOf || node.oneOf).forEach(visit); return; }
    if (node.enum) { options = [...(options || []), ...node.enum]; node.enum.forEach((v) => types.add(v === null ? 'null' : typeof v === 'number' ? 'number' : typeof v)); return; }
    if (node.const !== undefined) { options = [...(options || []), node.const]; types.add(typeof node.const); return; }
    if (node.properties) nested = true;
    if (node.type && node.type !== 'null') free = true;  // any value of a type, beside the named ones ("auto")
    types.add(node.type || 'object');
  };
  visit(prop);
  const scalar = [...types].filter((x) => x !== 'null');
  if (scalar.length === 1 && scalar[0] === 'boolean') return { kind: 'bool', types };
  if (options && !free && scalar.every((x) => x === 'string' || x === 'number')) return { kind: 'enum', options, types };
  return { kind: nested || types.has('object') || types.has('array') ? 'json' : 'text', types };
}

// Text typed into a field, as the YAML value it stands for (a number, true/false, null, a list or a mapping).
export function parseValue(text, types) {
  const s = text.trim();
  if (s === '') return undefined;
  if ((types.has('array') || types.has('object')) && /^[[{]/.test(s)) { try { return JSON.parse(s); } catch { return s; } }
  if ((types.has('number') || types.has('integer')) && !Number.isNaN(Number(s))) return Number(s);
  if (types.has('boolean') && (s === 'true' || s === 'false')) return s === 'true';
  if (types.has('null') && s === 'null') return null;
  return s;
}

const shown = (v) => (v === undefined ? '' : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

function get(raw, path) { return path.reduce((node, key) => (node && typeof node === 'object' ? node[key] : undefined), raw); }

function put(raw, path, value) {
  let node = raw;
  const trail = [];
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] === 'string') node[key] = { name: node[key] };
    if (!node[key] || typeof node[key] !== 'object' || Array.isArray(node[key])) node[key] = {};
    trail.push([node, key]);
    node = node[key];
  }
  const last = path[path.length - 1];
  if (value === undefined) delete node[last]; else node[last] = value;
  for (const [parent, key] of trail.reverse()) {  // sections left empty go: their defaults apply
    if (Object.keys(parent[key]).length) break;
    delete parent[key];
  }
}

const idOf = (path) => `rf-${path.join('-')}`;

function control(schema, path, prop, raw, changed) {
  const { kind, options, types } = describe(schema, prop);
  const value = get(raw, path), fallback = prop.default;
  const id = idOf(path), label = path[path.length - 1];
  const help = [prop.description, kind !== 'bool' && kind !== 'enum' && fallback !== undefined ? t('train.default', { v: shown(fallback) || '""' }) : null]
    .filter(Boolean).join(' ');
  let input;
  if (kind === 'bool') {
    input = h('input', { type: 'checkbox', id, checked: value ?? fallback ?? false, onChange: (e) => changed(path, e.target.checked) });
    return h('div', { class: 'field check' }, h('label', { for: id }, input, ' ', label), h('span', { class: 'help', id: `${id}-help` }, prop.description || ''));
  }
  if (kind === 'enum') {
    const current = value === undefined ? '' : String(value);
    input = h('select', { id, onChange: (e) => {
      const v = e.target.value;
      changed(path, v === '' ? undefined : v === 'null' ? null : options.find((o) => String(o) === v) ?? v);
    } },
    h('option', { value: '', selected: current === '' }, t('train.default', { v: shown(fallback) })),
    options.map((o) => h('option', { value: String(o), selected: current === String(o) }, String(o))));
  } else {
    input = h('input', { id, type: 'text', value: shown(value), placeholder: shown(fallback), spellcheck: 'false', autocomplete: 'off',
      onInput: (e) => changed(path, parseValue(e.target.value, types)) });
  }
  return field(label, input, help);
}

// A method or stage: a `name` box (type a name, or pick one) and the keys of the class that name picks.
function tagged(schema, key, prop, raw, changed) {
  const mapping = prop.discriminator.mapping;
  const body = h('div', { class: 'fields' });
  const listId = `rf-${key}-names`;
  const nameOf = () => { const v = get(raw, [key]); return typeof v === 'string' ? v : v?.name ?? prop.default?.name; };
  const fill = () => {
    clear(body);
    const def = mapping[nameOf()] ? deref(schema, { $ref: mapping[nameOf()] }) : null;
    if (!def) { body.append(h('p', { class: 'muted' }, t('train.unknownName'))); return; }
    const named = (path, value) => { const name = nameOf(); put(raw, [key, 'name'], name); changed(path, value); };
    for (const [name, sub] of Object.entries(def.properties)) if (name !== 'name') body.append(control(schema, [key, name], sub, raw, named));
  };
  const nameInput = h('input', { id: idOf([key, 'name']), type: 'text', list: listId, value: nameOf() || '', spellcheck: 'false', autocomplete: 'off',
    onInput: (e) => { put(raw, [key], undefined); put(raw, [key, 'name'], e.target.value.trim() || undefined); fill(); changed(null); } });
  const help = t(`train.${key}Help`, { names: Object.keys(mapping).join(', ') });
  fill();
  return [field('name', nameInput, help), h('datalist', { id: listId }, Object.keys(mapping).map((n) => h('option', { value: n }))), body];
}

// The whole form into `container`; `changed(path, value)` after each edit (path null: already applied to `raw`).
export function buildForm(container, schema, raw, onChange) {
  clear(container);
  const changed = (path, value) => { if (path) put(raw, path, value); onChange(); };
  const general = [];
  for (const [key, prop] of Object.entries(schema.properties)) {
    if (prop.discriminator) {
      container.append(section(key, true, tagged(schema, key, prop, raw, changed)));
      continue;
    }
    const target = deref(schema, prop.anyOf ? prop.anyOf.find((x) => x.$ref) || prop : prop);
    if (!target.properties) { general.push(control(schema, [key], prop, raw, changed)); continue; }
    const fields = Object.entries(target.properties).map(([name, sub]) => control(schema, [key, name], sub, raw, changed));
    container.append(section(key, OPEN.has(key), [prop.description ? h('p', { class: 'help' }, prop.description) : null, h('div', { class: 'fields' }, fields)]));
  }
  container.prepend(section('model', true, general));
}

function section(key, open, children) {
  return h('details', { class: 'section', open, 'data-section': key }, h('summary', {}, key), children);
}
