// HTTP access to the API: relative URLs (the page is served under any base path), the access
// token as a bearer header, and the token form when the server answers 401 with tokenRequired.

const TOKEN_KEY = 'memlens.token';

let token: string | null = null;
try {
  token = sessionStorage.getItem(TOKEN_KEY);
} catch {
  // storage disabled: the token lives in memory only
}

/** Reads `#token=…` once at startup, keeps it, and removes it from the address bar. */
export function takeTokenFromFragment(): void {
  const params = fragmentParams();
  const t = params.get('token');
  if (t == null) return;
  setToken(t);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + location.search + (rest ? '#' + rest : ''));
}

export function fragmentParams(): URLSearchParams {
  return new URLSearchParams(location.hash.replace(/^#/, ''));
}

export function getToken(): string | null {
  return token;
}

function setToken(t: string | null): void {
  token = t && t.trim() ? t.trim() : null;
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // ignore
  }
}

/** The stream URL: EventSource cannot send headers, so the token goes in the query. */
export function streamUrl(): string {
  return token ? 'api/stream?access_token=' + encodeURIComponent(token) : 'api/stream';
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

// ---- the token form: one pending question shared by every caller that got a 401 ----

let pendingToken: Promise<void> | null = null;

function askForToken(wrong: boolean): Promise<void> {
  if (pendingToken) return pendingToken;
  pendingToken = new Promise<void>((resolve) => {
    const form = document.getElementById('token-form') as HTMLFormElement;
    const input = document.getElementById('token-input') as HTMLInputElement;
    const note = form.querySelector<HTMLElement>('.token-note');
    if (note) note.textContent = wrong ? 'That token was not accepted. Try again.' : 'This dashboard needs an access token.';
    form.hidden = false;
    input.value = '';
    input.focus();
    const onSubmit = (e: SubmitEvent) => {
      e.preventDefault();
      if (!input.value.trim()) return;
      setToken(input.value);
      form.hidden = true;
      form.removeEventListener('submit', onSubmit);
      pendingToken = null;
      resolve();
    };
    form.addEventListener('submit', onSubmit);
  });
  return pendingToken;
}

function isTokenRequired(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { tokenRequired?: unknown }).tokenRequired === true;
}

/**
 * Fetches an API path and parses JSON. A 401 with tokenRequired shows the token form and retries
 * with the token given; any other failure throws HttpError (with the server's `error` text).
 * `sent` is a response already on its way for the same request (from the preboot script).
 */
export async function api<T>(path: string, init: RequestInit = {}, sent?: Promise<Response>): Promise<T> {
  // A self-contained report is a file: no request may leave it, and no token form may show.
  if (document.getElementById('memlens-report')) throw new HttpError(0, 'This report is a file: there is no server to ask.', null);
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    if (attempt === 0 && sent) {
      res = await sent;
    } else {
      const headers = new Headers(init.headers);
      headers.set('Accept', 'application/json');
      if (token) headers.set('Authorization', 'Bearer ' + token);
      res = await fetch(path, { ...init, headers, cache: 'no-store' });
    }
    if (res.ok) return (await res.json()) as T;
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      // not JSON
    }
    if (res.status === 401 && isTokenRequired(body) && attempt < 20) {
      await askForToken(token != null);
      continue;
    }
    const msg =
      typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string'
        ? (body as { error: string }).error
        : `${res.status} ${res.statusText}`;
    throw new HttpError(res.status, msg, body);
  }
}

/** Checks whether the API wants a (new) token; used when the stream is refused. */
export async function checkAccess(): Promise<void> {
  await api<unknown>('api/status');
}

/** The encoded (on the wire) size of the latest response whose URL contains `part`, if known. */
export function encodedSize(part: string): number | undefined {
  const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (e.name.includes(part)) return e.encodedBodySize || e.transferSize || undefined;
  }
  return undefined;
}
