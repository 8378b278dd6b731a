/** `1 file`, `2 files`. */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `1234` → `1.2k`, `1234567` → `1.2M`: compact counts for progress lines. */
export function fmtCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}

/**
 * Progress of a long operation on stderr: rewritten in place on a terminal, otherwise one line at a
 * time (at most one a second, so logs stay short). stdout is left for the result.
 */
export class Progress {
  private last = 0;
  private pending: string | undefined;
  private shown = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(text: string): void {
    const now = Date.now();
    if (now - this.last < (this.stream.isTTY ? 100 : 1000)) {
      this.pending = text;
      return;
    }
    this.last = now;
    this.pending = undefined;
    this.write(text);
  }

  /** Shows the final state (if an update was held back), and ends the line on a terminal. */
  done(): void {
    if (this.pending !== undefined) this.write(this.pending);
    this.pending = undefined;
    if (this.shown && this.stream.isTTY) this.stream.write('\n');
    this.shown = false;
  }

  private write(text: string): void {
    this.shown = true;
    this.stream.write(this.stream.isTTY ? `\r\x1b[K${text}` : `${text}\n`);
  }
}
