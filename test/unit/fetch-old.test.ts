import { describe, expect, test } from 'vitest';
import { relFileText, splitLib } from '../../src/build/fetch-old.js';

describe('rebuilding a .rel from a RELEASES row', () => {
  test('application names have no dash; versions may', () => {
    expect(splitLib('shop-0.1.0')).toEqual(['shop', '0.1.0']);
    expect(splitLib('my_app-1.0.0-rc.1')).toEqual(['my_app', '1.0.0-rc.1']);
  });

  test('the .rel systools reads', () => {
    expect(relFileText({ name: 'shop', vsn: '0.1.0', erts: '13.1.5', apps: ['kernel-8.5.3', 'shop-0.1.0'], status: 'permanent' })).toBe(
      '{release, {"shop", "0.1.0"}, {erts, "13.1.5"},\n  [{kernel, "8.5.3"},\n   {shop, "0.1.0"}]}.\n',
    );
  });
});
