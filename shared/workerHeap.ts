/**
 * V8 flags every worker process starts with (npm script, docker-compose, demo, bench, tests).
 *
 * Why: left alone, V8 grows the old space lazily towards its default ceiling, so a worker that
 * streams a 100,000-user org peaked near 400 MB RSS although its live heap stayed near 100 MB.
 * A 160 MB ceiling makes it collect before growing; the same sync then peaked at 152 / 232 MB
 * (`npm run bench -- --quick --sizes 100000 --only big`). A job that truly needed more heap would
 * crash its worker and be retried elsewhere, which the benchmark's 1,000,000-user org rules out.
 */
export const WORKER_HEAP_MB = 160;
export const WORKER_NODE_FLAGS: readonly string[] = [`--max-old-space-size=${WORKER_HEAP_MB}`];
