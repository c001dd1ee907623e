// Word-level differences between two predictions, marked with <ins>/<del> (built with h(), never as markup).
// Words are split on spaces; Chinese, Japanese and Korean characters count one by one (they have no spaces).
import { h } from '../lib/dom.js';

const TOKEN = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]|\s+|[^\s\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]+/gu;
const MAX_CELLS = 250000; // past this, LCS would be slow: the whole text is shown as replaced

export function tokens(text) { return String(text || '').match(TOKEN) || []; }

// [[op, text]...] with op '=' (both), '-' (only in `before`), '+' (only in `after`).
export function diffWords(before, after) {
  const a = tokens(before), b = tokens(after);
  if (a.length * b.length > MAX_CELLS) return [['-', a.join('')], ['+', b.join('')]];
  const n = a.length, m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out = [];
  const push = (op, text) => { if (out.length && out[out.length - 1][0] === op) out[out.length - 1][1] += text; else out.push([op, text]); };
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) { push('=', a[i]); i += 1; j += 1; }
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) { push('-', a[i]); i += 1; }
    else { push('+', b[j]); j += 1; }
  }
  while (i < n) { push('-', a[i]); i += 1; }
  while (j < m) { push('+', b[j]); j += 1; }
  return out;
}

// A <span> showing `after` with what it adds over `before` in <ins> and what it drops in <del>.
export function markedDiff(before, after) {
  return h('span', { class: 'runs-diff' }, diffWords(before, after).map(([op, text]) => {
    if (op === '+') return h('ins', {}, text);
    if (op === '-') return h('del', {}, text);
    return text;
  }));
}
