import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** Reusable connections to the viewer's scratch database; once closed, a returned connection is closed, not kept. */
export class ConnectionPool {
  private readonly idle: DuckDBConnection[] = [];
  private closed = false;

  constructor(private readonly instance: DuckDBInstance) {}

  async acquire(): Promise<DuckDBConnection> {
    return this.idle.pop() ?? await this.instance.connect();
  }

  release(conn: DuckDBConnection): void {
    if (this.closed) conn.closeSync();
    else this.idle.push(conn);
  }

  close(): void {
    this.closed = true;
    for (const conn of this.idle.splice(0)) conn.closeSync();
  }
}
