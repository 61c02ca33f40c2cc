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
