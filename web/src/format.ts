// Values for people: bytes in IEC units, durations in s/ms/µs, ratios in %.
// Values arrive in base units (bytes, seconds, counts, ratios 0–1).

import type { Unit } from './types';

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

// Plain toFixed rather than Intl.NumberFormat: the first Intl formatter loads ICU data, which
// costs tens of milliseconds of the first paint on a slow machine. Output is en-US style.

/** Fixed decimals with thousands separators: fixed(1234.5, 1) → "1,234.5". */
function fixed(n: number, decimals: number): string {
  const s = Math.abs(n).toFixed(decimals);
  const dot = s.indexOf('.');
  const int = dot < 0 ? s : s.slice(0, dot);
  const grouped = int.length > 3 ? int.replace(/\B(?=(\d{3})+$)/g, ',') : int;
  const out = grouped + (dot < 0 ? '' : s.slice(dot));
  return n < 0 && Number(s) !== 0 ? '-' + out : out;
}

/** Up to `decimals` decimals, trailing zeros dropped: upTo(2.50, 2) → "2.5". */
function upTo(n: number, decimals: number): string {
  let s = fixed(n, decimals);
  if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

const intFmt = { format: (n: number) => fixed(n, 0) };
const dec1 = { format: (n: number) => fixed(n, 1) };
const upTo1 = { format: (n: number) => upTo(n, 1) };
const upTo2 = { format: (n: number) => upTo(n, 2) };
const upTo3 = { format: (n: number) => upTo(n, 3) };

/** "123.4 MiB", "1.5 GiB", "512 B". `compact` drops a trailing ".0" (axis ticks). */
export function formatBytes(bytes: number, compact = false): string {
  let abs = Math.abs(bytes);
  let unit = 0;
  while (abs >= 1024 && unit < IEC.length - 1) {
    abs /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? '-' : '';
  if (unit === 0) return sign + intFmt.format(abs) + ' B';
  return sign + (compact ? upTo1 : dec1).format(abs) + ' ' + IEC[unit];
}

/** "3.1 ms", "250 µs", "1.25 s", "0 s". */
export function formatSeconds(s: number): string {
  const abs = Math.abs(s);
  if (abs === 0) return '0 s';
  if (abs < 1e-3) return upTo1.format(s * 1e6) + ' µs';
  if (abs < 1) return upTo1.format(s * 1e3) + ' ms';
  if (abs < 60) return upTo2.format(s) + ' s';
  if (abs < 3600) return upTo1.format(s / 60) + ' min';
  return upTo1.format(s / 3600) + ' h';
}

/** Counts may be means of a bucket, so small ones keep two decimals. */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return upTo2.format(n / 1e9) + ' G';
  if (abs >= 1e6) return upTo2.format(n / 1e6) + ' M';
  if (abs >= 100 || Number.isInteger(n)) return intFmt.format(n);
  return upTo2.format(n);
}

function formatRate(n: number): string {
  const abs = Math.abs(n);
  if (abs === 0) return '0';
  if (abs < 0.01) return upTo3.format(n);
  return formatCount(n);
}

/** Formats a value of the given unit, or "—" when there is none. */
export function formatValue(v: number | null | undefined, unit: Unit | undefined, compact = false): string {
  if (v == null || Number.isNaN(v)) return '—';
  switch (unit) {
    case 'bytes':
      return formatBytes(v, compact);
    case 'bytes/s':
      return formatBytes(v, compact) + '/s';
    case 'seconds':
      return formatSeconds(v);
    case 'count/s':
      return formatRate(v) + '/s';
    case 'ratio':
      return upTo1.format(v * 100) + '%';
    case 'count':
    default:
      return formatCount(v);
  }
}

/** A signed difference, e.g. "−392.0 MiB" or "+1.2 MiB". */
export function formatDelta(d: number, unit: Unit): string {
  const s = formatValue(Math.abs(d), unit);
  return (d > 0 ? '+' : d < 0 ? '−' : '±') + s;
}

/** The IEC unit (power of 1024) in which `bytes` is at least 1: 0 → B, 5e8 → MiB. */
function iecPower(bytes: number): number {
  let p = 0;
  let abs = Math.abs(bytes);
  while (abs >= 1024 && p < IEC.length - 1) {
    abs /= 1024;
    p++;
  }
  return p;
}

/**
 * The IEC power to label a bytes axis with: that of its largest value, or a smaller one when the
 * axis spans too little of that unit to label with three decimals (VSZ moving by a few MiB).
 */
function axisPower(min: number, max: number): number {
  let p = iecPower(Math.max(Math.abs(min), Math.abs(max)));
  while (p > 0 && max - min < 0.002 * Math.pow(1024, p)) p--;
  return p;
}

/** Tick increments for a bytes axis: 1, 2, 5 × powers of ten of the axis's unit (round MiB, not round bytes). */
export function bytesIncrs(min: number, max: number): number[] {
  const u = Math.pow(1024, axisPower(min, max));
  const out: number[] = [];
  for (let e = -3; e <= 4; e++) for (const m of [1, 2, 5]) out.push(m * Math.pow(10, e) * u);
  return out.filter((x) => x >= 1);
}

/** Decimals needed to print the tick step `incr` exactly in a unit of size `u` (2.5 → 1, 0.25 → 2), at most 3. */
function decimalsFor(incr: number, u: number): number {
  const x = incr / u;
  let d = 0;
  while (d < 3 && Math.abs(Math.round(x * 10 ** d) - x * 10 ** d) > 1e-6 * 10 ** d) d++;
  return d;
}

/** Tick labels of a y axis: one unit for the whole axis, as many decimals as the tick step needs. */
export function axisTicks(unit: Unit, splits: number[], incr: number, min: number, max: number): string[] {
  switch (unit) {
    case 'bytes':
    case 'bytes/s': {
      const p = axisPower(min, max);
      const u = Math.pow(1024, p);
      const d = decimalsFor(incr, u);
      const suffix = ' ' + IEC[p] + (unit === 'bytes/s' ? '/s' : '');
      return splits.map((v) => (v === 0 ? '0' : fixed(v / u, d) + suffix));
    }
    case 'seconds': {
      const m = Math.max(Math.abs(min), Math.abs(max));
      const [u, name] = m < 1e-3 ? [1e-6, ' µs'] : m < 1 ? [1e-3, ' ms'] : [1, ' s'];
      const d = decimalsFor(incr, u);
      return splits.map((v) => (v === 0 ? '0' : fixed(v / u, d) + name));
    }
    case 'ratio': {
      const d = decimalsFor(incr, 0.01);
      return splits.map((v) => fixed(v * 100, d) + '%');
    }
    case 'count/s': {
      const d = decimalsFor(incr, 1);
      return splits.map((v) => fixed(v, d) + '/s');
    }
    default: {
      const d = decimalsFor(incr, 1);
      return splits.map((v) => fixed(v, d));
    }
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => (n < 10 ? '0' : '') + n;

/**
 * Time axis labels in local 24-hour time: seconds only when ticks are less than a minute apart,
 * and the date on a second line under the first tick and under each tick where the day changes.
 */
export function timeTicks(splits: number[], incr: number): string[] {
  let prevDay = '';
  return splits.map((ts) => {
    const d = new Date(ts);
    const day = `${MONTHS[d.getMonth()]} ${d.getDate()}`;
    const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    let s: string;
    if (incr >= 86_400_000) s = day;
    else {
      s = incr < 60_000 ? `${hm}:${pad2(d.getSeconds())}` : hm;
      if (day !== prevDay) s += '\n' + day;
    }
    prevDay = day;
    return s;
  });
}

/** Local time "2026-11-22 10:00:01" for legends and labels. */
export function formatTime(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** "5 min", "1 h", "24 h", "3 d 4 h" for range lengths. */
export function formatSpan(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return s + ' s';
  const m = Math.round(s / 60);
  if (m < 120) return m + ' min';
  const h = Math.round(m / 60);
  if (h < 48) return h + ' h';
  return Math.floor(h / 24) + ' d ' + (h % 24) + ' h';
}
