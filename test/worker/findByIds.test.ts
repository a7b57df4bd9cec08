import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId, type Collection } from 'mongodb';
import { IN_LIST_IN_PROCESS_FROM } from '../../shared/db/engineQuirks.js';
import { findByIds } from '../../shared/db/findByIds.js';
import { bindModels, type Models } from '../../shared/db/models.js';
import { openTestDb, type TestDb } from '../helpers/services.js';

interface Row {
  _id: string;
  profileId: ObjectId;
  status: 'pending' | 'ready';
  note: string;
}

describe('reading documents by a list of ids', () => {
  let db: TestDb;
  let models: Models;
  let rows: Collection<Row>;
  const profileId = new ObjectId();
  const other = new ObjectId();
  const id = (i: number) => `c${String(i).padStart(5, '0')}`;

  beforeAll(async () => {
    db = await openTestDb('findbyids');
    models = bindModels(db.connection);
    rows = db.connection.db!.collection<Row>('rows');
    const all = Array.from({ length: 3_000 }, (_, i) => ({
      _id: id(i),
      profileId: i % 7 === 0 ? other : profileId,
      status: i % 3 === 0 ? ('ready' as const) : ('pending' as const),
      note: `row ${i}`,
    }));
    for (let i = 0; i < all.length; i += 1_000) await rows.insertMany(all.slice(i, i + 1_000));
  });
  afterAll(async () => {
    await db.drop();
  });

  const expected = async (ids: string[]) =>
    (await rows.find({ _id: { $in: ids }, status: 'pending', profileId }).toArray()).map((r) => r._id).sort();

  it('when the list is long, then exactly the listed documents that match come back, with the fields asked', async () => {
    // Listed: 2,500 of them (some of the other profile, some ready), and ten that do not exist.
    const ids = [
      ...Array.from({ length: 2_500 }, (_, i) => id(Math.floor(i * 1.2))),
      ...Array.from({ length: 10 }, (_, i) => `gone${i}`),
    ];
    expect(ids.length).toBeGreaterThanOrEqual(IN_LIST_IN_PROCESS_FROM);
    const found = await findByIds(models, rows, { status: 'pending', profileId }, ids, { status: 1 });
    expect(found.map((r) => r._id).sort()).toEqual(await expected(ids));
    expect(found.length).toBeGreaterThan(1_000);
    expect(found[0]).toEqual({ _id: found[0]?._id, status: 'pending' });
  });

  it('when the list is short or empty, then the same', async () => {
    const ids = [id(1), id(3), id(7), id(8), 'gone'];
    const found = await findByIds(models, rows, { status: 'pending', profileId }, ids, { status: 1 });
    expect(found.map((r) => r._id).sort()).toEqual(await expected(ids));
    expect(found.map((r) => r._id).sort()).toEqual([id(1), id(8)]);
    expect(await findByIds(models, rows, { status: 'pending', profileId }, [], { status: 1 })).toEqual([]);
  });
});
