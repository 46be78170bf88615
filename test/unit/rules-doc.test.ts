/** docs/rules.md documents every rule the validation can report, and no other. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { RULE_IDS } from '../../src/validate/finding.js';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/rules.md');

test('every rule id has a row in the table and a section of its own', async () => {
  const text = await readFile(DOC, 'utf8');
  const rows = [...text.matchAll(/^\| `([a-z-]+\/[a-z-]+)` \|/gm)].map((m) => m[1]);
  const sections = [...text.matchAll(/^### `([a-z-]+\/[a-z-]+)`$/gm)].map((m) => m[1]);
  expect([...rows].sort()).toEqual([...RULE_IDS].sort());
  expect([...sections].sort()).toEqual([...RULE_IDS].sort());
});
