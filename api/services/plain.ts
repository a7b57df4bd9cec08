/** Stored documents as JSON-ready plain values: ids and dates as strings, `_id` as `id`, no `__v`. */
import { Types } from 'mongoose';

export function plain(value: unknown): unknown {
  if (value instanceof Types.ObjectId) return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '__v') continue;
      out[k === '_id' ? 'id' : k] = plain(v);
    }
    return out;
  }
  return value;
}
