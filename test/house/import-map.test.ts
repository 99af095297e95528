// docs/architecture.md's import map is generated (scripts/import-map.ts) from lib/layers.ts and the imports in
// lib/; this fails when the document's copy differs, so the map cannot drift from the code.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { layerOf } from '../../lib/layers.ts';
import { DOC, END, START, importMap, withMap } from '../../scripts/import-map.ts';

const map = importMap(); // parses every file of lib/: once

test('docs/architecture.md holds the current import map (rerun scripts/import-map.ts --write if not)', () => {
  const doc = readFileSync(DOC, 'utf8');
  assert.is(withMap(doc, map), doc);
});

test('a planted stale map is caught; the map names every layer', () => {
  const doc = `intro\n${START}\n\`\`\`\n 1 util/ ──> (nothing)\n\`\`\`\n${END}\nrest`;
  assert.is.not(withMap(doc, map), doc);
  assert.match(withMap(doc, map), /^intro\n.*\nrest$/s);
  for (const [f, name] of [['cli', 'cli/'], ['index', 'index.ts'], ['errors', 'errors.ts']]) {
    const line = `${String(layerOf(f)).padStart(2)} ${name}`;
    assert.ok(map.includes(line), line);
  }
  assert.throws(() => withMap('no markers', 'x'), /no <!-- import-map/);
});

test.run();
