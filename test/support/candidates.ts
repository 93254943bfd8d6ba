/**
 * Candidates for the tests' nominations, each with an identity derived from its name (so the same
 * name is the same candidate across cycles, as the prior-winner rule needs).
 */
import type { Candidate } from '../../domain/programme';
import type { NominateRequest } from '../../workflows/messages';

/** A technology (先导技术 and the like). */
export const tech = (name: string, extra: Partial<Candidate> = {}): Candidate => ({
  name,
  identity: `TECH-${name}`,
  classified: false,
  ...extra,
});

/** An enterprise in good standing on the mainland, founded on `foundedOn` (YYYY-MM-DD). */
export const enterprise = (name: string, foundedOn: string): Candidate => ({
  name,
  identity: `USCC-${name}`,
  region: 'mainland',
  foundedOn,
  standing: 'good',
});

/** A request nominating technology `name` for pioneer-tech/electronics under idempotency key `key`. */
export const electronicsTech = (key: string, name: string): NominateRequest => ({
  idempotencyKey: key,
  listId: 'pioneer-tech',
  fieldId: 'electronics',
  candidate: tech(name),
});
