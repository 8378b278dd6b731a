import { describe, expect, it } from 'vitest';
import { Redactor } from '../dist/src/governance/redaction.js';

// Inputs built to make a backtracking pattern rescan a long run from each of its positions: with the
// patterns of 0.1 the 256 KB dotted one took minutes of synchronous CPU inside span.end(). Here all of
// them together must finish well inside the test timeout (bench/redaction.js measures the speed).
const ADVERSARIAL: Record<string, string> = {
  'a long word': 'a'.repeat(256 * 1024),
  'dotted words (email domain)': 'a.'.repeat(128 * 1024),
  'an @ before dotted words': 'x@' + 'a.'.repeat(128 * 1024),
  'repeated @': 'a@'.repeat(128 * 1024),
  'repeated sk- prefixes': 'sk-'.repeat(87 * 1024),
  'repeated eyJ': 'eyJ'.repeat(87 * 1024),
  'repeated PEM headers': '-----BEGIN RSA PRIVATE KEY-----'.repeat(8 * 1024),
  'a PEM header of capitals': '-----BEGIN ' + 'A'.repeat(256 * 1024),
  'spaced digits': '1 '.repeat(128 * 1024),
  'repeated Bearer': 'Bearer '.repeat(36 * 1024),
};

describe('user patterns', () => {
  it('are applied to every value, also with built-ins off and as many user patterns as built-ins', () => {
    // Six patterns, as many as the built-in rules: the built-ins' shortcuts (plain tokens, hex ids) must not apply.
    const r = new Redactor({ builtins: false, rules: ['abc123', 'deadbeef', 'zz1', 'zz2', 'zz3', 'zz4'].map((pattern) => ({ pattern, name: 'mine' })) });
    expect(r.redact('tokabc123x')).toBe('tok[REDACTED:mine]x');
    expect(r.redact('00deadbeef00')).toBe('00[REDACTED:mine]00');
  });
});

describe('built-in redaction', () => {
  it('finishes on 256 KB adversarial values (no catastrophic backtracking)', () => {
    const r = new Redactor();
    for (const [what, s] of Object.entries(ADVERSARIAL)) {
      const out = r.redact(`mail me at someone@example.org ${s}`);
      expect(out, what).toContain('[REDACTED:email]');
    }
  }, 20_000);

  it('still finds each kind of secret, and leaves look-alikes', () => {
    const r = new Redactor();
    const cases: Array<[string, string]> = [
      ['key sk-proj-abcdefghijklmnop1234 here', 'key [REDACTED:api_key] here'],
      ['AKIAABCDEFGHIJKLMNOP', '[REDACTED:api_key]'],
      ['tok eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl end', 'tok [REDACTED:jwt] end'],
      ['Authorization: Bearer abcdefgh12345678', 'Authorization: [REDACTED:bearer_token]'],
      ['write to jane.doe+x@mail.example.co.uk now', 'write to [REDACTED:email] now'],
      ['card 4111 1111 1111 1111.', 'card [REDACTED:card_number].'],
      ['order 1234567890123 (not Luhn)', 'order 1234567890123 (not Luhn)'],
      ['-----BEGIN PRIVATE KEY-----\nMIIBVwIBADANBg==\n-----END PRIVATE KEY-----!', '[REDACTED:private_key]!'],
      ['version 1.2.3 at host.local', 'version 1.2.3 at host.local'],
      ['ask-me-anything-here-please', 'ask-me-anything-here-please'],
      // A UUID is an id, though this one's digits 9228137-6106-43 pass the card number's Luhn check
      ['c9228137-6106-436c-bb46-8af27a01c697', 'c9228137-6106-436c-bb46-8af27a01c697'],
      ['C9228137-6106-436C-BB46-8AF27A01C697', 'C9228137-6106-436C-BB46-8AF27A01C697'],
      // …while a card number in hex-looking text is still one
      ['4111-1111-1111-1111', '[REDACTED:card_number]'],
      ['c9228137-6106-436c-bb46-8af27a01c697x', 'c[REDACTED:card_number]c-bb46-8af27a01c697x'],
      // lowercase letters and digits only (the run ids the package makes) skip the scan, but 13 digits in a row are still a card
      ['k3v9x0q2m1tt8c4a', 'k3v9x0q2m1tt8c4a'],
      ['4111111111111111', '[REDACTED:card_number]'],
      ['ref4111111111111111x', 'ref[REDACTED:card_number]x'],
    ];
    for (const [input, want] of cases) expect(r.redact(input)).toBe(want);
  });

  it('scans ids and names that come from users (run ids, tool names, error types), not the fixed enums', () => {
    const r = new Redactor();
    expect(r.value('agent.run.id', 'bob@example.com')).toBe('[REDACTED:email]');
    expect(r.value('gen_ai.tool.name', 'sk-live0123456789abcdefXYZ')).toBe('[REDACTED:api_key]');
    expect(r.value('error.type', 'Bearer abcdefgh12345678')).toBe('[REDACTED:bearer_token]');
    expect(r.value('gen_ai.operation.name', 'chat')).toBe('chat');
  });
});
