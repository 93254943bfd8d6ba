/**
 * Candidates for the tests' nominations, each with an identity derived from its name (so the same
 * name is the same candidate across cycles, as the prior-winner rule needs), and the dossiers
 * their parts' forms ask for.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Dossier } from '../../domain/dossier';
import { formFor } from '../../domain/forms';
import { sampleDossier } from '../../domain/forms-sample';
import type { Candidate, Programme } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';
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

/**
 * A dossier that passes the form of a part of `programme` (a preset id or the programme): sample
 * answers, every declaration affirmed, placeholder attachment references.
 */
export function dossierFor(programme: string | Programme, listId: string, fieldId?: string): Dossier {
  const p = typeof programme === 'string' ? loadProgramme(programme) : programme;
  const list = p.lists.find((l) => l.id === listId);
  const form = list && formFor(list, fieldId);
  if (!form) throw new Error(`${p.id}: ${listId}/${fieldId ?? '-'} has no form`);
  return sampleDossier(form);
}

/** The dossier of dossierFor written as `<dir>/<name>.json`, for `kczg nominate --dossier`; its path. */
export function dossierFile(
  dir: string,
  name: string,
  programme: string | Programme,
  listId: string,
  fieldId?: string,
): string {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(dossierFor(programme, listId, fieldId), null, 2));
  return file;
}

/**
 * A request nominating technology `name` for pioneer-tech/electronics of `programme` (the
 * preset national-2023 by default) under idempotency key `key`, with its dossier.
 */
export const electronicsTech = (
  key: string,
  name: string,
  programme: string | Programme = 'national-2023',
): NominateRequest => ({
  idempotencyKey: key,
  listId: 'pioneer-tech',
  fieldId: 'electronics',
  candidate: tech(name),
  dossier: dossierFor(programme, 'pioneer-tech', 'electronics'),
});
