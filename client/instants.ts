/**
 * Instants in `--json` output: RFC 3339 with the Beijing offset (+08:00), the convention of
 * Temporal's CLI, jq users and spreadsheets. The typed results keep epoch milliseconds; the CLI
 * converts them on the way out, beside the display strings ("2023-11-30 24:00") they already carry.
 */

const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** "2023-12-01T00:00:00+08:00" (milliseconds only when there are any). China keeps no DST. */
export function rfc3339Beijing(epochMs: number): string {
  const iso = new Date(epochMs + BEIJING_OFFSET_MS).toISOString(); // …T00:00:00.000Z, read as Beijing
  const [seconds, millis] = iso.slice(0, -1).split('.');
  return `${seconds}${millis === '000' ? '' : `.${millis}`}+08:00`;
}

/**
 * Which numbers are instants: keys ending in `At` or `Until` (collectionClosesAt, promotionUntil),
 * and `at`, `now`, `until`. Durations say so in their names (clockOffsetMs, wallSeconds).
 */
const INSTANT_KEY = /(?:At|Until)$|^(?:at|now|until)$/;
/** Records whose values are instants, keyed by an id (unitExtensions: unit id → new deadline). */
const INSTANT_RECORDS = new Set(['unitExtensions']);

/** A copy of `value` with every instant (by the naming rule above) as an RFC 3339 string. */
export function withRfc3339Instants(value: unknown, key = '', inRecord = false): unknown {
  if (typeof value === 'number') {
    return (inRecord || INSTANT_KEY.test(key)) && Number.isFinite(value) ? rfc3339Beijing(value) : value;
  }
  if (Array.isArray(value)) return value.map((item) => withRfc3339Instants(item, key));
  if (value === null || typeof value !== 'object') return value;
  const record = INSTANT_RECORDS.has(key);
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, withRfc3339Instants(v, k, record)]),
  );
}
