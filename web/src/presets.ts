// Range presets, shared by the preboot script (inlined in index.html) and the app.

export type Preset = '5m' | '1h' | '24h' | 'all';

export const PRESETS: Preset[] = ['5m', '1h', '24h', 'all'];

export const PRESET_MS: Record<Exclude<Preset, 'all'>, number> = { '5m': 5 * 60_000, '1h': 3_600_000, '24h': 86_400_000 };

/** The preset in `#range=…`, 1 h by default. */
export function presetFrom(params: URLSearchParams): Preset {
  const r = params.get('range');
  return r && (PRESETS as string[]).includes(r) ? (r as Preset) : '1h';
}

export function clampPoints(w: number): number {
  return Math.max(10, Math.min(5000, Math.round(w)));
}

/**
 * Points to ask for before the page has any layout, from the window's width: the plotting area
 * of a chart in the grid. Mirrors style.css: 16 px page padding, two columns from 1100 px with a
 * 12 px gap, 12 px card padding and 1 px border; about 64 px for the y axis.
 */
export function pointsForViewport(viewportWidth: number): number {
  const cols = viewportWidth >= 1100 ? 2 : 1;
  const col = (viewportWidth - 2 * 16 - (cols - 1) * 12) / cols;
  return clampPoints(col - 2 * 12 - 2 - 64);
}

/**
 * The range of a preset ending at `end`: now for a live page, the recording's newest sample for a recording or a
 * report. "All" starts at the oldest sample; a live page that has held less than 10 s shows its first minute
 * instead (so the view does not start as a sliver and stretch), a recording exactly its own span, however short.
 * Without any sample, "All" is the minute before `end`.
 */
export function presetRange(preset: Preset, end: number, firstTs: number | null | undefined, live = true): { from: number; to: number } {
  if (preset === 'all') {
    const minSpan = live ? 10_000 : 0;
    return { from: firstTs != null && firstTs < end - minSpan ? firstTs : end - 60_000, to: end };
  }
  return { from: end - PRESET_MS[preset], to: end };
}
