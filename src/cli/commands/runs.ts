import type { CAC } from 'cac';

// TODO(helper): the `runs` command.
export function register(_cli: CAC): void {}
