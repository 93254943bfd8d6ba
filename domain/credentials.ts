/**
 * Credentials: the secretariat signs, for one party of one cycle, a short claim with an expiry
 * (Ed25519). Workflows verify them with the cycle's public key only, so no secret ever sits in a
 * history, and someone who calls Temporal directly still cannot act for another party.
 * Pure and deterministic (usable in workflow code): no Node APIs.
 */
import type * as NobleEd25519 from '@noble/curves/ed25519';
import type { Rejection } from './rejections';

/** An expert acts within one review body's panel: `expert:<bodyId>/<expertId>`. */
export type Party =
  | { kind: 'unit'; id: string }
  | { kind: 'body'; id: string }
  | { kind: 'expert'; body: string; id: string }
  | { kind: 'secretariat' }
  | { kind: 'final' };

export interface CredentialClaims {
  v: 1;
  /** The cycle (workflow id) the credential is valid for. */
  cycle: string;
  party: Party;
  /** Issued at and expires at, epoch ms (real time). */
  iat: number;
  exp: number;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function base64UrlEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) out += ALPHABET[(n >> (18 - 6 * j)) & 63];
  }
  return out;
}

export function base64UrlDecode(text: string): Uint8Array | undefined {
  const clean = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) return undefined;
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 255);
    }
  }
  return Uint8Array.from(bytes);
}

export function partyLabel(party: Party): string {
  if (party.kind === 'expert') return `expert:${party.body}/${party.id}`;
  return party.kind === 'unit' || party.kind === 'body' ? `${party.kind}:${party.id}` : party.kind;
}

/** "unit:cie", "body:ittn", "expert:ittn/e01", "secretariat", "final" → Party. */
export function parseParty(label: string): Party | undefined {
  const [kind, id] = label.split(':');
  if ((kind === 'unit' || kind === 'body') && id) return { kind, id };
  if (kind === 'expert' && id) {
    const [body, expert, ...rest] = id.split('/');
    return body && expert && rest.length === 0 ? { kind, body, id: expert } : undefined;
  }
  if ((kind === 'secretariat' || kind === 'final') && id === undefined) return { kind };
  return undefined;
}

/** The claims of a token, unverified (clients use it to catch mistakes early). */
export function readClaims(token: string): CredentialClaims | undefined {
  const [payload] = token.split('.');
  const bytes = payload ? base64UrlDecode(payload) : undefined;
  if (!bytes) return undefined;
  try {
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as CredentialClaims;
    return claims?.v === 1 &&
      typeof claims.cycle === 'string' &&
      typeof claims.exp === 'number' &&
      claims.party
      ? claims
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The curve, loaded on the first check rather than on import: every workflow instantiates the
 * modules it imports (the SDK's reusable V8 context), and the curve costs hundreds of KiB per
 * cached workflow, which cycles without credentials never need.
 */
function curve(): typeof NobleEd25519.ed25519 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy, see above
  return (require('@noble/curves/ed25519') as typeof NobleEd25519).ed25519;
}

/** A malformed key or signature is simply not a valid signature. */
function verifies(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return curve().verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

function refuse(message: string, fix: string): Rejection {
  return { code: 'NOT_ALLOWED', field: 'credential', rule: 'credential', message, fix };
}

/**
 * Checks a token for an action by `allowed` parties on `cycle` at `now`. Returns the refusal, or
 * undefined when the credential holds. The secretariat may act for every party.
 */
export function checkCredential(args: {
  token: unknown;
  publicKey: string;
  cycle: string;
  allowed: Party[];
  now: number;
  verifySignature?: boolean;
}): Rejection | undefined {
  const fix = '向秘书处申领本方的有效凭证 / ask the secretariat for a valid credential for your party';
  if (typeof args.token !== 'string' || !args.token)
    return refuse('缺少凭证 / a credential is required for this action', fix);
  const [payload, signature] = args.token.split('.');
  const claims = readClaims(args.token);
  const payloadBytes = payload ? base64UrlDecode(payload) : undefined;
  const signatureBytes = signature ? base64UrlDecode(signature) : undefined;
  const key = base64UrlDecode(args.publicKey);
  if (!claims || !payloadBytes || !signatureBytes || !key)
    return refuse('凭证格式无效 / the credential is malformed', fix);
  if (args.verifySignature !== false) {
    if (!verifies(signatureBytes, payloadBytes, key))
      return refuse('凭证签名无效 / the credential’s signature is not valid', fix);
  }
  if (claims.cycle !== args.cycle)
    return refuse(`凭证属于另一周期 ${claims.cycle} / the credential is for another cycle`, fix);
  if (claims.exp <= args.now) return refuse('凭证已过期 / the credential has expired', fix);
  const holder = partyLabel(claims.party);
  const permitted = claims.party.kind === 'secretariat' || args.allowed.some((p) => partyLabel(p) === holder);
  if (!permitted) {
    return refuse(
      `凭证持有方 ${holder} 无权执行此操作（需 ${args.allowed.map(partyLabel).join(' / ')}）/ ${holder} may not act for ${args.allowed.map(partyLabel).join(' or ')}`,
      fix,
    );
  }
  return undefined;
}
