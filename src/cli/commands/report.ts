import type { CAC } from 'cac';

// TODO(helper): the `report` command.
export function register(_cli: CAC): void {}
