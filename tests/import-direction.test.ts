import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Dependencies point one way: src → exporters → semconv, and between the folders of src/ never both
// ways (docs/ARCHITECTURE.md). Type-only imports do not count: they leave no edge at run time.
const root = path.resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

/** `src/<folder>` for files in a folder of src/, `src/<file>` for its top-level files, else the top folder. */
const groupOf = (file: string): string => {
  const parts = file.split(path.sep);
  return parts[0] === 'src' ? `src/${parts[1]}` : parts[0]!;
};

/** group → groups it imports at run time, each with one file that does it. */
function importGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of ['src', 'exporters', 'semconv'].flatMap(sources)) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const m of text.matchAll(/^(import|export)(?!\s+type\b)[^'";]*?from\s+['"](\.[^'"]+)['"]/gm)) {
      const target = path.normalize(path.join(path.dirname(file), m[2]!));
      const [from, to] = [groupOf(file), groupOf(target)];
      if (from === to) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      graph.get(from)!.set(to, file);
    }
  }
  return graph;
}

describe('import direction', () => {
  const graph = importGraph();

  it('sees the imports it checks (the parser is not blind)', () => {
    expect(graph.get('src/cli')?.has('src/query')).toBe(true);
    expect(graph.get('exporters')?.has('semconv')).toBe(true);
  });

  it('exporters/ and semconv/ never import src/, semconv/ never imports exporters/', () => {
    const wrong = [...graph].flatMap(([from, tos]) => [...tos].filter(([to]) =>
      (!from.startsWith('src/') && to.startsWith('src/')) || (from === 'semconv' && to === 'exporters'))
      .map(([to, file]) => `${file} (${from}) imports ${to}`));
    expect(wrong).toEqual([]);
  });

  it('no two folders of src/ import each other', () => {
    const mutual: string[] = [];
    for (const [a, tos] of graph) {
      for (const [b, file] of tos) {
        const back = graph.get(b)?.get(a);
        if (back && a < b) mutual.push(`${a} ⇄ ${b}: ${file} and ${back}`);
      }
    }
    expect(mutual).toEqual([]);
  });
});
