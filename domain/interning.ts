/**
 * One copy per workflow thread of the large inputs many workflows carry alike: every unit of a
 * cycle starts with the same programme (its lists, forms, rules and reminders: ~20 KB of JSON that
 * decodes to far more heap) and the same winners registry. The workflow bundle preloads domain/
 * (scripts/bundle-workflows.ts), so this module, and its table, is shared by every workflow on
 * the thread; outside that bundle each workflow simply has a table of its own.
 *
 * Sharing cannot change what a workflow computes: an entry is found only by its full content, and
 * it is frozen, so no workflow can change what another one reads. The table keeps the most recent
 * few distinct values (a worker serves a handful of programmes at a time).
 */

const MAX_ENTRIES = 16;
const table = new Map<string, unknown>();

/** `value`, or the frozen copy of equal content already held (then `value` is left to the GC). */
export function interned<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  const key = JSON.stringify(value);
  const held = table.get(key);
  if (held !== undefined) {
    // Most recently used last: the oldest entry is the one to drop.
    table.delete(key);
    table.set(key, held);
    return held as T;
  }
  if (table.size >= MAX_ENTRIES) table.delete(table.keys().next().value as string);
  const frozen = deepFrozen(value);
  table.set(key, frozen);
  return frozen;
}

function deepFrozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFrozen(child);
  }
  return value;
}
