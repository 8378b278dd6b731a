import type { JsonlFollower } from '../query/follow.js';

/** How often a followed directory is checked for new lines. */
const POLL_MS = 200;

/**
 * `tail` and `logs --follow`: prints what `render` makes of each new line (undefined: skipped), polling
 * until SIGINT/SIGTERM (or stdout closes, as in `| head`): a clean stop, exit code 0.
 */
export function followLines(follower: JsonlFollower, render: (line: string) => string | undefined): Promise<void> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stdout.off('error', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.stdout.on('error', stop);
    const tick = () => {
      if (stopped) return;
      let out = '';
      for (const line of follower.poll()) {
        const text = render(line);
        if (text !== undefined) out += `${text}\n`;
      }
      if (out) process.stdout.write(out);
      timer = setTimeout(tick, POLL_MS);
    };
    tick();
  });
}
