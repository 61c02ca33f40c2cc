// Light and dark themes: the system's preference unless the user picked one with the toggle
// (kept in localStorage). Charts read their canvas colours from here at every draw.

export type ThemeName = 'light' | 'dark';

export interface ChartColors {
  background: string;
  text: string;
  axis: string;
  grid: string;
  gen: [string, string, string];
  genUnknown: string;
  release: string;
  exit: string;
}

const LIGHT: ChartColors = {
  background: '#ffffff',
  text: '#1f2937',
  axis: '#4b5563',
  grid: 'rgba(17, 24, 39, 0.08)',
  gen: ['#14b8a6', '#f59e0b', '#dc2626'],
  genUnknown: '#9ca3af',
  release: '#c026d3',
  exit: '#111827',
};

const DARK: ChartColors = {
  background: '#161b22',
  text: '#e6edf3',
  axis: '#9aa4b2',
  grid: 'rgba(230, 237, 243, 0.09)',
  gen: ['#2dd4bf', '#fbbf24', '#f87171'],
  genUnknown: '#6b7280',
  release: '#e879f9',
  exit: '#f3f4f6',
};

const KEY = 'memlens.theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');
const listeners: (() => void)[] = [];

function readStored(): ThemeName | null {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : null;
  } catch {
    return null;
  }
}

/** The user's explicit choice, or null to follow the system. */
let chosen: ThemeName | null = readStored();

export function currentTheme(): ThemeName {
  return chosen ?? (media.matches ? 'dark' : 'light');
}

export function chartColors(): ChartColors {
  return currentTheme() === 'dark' ? DARK : LIGHT;
}

function apply(): void {
  const t = currentTheme();
  document.documentElement.dataset.theme = t;
  const btn = document.getElementById('theme-toggle');
  if (btn) {
    const other = t === 'dark' ? 'light' : 'dark';
    btn.textContent = t === 'dark' ? '☀ Light' : '☾ Dark';
    btn.setAttribute('aria-label', `Switch to the ${other} theme`);
    btn.title = `Switch to the ${other} theme (now ${t}${chosen ? '' : ', from the system setting'})`;
  }
  for (const l of listeners) l();
}

/** Applies the theme now, wires the toggle, and calls `onChange` whenever it changes. */
export function initTheme(onChange: () => void): void {
  listeners.push(onChange);
  apply();
  media.addEventListener('change', () => {
    if (!chosen) apply();
  });
  document.getElementById('theme-toggle')?.addEventListener('click', () => {
    chosen = currentTheme() === 'dark' ? 'light' : 'dark';
    try {
      localStorage.setItem(KEY, chosen);
    } catch {
      // storage disabled: the choice lasts for this page only
    }
    apply();
  });
}
