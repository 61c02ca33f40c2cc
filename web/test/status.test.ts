import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sinkAsSource } from '../src/status';

test('a recording paused on a full disk is shown in its own words, coloured as a failing source, with its reason', () => {
  const shown = sinkAsSource({ name: 'recording', state: 'disk_full', lastError: 'database or disk is full' });
  assert.equal(shown.state, 'failing');
  assert.equal(shown.shownState, 'disk full');
  assert.equal(shown.lastError, 'database or disk is full');
});

test('a recording that writes is ok, a closed one stopped', () => {
  assert.equal(sinkAsSource({ name: 'recording', state: 'recording' }).state, 'ok');
  assert.equal(sinkAsSource({ name: 'recording', state: 'closed' }).state, 'stopped');
  assert.equal(sinkAsSource({ name: 'recording', state: 'stopped', lastError: 'gave up' }).state, 'failing');
});
