/**
 * V8 flags every worker process starts with (npm script, docker-compose, demo, bench, tests).
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
export const WORKER_NODE_FLAGS: readonly string[] = [`--max-old-space-size=${WORKER_HEAP_MB}`];
