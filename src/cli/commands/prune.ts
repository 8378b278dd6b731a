import type { CAC } from 'cac';

// TODO(helper): the `prune` command.
export function register(_cli: CAC): void {}
