import { FlowProducer, Queue } from 'bullmq';
import type { RedisConnection } from '../redis.js';

interface Handles {
  flow: FlowProducer;
  queues: Map<string, Queue>;
}

/**
 * Queue and FlowProducer objects are cheap but hold listeners; one set per connection and prefix
 * is kept for the life of that connection (they share it, so closing them never closes it).
 */
/**
 * BullMQ re-emits every error of the shared connection on each Queue; without a listener it prints
 * them to stderr. The connection's owner watches it, and each call that fails rejects on its own.
 */
function ignoreConnectionError(): void {}

const byConnection = new WeakMap<RedisConnection, Map<string, Handles>>();

function handlesFor(redis: RedisConnection, prefix: string): Handles {
  let byPrefix = byConnection.get(redis);
  if (!byPrefix) {
    byPrefix = new Map();
    byConnection.set(redis, byPrefix);
  }
  let handles = byPrefix.get(prefix);
  if (!handles) {
    const flow = new FlowProducer({ connection: redis, prefix });
    flow.on('error', ignoreConnectionError);
    handles = { flow, queues: new Map() };
    byPrefix.set(prefix, handles);
  }
  return handles;
}

export function queueFor(redis: RedisConnection, prefix: string, queueName: string): Queue {
  const handles = handlesFor(redis, prefix);
  let queue = handles.queues.get(queueName);
  if (!queue) {
    queue = new Queue(queueName, { connection: redis, prefix });
    queue.on('error', ignoreConnectionError);
    handles.queues.set(queueName, queue);
  }
  return queue;
}

export function flowProducerFor(redis: RedisConnection, prefix: string): FlowProducer {
  return handlesFor(redis, prefix).flow;
}

/** Closes the Queue/FlowProducer objects made for this connection (not the connection itself). */
export async function closeQueueHandles(redis: RedisConnection): Promise<void> {
  const byPrefix = byConnection.get(redis);
  if (!byPrefix) return;
  byConnection.delete(redis);
  for (const handles of byPrefix.values()) {
    await Promise.allSettled([handles.flow.close(), ...[...handles.queues.values()].map((q) => q.close())]);
  }
}
