/**
 * The secretariat's side of credentials: an Ed25519 key pair (public key in the cycle, private key
 * kept by the secretariat) and signed, scoped, expiring tokens for each party.
 * Verification lives in domain/credentials.ts and runs in the client and in the workflows.
 */
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { base64UrlDecode, base64UrlEncode, type CredentialClaims, type Party } from '../domain/credentials';

export interface AuthKeyPair {
  /** Raw 32-byte Ed25519 public key, base64url: goes into the cycle (KCZG_AUTH_PUBLIC_KEY). */
  publicKey: string;
  /** PKCS#8 DER, base64url: stays with the secretariat (KCZG_AUTH_PRIVATE_KEY). */
  privateKey: string;
}

export function generateAuthKeyPair(): AuthKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    publicKey: base64UrlEncode(spki.subarray(spki.length - 32)),
    privateKey: base64UrlEncode(privateKey.export({ format: 'der', type: 'pkcs8' })),
  };
}

export function issueCredential(args: {
  privateKey: string;
  cycle: string;
  party: Party;
  validForMs: number;
  now?: number;
}): string {
  const iat = args.now ?? Date.now();
  const claims: CredentialClaims = {
    v: 1,
    cycle: args.cycle,
    party: args.party,
    iat,
    exp: iat + args.validForMs,
  };
  const payload = new TextEncoder().encode(JSON.stringify(claims));
  const der = base64UrlDecode(args.privateKey);
  if (!der) throw new Error('KCZG_AUTH_PRIVATE_KEY 不是有效的 base64url / is not valid base64url');
  const key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  return `${base64UrlEncode(payload)}.${base64UrlEncode(sign(null, payload, key))}`;
}
