import { describe, expect, it } from 'vitest';
import { pipelinePages } from '../../worker/pagePipeline.js';

/** A source that counts how far it has been read, and writes that finish when told. */
function harness(pageCount: number) {
  let fetched = 0;
  let writing = 0;
  let mostWriting = 0;
  let mostAhead = 0;
  const written: number[] = [];
  async function* pages() {
    for (let i = 0; i < pageCount; i += 1) {
      fetched += 1;
      mostAhead = Math.max(mostAhead, fetched - written.length);
      yield i;
    }
  }
  const write = async (page: number, fail = -1) => {
    writing += 1;
    mostWriting = Math.max(mostWriting, writing);
    await new Promise((r) => setTimeout(r, 5 + (page % 3) * 5));
    writing -= 1;
    if (page === fail) throw new Error(`page ${page} refused`);
    written.push(page);
  };
  return {
    pages,
    write,
    stats: () => ({ fetched, mostWriting, mostAhead, written: [...written].sort((a, b) => a - b) }),
  };
}

describe('pipelining pages into writes', () => {
  it('when two writes may be in flight, then never more than two are, the source runs at most one page ahead of them, and every page is written', async () => {
    const h = harness(12);
    await pipelinePages(h.pages(), (p) => h.write(p), 2);
    const s = h.stats();
    expect(s.mostWriting).toBe(2);
    expect(s.mostAhead).toBeLessThanOrEqual(3);
    expect(s.written).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('when one write is allowed, then pages are written one at a time', async () => {
    const h = harness(6);
    await pipelinePages(h.pages(), (p) => h.write(p));
    expect(h.stats().mostWriting).toBe(1);
    expect(h.stats().written).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('when a write fails, then fetching stops, the writes already started settle, and the failure is thrown', async () => {
    const h = harness(20);
    await expect(pipelinePages(h.pages(), (p) => h.write(p, 3), 2)).rejects.toThrow('page 3 refused');
    const s = h.stats();
    expect(s.fetched).toBeLessThan(8);
    expect(s.written).not.toContain(3);
    expect(s.written).toEqual(expect.arrayContaining([0, 1, 2]));
  });
});
