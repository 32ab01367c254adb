import pg from 'pg';

/**
 * The database's commits so far (pg_stat_database.xact_commit), read from the server's admin
 * database so the reading adds none. A busy backend publishes its counters at most once a
 * second and an idle one within 10 s (PGSTAT_IDLE_INTERVAL), so this waits 11 s first: call it
 * with no load running.
 */
export async function settledCommits(adminUrl: string, database: string): Promise<number> {
  await new Promise((r) => setTimeout(r, 11_000));
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1', [database]);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await c.end();
  }
}
