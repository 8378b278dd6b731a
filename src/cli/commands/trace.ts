import type { CAC } from 'cac';

// TODO(helper): the `trace` command.
export function register(_cli: CAC): void {}
