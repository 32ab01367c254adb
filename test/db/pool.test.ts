import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/pool.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/** The transaction helper's pipelining: deferred writes ride with the COMMIT, cancelled work rolls back. */
let sys: TestSystem;
let db: Db;

beforeAll(async () => {
  sys = await startTestSystem({ SANDPAY_ROLE: 'api' });
  db = sys.runtime.db;
  await db.rows('CREATE TABLE pool_probe (n int PRIMARY KEY)');
});
afterAll(() => sys?.stop());

const probe = async () => (await db.rows<{ n: number }>('SELECT n FROM pool_probe ORDER BY n')).map((r) => r.n);

describe('Db.tx', () => {
  it('sends deferred writes with the COMMIT, in order, in one round trip after the work', async () => {
    await db.rows('TRUNCATE pool_probe');
    let trips = 0;
    let writes = 0;
    await db.tx(async (t) => {
      t.defer('INSERT INTO pool_probe VALUES ($1::int)', [2]);
      // Deferred statements are not sent yet: the work does not see them.
      expect(await t.rows('SELECT n FROM pool_probe')).toEqual([]);
      await t.rows('INSERT INTO pool_probe VALUES ($1::int)', [1]);
      t.defer('UPDATE pool_probe SET n = n * 10 WHERE n = $1::int', [2]);
      t.afterCommit(() => {
        trips = t.roundTrips;
        writes = t.socketWrites;
      });
    });
    expect(await probe()).toEqual([1, 20]);
    // BEGIN with the first SELECT, the INSERT, then both deferred writes with the COMMIT.
    expect(trips).toBe(3);
    // ... and each round trip's statements leave in one socket write (CorkingSocket), not one each.
    expect(writes).toBe(3);
  });

  it('statements sent without waiting share a round trip', async () => {
    let trips = 0;
    await db.tx(async (t) => {
      await Promise.all([t.rows('SELECT 1'), t.rows('SELECT 2'), t.rows('SELECT pg_sleep(0.01)')]);
      t.afterCommit(() => (trips = t.roundTrips));
    });
    expect(trips).toBe(2);
  });

  it('rolls everything back when a deferred write fails, and throws its error', async () => {
    await db.rows('TRUNCATE pool_probe');
    let committed = false;
    const failure = db.tx(async (t) => {
      await t.rows('INSERT INTO pool_probe VALUES ($1::int)', [1]);
      t.defer('INSERT INTO pool_probe VALUES ($1::int)', [2]);
      t.defer('INSERT INTO pool_probe VALUES ($1::int)', [1]); // duplicate key
      t.afterCommit(() => (committed = true));
    });
    await expect(failure).rejects.toMatchObject({ code: '23505' });
    expect(committed).toBe(false);
    expect(await probe()).toEqual([]);
  });

  it('fails, instead of reporting success, when a statement failed and the caller swallowed its error', async () => {
    await db.rows('TRUNCATE pool_probe');
    const swallowed = db.tx(async (t) => {
      await t.rows('INSERT INTO pool_probe VALUES ($1::int)', [1]);
      await t.rows('INSERT INTO pool_probe VALUES ($1::int)', [1]).catch(() => undefined);
    });
    await expect(swallowed).rejects.toThrow(/rolled back/);
    expect(await probe()).toEqual([]);
  });

  it('a cancelled transaction rolls back, returns its result, and refuses later statements', async () => {
    await db.rows('TRUNCATE pool_probe');
    const reason = new Error('not wanted');
    const result = await db.tx(async (t) => {
      await t.rows('INSERT INTO pool_probe VALUES ($1::int)', [1]);
      t.defer('INSERT INTO pool_probe VALUES ($1::int)', [2]);
      t.cancel(reason);
      await expect(t.rows('INSERT INTO pool_probe VALUES ($1::int)', [3])).rejects.toBe(reason);
      return 'kept';
    });
    expect(result).toBe('kept');
    expect(await probe()).toEqual([]);
  });

  it('refuses a statement sent after the transaction ended instead of running it outside', async () => {
    await db.rows('TRUNCATE pool_probe');
    let late: Promise<unknown> = Promise.resolve();
    await db.tx(async (t) => {
      t.afterCommit(() => {
        late = t.rows('INSERT INTO pool_probe VALUES ($1::int)', [9]);
      });
    });
    await expect(late).rejects.toThrow(/after COMMIT/);
    expect(await probe()).toEqual([]);
  });
});
