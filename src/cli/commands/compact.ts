import type { CAC } from 'cac';

// TODO(helper): the `compact` command.
export function register(_cli: CAC): void {}
