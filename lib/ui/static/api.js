// The page's only door to the server: every call carries the session token (taken once from ?token= in the
// URL the CLI printed, then kept in sessionStorage and removed from the address bar).
const params = new URLSearchParams(location.search);
if (params.get('token')) {
  sessionStorage.setItem('ledgerlab-token', params.get('token'));
  params.delete('token');
  history.replaceState(null, '', location.pathname + (params.size ? `?${params}` : '') + location.hash);
}
export const token = () => sessionStorage.getItem('ledgerlab-token') ?? '';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const res = await fetch(path, {
    method,
    headers: { 'x-ledgerlab-token': token(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** A file under the results root, as a link the browser can open (EventSource and links cannot send headers). */
export const fileUrl = (rel) => `/files/${rel.split('/').map(encodeURIComponent).join('/')}?token=${encodeURIComponent(token())}`;

export function events(path) {
  return new EventSource(`${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token())}`);
}

/** POST that streams newline-delimited JSON; calls onLine for each object as it arrives. */
export async function streamJsonLines(path, body, onLine, signal) {
  const res = await fetch(path, { method: 'POST', headers: { 'x-ledgerlab-token': token(), 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({})));
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) onLine(JSON.parse(line));
    }
  }
}
