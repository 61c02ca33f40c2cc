// Inlined into index.html by build.mjs, so it runs while the page is parsed: it starts the first
// API requests (catalog, and series and events for the preset) before app.js has even arrived.
// app.js takes them over when they were sent with the token it uses, or sends its own.
// Keep it tiny: it imports nothing but the preset constants.

import { PRESET_MS, pointsForViewport, presetFrom } from './presets';

export interface Preboot {
  token: string | null;
  catalog: Promise<Response>;
  range: { from: number; to: number; points: number } | null;
  series: Promise<Response> | null;
  events: Promise<Response> | null;
}

declare global {
  interface Window {
    __memlensPreboot?: Preboot;
  }
}

(() => {
  try {
    // A self-contained report carries its data (docs/report.md): nothing to fetch.
    if (document.getElementById('memlens-report')) return;
    const params = new URLSearchParams(location.hash.slice(1));
    let token = params.get('token');
    if (token == null) {
      try {
        token = sessionStorage.getItem('memlens.token');
      } catch {
        // storage disabled
      }
    }
    token = token && token.trim() ? token.trim() : null;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    const get = (url: string) => fetch(url, { headers, cache: 'no-store' });
    const pre: Preboot = { token, catalog: get('api/catalog'), range: null, series: null, events: null };
    const preset = presetFrom(params);
    if (preset !== 'all') {
      const to = Date.now();
      const range = { from: to - PRESET_MS[preset], to, points: pointsForViewport(window.innerWidth) };
      pre.range = range;
      pre.series = get(`api/series?from=${range.from}&to=${range.to}&points=${range.points}`);
      pre.events = get(`api/events?from=${range.from}&to=${range.to}&max=2000`);
    }
    for (const p of [pre.catalog, pre.series, pre.events]) p?.catch(() => undefined);
    window.__memlensPreboot = pre;
    (window.__memlens ??= {}).lastSeriesRequest = pre.range ? `from=${pre.range.from}&to=${pre.range.to}&points=${pre.range.points}` : undefined;
  } catch {
    // app.js sends its own requests
  }
})();
