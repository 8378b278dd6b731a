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
