// The UI's only way to the server: tunesmith's HTTP API, with the admin key from this tab's sessionStorage.
const KEY = 'tunesmith.key';

export class ApiError extends Error {
  constructor(status, message, param = null, code = null) {
    super(message); this.status = status; this.param = param; this.code = code;
  }
}

export function setKey(key) { if (key) sessionStorage.setItem(KEY, key); else sessionStorage.removeItem(KEY); }
export function hasKey() { return Boolean(sessionStorage.getItem(KEY)); }

function headers(extra = {}) {
  const key = sessionStorage.getItem(KEY);
  return key ? { Authorization: `Bearer ${key}`, ...extra } : extra;
}

async function failure(response) {
  let message = `${response.status} ${response.statusText}`, param = null, code = null;
  try {
    const body = await response.json();
    if (body?.error) ({ message, param = null, code = null } = body.error);
  } catch { /* not JSON */ }
  const error = new ApiError(response.status, message, param, code);
  if (response.status === 401 || response.status === 403) window.dispatchEvent(new CustomEvent('tunesmith:key-needed', { detail: error }));
  return error;
}

function url(path, query) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== '') params.append(k, v);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

// request('GET', '/ui/api/runs', {query}) / request('POST', path, {json}) / request('POST', path, {form})
export async function request(method, path, { json, form, query, raw = false, signal } = {}) {
  const init = { method, headers: headers(), signal };
  if (json !== undefined) { init.body = JSON.stringify(json); init.headers['Content-Type'] = 'application/json'; }
  if (form !== undefined) init.body = form;
  const response = await fetch(url(path, query), init);
  if (!response.ok) throw await failure(response);
  if (raw) return response;
  const type = response.headers.get('content-type') || '';
  return type.includes('application/json') ? response.json() : response.text();
}

export const api = {
  get: (path, query, opts = {}) => request('GET', path, { query, ...opts }),
  post: (path, json, opts = {}) => request('POST', path, { json, ...opts }),
  del: (path, opts = {}) => request('DELETE', path, opts),
  upload: (path, form, opts = {}) => request('POST', path, { form, ...opts }),
  // A file the API serves, fetched with the key and handed to the browser as a download.
  async download(path, filename, query) {
    const response = await request('GET', path, { query, raw: true });
    const blob = await response.blob();
    const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: filename });
    document.body.append(link); link.click(); link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  },
};

// POST a streaming chat completion; onDelta(text) per token chunk; resolves to {text, last chunk, citations}.
export async function streamChat(body, onDelta, signal) {
  const response = await request('POST', '/v1/chat/completions', { json: { ...body, stream: true }, raw: true, signal });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '', text = '', last = null, citations = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data: ')) continue;
        const data = line.slice(6);
        if (data === '[DONE]') return { text, last, citations };
        const chunk = JSON.parse(data);
        if (chunk.error) throw new ApiError(500, chunk.error.message, null, chunk.error.code);
        last = chunk;
        if (chunk.citations) citations = chunk.citations;
        const delta = chunk.choices?.[0]?.delta?.content || '';
        if (delta) { text += delta; onDelta(delta, chunk); }
      }
    }
  }
  return { text, last, citations };
}
