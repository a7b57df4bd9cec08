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
const byConnection = new WeakMap<RedisConnection, Map<string, Handles>>();

function handlesFor(redis: RedisConnection, prefix: string): Handles {
  let byPrefix = byConnection.get(redis);
  if (!byPrefix) {
    byPrefix = new Map();
    byConnection.set(redis, byPrefix);
  }
  let handles = byPrefix.get(prefix);
  if (!handles) {
    handles = { flow: new FlowProducer({ connection: redis, prefix }), queues: new Map() };
    byPrefix.set(prefix, handles);
  }
  return handles;
}

export function queueFor(redis: RedisConnection, prefix: string, queueName: string): Queue {
  const handles = handlesFor(redis, prefix);
  let queue = handles.queues.get(queueName);
  if (!queue) {
    queue = new Queue(queueName, { connection: redis, prefix });
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
