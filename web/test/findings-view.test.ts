import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeSegments, confidenceLabel, factRows, findingsRefreshMs, findingsSummary, gcMode, rangeText, toneOf } from '../src/findings-view';
import { formatTime } from '../src/format';
import type { DoctorReport, Finding } from '../src/types';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

function finding(id: string, confidence = 'high'): Finding {
  return {
    id,
    title: id,
    summary: 's',
    confidence,
    evidence: ['live heap after full GCs rose from 12 MiB to 96 MiB'],
    from: T0,
    to: T0 + 7_200_000,
    next_steps: ['Take two snapshots: `memlens snapshot 4242`'],
    docs: `docs/doctor.md#${id}`,
  };
}

const report = (...findings: Finding[]): DoctorReport => ({
  from: T0,
  to: T0 + 1,
  healthy: findings.length === 1 && findings[0].id === 'healthy',
  findings,
});

test('findings are refreshed every 30 s while live and never for a recording', () => {
  assert.equal(findingsRefreshMs(true), 30_000);
  assert.equal(findingsRefreshMs(false), null);
});

test('healthy is calm, not-enough-data neutral, anything else a problem', () => {
  assert.equal(toneOf(finding('healthy')), 'healthy');
  assert.equal(toneOf(finding('not-enough-data')), 'neutral');
  assert.equal(toneOf(finding('managed-leak')), 'problem');
  assert.equal(toneOf(finding('a-rule-added-later')), 'problem');
});

test('the panel summary counts problems and says healthy plainly', () => {
  assert.equal(findingsSummary(report(finding('healthy'))), 'Healthy');
  assert.equal(findingsSummary(report(finding('not-enough-data'))), 'Not enough data to judge');
  assert.equal(findingsSummary(report(finding('managed-leak'))), '1 finding');
  assert.equal(findingsSummary(report(finding('managed-leak'), finding('lazy-free', 'low'))), '2 findings');
});

test('confidence badges', () => {
  assert.equal(confidenceLabel('high'), 'High confidence');
  assert.equal(confidenceLabel('medium'), 'Medium confidence');
  assert.equal(confidenceLabel('low'), 'Low confidence');
  assert.equal(confidenceLabel('unheard-of'), 'Low confidence');
});

test('a range on one day names the day once, and says how long it is', () => {
  const text = rangeText(T0, T0 + 2 * 3_600_000);
  assert.ok(text.startsWith(formatTime(T0) + ' – '), text);
  const end = formatTime(T0 + 2 * 3_600_000);
  if (end.slice(0, 10) === formatTime(T0).slice(0, 10)) assert.ok(text.includes(' – ' + end.slice(11) + ' ('), text);
  assert.ok(text.endsWith('(2 h)'), text);
  const days = rangeText(T0, T0 + 3 * 86_400_000);
  assert.ok(days.includes(formatTime(T0 + 3 * 86_400_000)), days);
});

test('commands between backticks become code; an unpaired backtick leaves the line as text', () => {
  assert.deepEqual(codeSegments('Run `memlens snapshot 4242` twice, then `memlens diff a b`.'), [
    { text: 'Run ', code: false },
    { text: 'memlens snapshot 4242', code: true },
    { text: ' twice, then ', code: false },
    { text: 'memlens diff a b', code: true },
    { text: '.', code: false },
  ]);
  assert.deepEqual(codeSegments('`GODEBUG=madvdontneed=1`'), [{ text: 'GODEBUG=madvdontneed=1', code: true }]);
  assert.deepEqual(codeSegments('it`s odd'), [{ text: 'it`s odd', code: false }]);
  assert.deepEqual(codeSegments(''), []);
});

test('GC mode comes from the runtime first, then the environment', () => {
  assert.equal(gcMode({ 'dotnet.gc.server': 'true', 'dotnet.gc.concurrent': 'false' }), 'Server GC, non-concurrent');
  assert.equal(gcMode({ 'env.DOTNET_gcServer': '1' }), 'Server GC');
  assert.equal(gcMode({ 'dotnet.gc.server': 'false', 'env.DOTNET_gcServer': '1' }), 'Workstation GC');
  assert.equal(gcMode({ 'env.COMPlus_gcServer': '0', 'env.DOTNET_gcConcurrent': '1' }), 'Workstation GC, concurrent');
  assert.equal(gcMode({ 'env.GODEBUG': 'gctrace=1' }), null);
});

test('facts: command line, runtime with version, GC mode, environment, then everything else by key', () => {
  const rows = factRows({
    'target.pid': '4242',
    'target.name': 'Shop',
    'target.command_line': 'dotnet Shop.dll --urls http://*:8080',
    'target.runtime': 'dotnet',
    'target.runtime_version': '10.0.0',
    'dotnet.gc.server': 'true',
    'env.MALLOC_ARENA_MAX': '2',
    'env.DOTNET_gcServer': '1',
    'zz.custom': 'yes',
  });
  assert.deepEqual(
    rows.map((r) => r.label),
    ['Command line', 'Runtime', 'GC mode', 'Environment', 'PID', 'zz.custom'],
  );
  assert.deepEqual(rows[0], { label: 'Command line', values: ['dotnet Shop.dll --urls http://*:8080'], code: true });
  assert.deepEqual(rows[1].values, ['.NET 10.0.0']);
  assert.deepEqual(rows[2].values, ['Server GC']);
  assert.deepEqual(rows[3].values, ['DOTNET_gcServer=1', 'MALLOC_ARENA_MAX=2']);
  assert.deepEqual(factRows({ 'target.runtime': 'go', 'env.GODEBUG': 'madvdontneed=0' }).map((r) => r.values[0]), ['Go', 'GODEBUG=madvdontneed=0']);
  assert.deepEqual(factRows({}), []);
  assert.deepEqual(factRows(undefined), []);
});
