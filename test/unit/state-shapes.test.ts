/** When two releases' state shapes count as changed: only when both are known and differ. */
import { expect, test } from 'vitest';
import type { CodeFacts } from '../../src/terms/model.js';
import { compareState } from '../../src/validate/state.js';

const code = (...state: string[]): CodeFacts & { status: 'ok' } => ({ status: 'ok', state, children: null, codeChange: 'custom', loadNif: [] });
const kind = (a: string[], b: string[]) => compareState(code(...a), code(...b)).kind;

test('unknown on either side is no verdict', () => {
  expect(kind([], ['map'])).toBe('unknown');
  expect(kind(['number'], [])).toBe('unknown');
});

test('another kind, or another record arity, is a change', () => {
  expect(kind(['number'], ['#{adds,total}', 'map'])).toBe('changed');
  expect(kind(['#state{}/3'], ['#state{}/4'])).toBe('changed');
  expect(kind(['tuple/2'], ['tuple/3'])).toBe('changed');
});

test('maps differ by keys only where both sides build them literally', () => {
  expect(kind(['#{a,b}', 'map'], ['#{a,b,c}', 'map'])).toBe('changed');
  expect(kind(['map'], ['#{a,b}', 'map'])).toBe('same');
  expect(kind(['#{a,b}'], ['map'])).toBe('same');
  expect(kind(['#{a,b}', 'map'], ['map', '#{a,b}'])).toBe('same');
});

test('the verdict carries both sides for the message', () => {
  expect(compareState(code('number'), code('map'))).toEqual({ kind: 'changed', from: ['number'], to: ['map'] });
});
