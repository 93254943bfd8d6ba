/**
 * Where a unit workflow came from. Anyone who can call Temporal can start a workflow under a
 * unit's id before its cycle does (with no credential key, other quotas, another cycle's key);
 * the cycle's start then finds the id taken. So each unit answers `unitOrigin` with its cycle, its
 * unit, its key and a digest of the rest of its input, and the cycle's start compares that with
 * the input it would give (activities/entities.ts startOwnUnits), as the cycle checks a review
 * body's cycle and key before it counts its report (activities/confirmations.ts).
 *
 * Pure and deterministic: the digest is computed in the workflow (no crypto there) and in the
 * activity, from the same JSON. Prior winners are left out: the registry may grow between two
 * attempts of the starting activity, and a genuine unit must never look foreign.
 */
import { defineQuery } from '@temporalio/workflow';
import type { UnitInput } from '../messages';

export interface UnitOrigin {
  cycleId: string;
  unitId: string;
  authPublicKey?: string;
  /** Digest of the unit record, programme, opening and clock offset the unit was started with. */
  inputDigest: string;
}

export const unitOriginQuery = defineQuery<UnitOrigin>('unitOrigin');

/** cyrb53 (public domain): a 53-bit string hash, deterministic in every JS runtime. */
function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

type OriginInput = Pick<
  UnitInput,
  'cycleId' | 'unit' | 'programme' | 'collectionOpensAt' | 'clockOffsetMs' | 'authPublicKey'
>;

export function originOf(input: OriginInput): UnitOrigin {
  const text = JSON.stringify([
    input.cycleId,
    input.unit,
    input.programme,
    input.collectionOpensAt,
    input.clockOffsetMs,
    input.authPublicKey ?? null,
  ]);
  // Two seeds: 106 bits, so no one crafts an input that passes for the cycle's.
  const inputDigest = `${cyrb53(text, 1).toString(16)}.${cyrb53(text, 2).toString(16)}`;
  return {
    cycleId: input.cycleId,
    unitId: input.unit.id,
    ...(input.authPublicKey !== undefined ? { authPublicKey: input.authPublicKey } : {}),
    inputDigest,
  };
}

/** Why `found` is not the unit the cycle starts, or undefined when it is. */
export function foreignReason(found: UnitOrigin, expected: UnitOrigin): string | undefined {
  if (found.cycleId !== expected.cycleId) return `started for another cycle (${found.cycleId})`;
  if (found.unitId !== expected.unitId) return `started for another unit (${found.unitId})`;
  if (found.authPublicKey !== expected.authPublicKey) return 'started with another credential key';
  if (found.inputDigest !== expected.inputDigest) return 'started with another programme or window';
  return undefined;
}
