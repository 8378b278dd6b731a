// redaction: built-in redaction of one 256 KB attribute value, for inputs built to make backtracking
// patterns go quadratic, against 256 KB of ordinary prose in the same run. Target: < 50 ms per value
// (issue 10: 0.1 took ~30 s on 256 KB, synchronously inside span.end()).
import { Redactor } from '../dist/src/governance/redaction.js';
import { fmt, median, report } from './lib.js';

const KB = 1024;
const INPUTS = {
  'dotted words': 'a.'.repeat(128 * KB),
  'a long word': 'a'.repeat(256 * KB),
  'an @ before dotted words': 'x@' + 'a.'.repeat(128 * KB),
  'repeated sk- prefixes': 'sk-'.repeat(87 * KB),
  'repeated eyJ': 'eyJ'.repeat(87 * KB),
  'repeated PEM headers': '-----BEGIN RSA PRIVATE KEY-----'.repeat(8 * KB),
  'spaced digits': '1 '.repeat(128 * KB),
};
const words = ['the', 'agent', 'called', 'a', 'tool', 'and', 'wrote', 'to', 'bob@example.com', 'about', 'order', '1234'];
let prose = '';
for (let i = 0; prose.length < 256 * KB; i++) prose += words[(i * 7) % words.length] + (i % 13 === 0 ? '. ' : ' ');

const r = new Redactor();
const timeMs = (s) => {
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    r.redact(s);
    runs.push(performance.now() - t0);
  }
  return median(runs);
};
const baseline = timeMs(prose);
const rows = Object.entries(INPUTS).map(([label, s]) => {
  const ms = timeMs(s);
  return { label, baseline: `${fmt(baseline)} ms (prose)`, candidate: `${fmt(ms)} ms`, result: `${fmt(ms / baseline)}× prose`, target: '< 50 ms', pass: ms < 50 };
});
report({ name: 'redaction', what: 'built-in redaction of one 256 KB value (median of 5)', rows });
