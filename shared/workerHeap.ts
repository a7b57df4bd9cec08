/**
 * V8 flags and allocator settings every worker process starts with (npm script, docker-compose,
 * demo, bench, tests).
 *
 * Why a ceiling: left alone, V8 grows the old space lazily towards its default ceiling, so a worker
 * that streams a 100,000-user org peaked near 400 MB RSS although its live heap stayed near 100 MB.
 *
 * Why not lower: at 160 MB the download spent most of its time collecting garbage (the worker at
 * 145–168% CPU, V8's helper threads included, FerretDB starved), worst in a re-sync, which holds the
 * previous snapshot's users. `npm run bench -- --quick --sizes 100000 --only big`, one run each,
 * sync / re-sync / worker peak RSS: 160 MB 38.0 s / 50.2 s / 274 MB; 240 MB 34.6 s / 34.1 s /
 * 322 MB; 320 MB 33.0 s / 32.8 s / 355 MB. A job that truly needed more heap would crash its worker
 * and be retried elsewhere.
 */
export const WORKER_HEAP_MB = 240;

/**
 * Why the young generation is capped too: V8 grows each of its two semi-spaces up to 16 MB while a
 * job allocates fast (every phase of a big download does), and that memory counts in the worker's
 * RSS beside the old space. A million users, one run each (`npm run bench -- --quick --sizes
 * 1000000 --only big`): with packed previous users, the re-sync's peak was 261 MB; capped at 8 MB
 * and with packed assignment ids (~4 MB of the difference), 245 MB; the final code of that session
 * 231 MB (the first sync's 232 MB), the sync 259.8 s against 253.2 s uncapped (noise here is as
 * large). At 100,000 users, back to back: the workers' CPU time over both syncs 44.6 s uncapped,
 * 45.9 s capped. At 4 MB the peaks fell ~30 MB, but a million-user sync took 334.3 s against
 * 266.0 s: too many objects outlived a scavenge and were promoted.
 */
export const WORKER_SEMI_SPACE_MB = 8;
export const WORKER_NODE_FLAGS: readonly string[] = [
  `--max-old-space-size=${WORKER_HEAP_MB}`,
  `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`,
];

/**
 * glibc's allocator settings for a worker (ignored by other C libraries). Left alone, glibc raises
 * its mmap threshold each time a large block is freed, up to 32 MB, so the buffers a big job grows
 * and drops (id tables, string stores, BSON batches) come from its heap afterwards and stay with the
 * process when freed; and each thread may take an arena of its own. A million-user first sync left
 * an idle worker at ~140 MB RSS where a fresh one has ~87 MB, with the V8 heap and external memory
 * back where they started. With these, in the same conditions: idle after that sync 98 MB, the first
 * sync's peaks 244 and 232 MB instead of 279 and 249, the re-sync's 294 MB instead of 358
 * (`npm run bench -- --quick --sizes 1000000 --only big`, one run each; sync 240.6 s against 306.5,
 * re-sync 276.0 against 264.3, within this machine's noise). At 100,000 users, two runs back to
 * back: sync 35.5 s without, 31.4 s with; re-sync 27.7 and 26.5 s.
 */
export const WORKER_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
};
