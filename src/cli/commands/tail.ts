import type { CAC } from 'cac';

// TODO(helper): the `tail` command.
export function register(_cli: CAC): void {}
