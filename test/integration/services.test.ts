import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Schema } from 'mongoose';
import { bulkWriteInChunks } from '../../shared/db/bulkWriteInChunks.js';
import { openTestDb, openTestRedis, type TestDb, type TestRedis } from '../helpers/services.js';

describe('the real services behind the tests', () => {
  let db: TestDb;
  let r: TestRedis;

  beforeAll(async () => {
    db = await openTestDb('prove');
    r = await openTestRedis('prove');
  });
  afterAll(async () => {
    await db.drop();
    await r.cleanup();
  });

  it(
    'when 10,000 documents are inserted in bulk and 100 upserted under a unique index, then all land and a duplicate insert is refused as such',
    { timeout: 180_000 },
    async () => {
      const Item = db.connection.model(
        'Item',
        new Schema({ key: { type: String, required: true }, n: Number }).index({ key: 1 }, { unique: true }),
      );
      await Item.syncIndexes();
      const inserted = await Item.insertMany(
        Array.from({ length: 10_000 }, (_, i) => ({ key: `k${i}`, n: i })),
        { ordered: false, lean: true },
      );
      expect(inserted).toHaveLength(10_000);
      const ops = Array.from({ length: 100 }, (_, i) => ({
        updateOne: { filter: { key: `u${i}` }, update: { $set: { n: i } }, upsert: true },
      }));
      const result = await bulkWriteInChunks(Item.collection, ops);
      expect(result.upserted).toBe(100);
      expect(await Item.countDocuments()).toBe(10_100);

      const error = await Item.create({ key: 'k42', n: -1 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 11000 });
      expect((await Item.findOne({ key: 'k42' }).lean())?.n).toBe(42);

      // Four processes' worth of concurrent updates of existing documents: on FerretDB each
      // updateOne holds a pooled connection until its command returns, so commands of 25 (the
      // former chunk) held all 50 and never answered.
      const updates = (from: number) =>
        Array.from({ length: 30 }, (_, i) => ({
          updateOne: { filter: { key: `k${from + i}` }, update: { $set: { n: -(from + i) } } },
        }));
      const results = await Promise.all(
        [0, 100, 200, 300].map((from) => bulkWriteInChunks(Item.collection, updates(from))),
      );
      expect(results.map((r) => r.modified)).toEqual([30, 30, 30, 30]);
    },
  );

  it('when a job is enqueued, then a worker on the real Redis processes it and reports its result', async () => {
    const name = 'prove-queue';
    const connection = { url: r.url };
    const queue = new Queue(name, { connection, prefix: r.prefix });
    const events = new QueueEvents(name, { connection, prefix: r.prefix });
    const worker = new Worker(name, async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), {
      connection,
      prefix: r.prefix,
    });
    try {
      await events.waitUntilReady();
      const job = await queue.add('double', { n: 21 });
      await expect(job.waitUntilFinished(events, 10_000)).resolves.toEqual({ doubled: 42 });
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
