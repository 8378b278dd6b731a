import type { CAC } from 'cac';

// TODO(helper): the `ingest` command.
export function register(_cli: CAC): void {}
