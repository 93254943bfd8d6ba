/**
 * The payload codec on its own (no Temporal server): AES-256-GCM round trip in the samples'
 * format, tamper detection, key rotation, clear errors for unknown keys and bad settings, failure
 * messages carried encrypted, and the codec endpoint over HTTP on loopback.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import {
  ApplicationFailure,
  defaultPayloadConverter,
  METADATA_ENCODING_KEY,
  type Payload,
} from '@temporalio/common';
import {
  decodeFailure,
  encodeErrorToFailure,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import {
  AesGcmCodec,
  ENCODING_ENCRYPTED,
  METADATA_KEY_ID,
  PayloadDecryptionError,
} from '../../codec/aes-gcm-codec';
import { startCodecServer, type CodecServer } from '../../codec/codec-server';
import {
  encryptingDataConverter,
  resolveCodecChoice,
  resolveEmbeddedCodec,
} from '../../codec/data-converter';
import { CodecConfigError, ephemeralKeyring, keyringFromEnv, keyringOf } from '../../codec/keys';

const str = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const candidate = { name: '张三', identity: '110101199003077777', email: 'zhangsan@example.org' };
const key = () => randomBytes(32);
const envKeys = (keys: Record<string, Buffer>) =>
  Object.entries(keys)
    .map(([id, k]) => `${id}:${k.toString('base64')}`)
    .join(',');

function plainPayload(value: unknown = candidate): Payload {
  return defaultPayloadConverter.toPayload(value);
}

describe('AesGcmCodec', () => {
  const k1 = key();
  const codec = new AesGcmCodec(keyringOf({ k1 }, 'k1'));

  it('round-trips payloads in the samples format: iv | ciphertext | tag of the serialised payload', async () => {
    const original = plainPayload();
    const [encoded] = await codec.encode([original]);
    expect(str(encoded.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCODING_ENCRYPTED);
    expect(str(encoded.metadata?.[METADATA_KEY_ID])).toBe('k1');
    expect(Object.keys(encoded.metadata ?? {}).sort()).toEqual(
      [METADATA_ENCODING_KEY, METADATA_KEY_ID].sort(),
    );
    const serialised = temporal.api.common.v1.Payload.encode(original).finish();
    expect(encoded.data?.byteLength).toBe(12 + serialised.byteLength + 16);
    expect(Buffer.from(encoded.data!).includes(Buffer.from('张三'))).toBe(false);
    expect(Buffer.from(encoded.data!).includes(Buffer.from('json/plain'))).toBe(false);

    const [decoded] = await codec.decode([encoded]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(candidate);
    expect(Buffer.from(temporal.api.common.v1.Payload.encode(decoded).finish())).toEqual(
      Buffer.from(serialised),
    );

    // A fresh IV each time: the same value never encrypts to the same bytes.
    const [again] = await codec.encode([original]);
    expect(Buffer.from(again.data!).equals(Buffer.from(encoded.data!))).toBe(false);
    // Empty batches and binary/null payloads are fine too.
    expect(await codec.encode([])).toEqual([]);
    const [nullPayload] = await codec.decode(
      await codec.encode([defaultPayloadConverter.toPayload(undefined)]),
    );
    expect(defaultPayloadConverter.fromPayload(nullPayload)).toBeUndefined();
  });

  it('passes unencrypted payloads through on decode (histories recorded before encryption)', async () => {
    const original = plainPayload({ recorded: 'before encryption' });
    const [decoded] = await codec.decode([original]);
    expect(decoded).toBe(original);
  });

  it('detects tampering: flipping any byte of iv, ciphertext or tag fails decode', async () => {
    const [encoded] = await codec.encode([plainPayload()]);
    const bytes = Buffer.from(encoded.data!);
    for (const index of [0, 11, 12, Math.floor(bytes.length / 2), bytes.length - 17, bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[index] ^= 0x01;
      await expect(codec.decode([{ ...encoded, data: tampered }])).rejects.toThrow(
        /failed authentication with key id "k1"/,
      );
    }
    await expect(codec.decode([{ ...encoded, data: bytes.subarray(0, 20) }])).rejects.toThrow(/too short/);
    // A payload relabelled to another configured key fails too.
    const both = new AesGcmCodec(keyringOf({ k1, k2: key() }, 'k1'));
    const relabelled = {
      ...encoded,
      metadata: { ...encoded.metadata, [METADATA_KEY_ID]: Buffer.from('k2') },
    };
    await expect(both.decode([relabelled])).rejects.toBeInstanceOf(PayloadDecryptionError);
    const noKeyId = { ...encoded, metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCODING_ENCRYPTED) } };
    await expect(codec.decode([noKeyId])).rejects.toThrow(/no "encryption-key-id"/);
  });

  it('rotates keys: old payloads decode while the old key is listed; new payloads use the active key', async () => {
    const old = key();
    const next = key();
    const before = new AesGcmCodec(keyringFromEnv({ KCZG_CODEC_KEYS: envKeys({ k2023: old }) })!);
    expect(before.activeKeyId).toBe('k2023');
    const [written2023] = await before.encode([plainPayload()]);

    const rotated = new AesGcmCodec(
      keyringFromEnv({ KCZG_CODEC_KEYS: envKeys({ k2023: old, k2024: next }), KCZG_CODEC_KEY_ID: 'k2024' })!,
    );
    const [decoded] = await rotated.decode([written2023]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(candidate);
    const [written2024] = await rotated.encode([plainPayload()]);
    expect(str(written2024.metadata?.[METADATA_KEY_ID])).toBe('k2024');
    // Only the new key: the new payload still decodes; the old one names the missing key id.
    const newOnly = new AesGcmCodec(keyringFromEnv({ KCZG_CODEC_KEYS: envKeys({ k2024: next }) })!);
    expect(defaultPayloadConverter.fromPayload((await newOnly.decode([written2024]))[0])).toEqual(candidate);
    await expect(newOnly.decode([written2023])).rejects.toThrow(
      /key id "k2023", which is not in KCZG_CODEC_KEYS\. Add "k2023:<base64 key>" to KCZG_CODEC_KEYS \(configured: k2024\)/,
    );
  });

  it('names the key id and the variable for a payload from an unknown key, also with an ephemeral key', async () => {
    const [foreign] = await new AesGcmCodec(keyringOf({ 'other-team': key() }, 'other-team')).encode([
      plainPayload(),
    ]);
    const error = await codec.decode([foreign]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadDecryptionError);
    expect((error as PayloadDecryptionError).keyId).toBe('other-team');
    expect((error as Error).message).toMatch(/"other-team".*KCZG_CODEC_KEYS/);
    const ephemeral = new AesGcmCodec(ephemeralKeyring());
    expect(ephemeral.ephemeral).toBe(true);
    expect(ephemeral.activeKeyId).toMatch(/^ephemeral-[0-9a-f]{8}$/);
    await expect(ephemeral.decode([foreign])).rejects.toThrow(/ephemeral key .*KCZG_CODEC_KEY_ID/);
  });
});

describe('keys from the environment', () => {
  it('reads keyId:base64 lists, picks the active key, and needs KCZG_CODEC_KEY_ID when several are listed', () => {
    expect(keyringFromEnv({})).toBeUndefined();
    const a = key();
    const b = key();
    const single = keyringFromEnv({ KCZG_CODEC_KEYS: ` a:${a.toString('base64')} ` })!;
    expect(single.activeKeyId).toBe('a');
    // URL-safe, unpadded base64 is accepted as well.
    const urlSafe = keyringFromEnv({ KCZG_CODEC_KEYS: `a:${a.toString('base64url')}` })!;
    expect(urlSafe.keys.get('a')!.export()).toEqual(a);
    expect(() => keyringFromEnv({ KCZG_CODEC_KEYS: envKeys({ a, b }) })).toThrow(
      /KCZG_CODEC_KEY_ID must name/,
    );
    expect(keyringFromEnv({ KCZG_CODEC_KEYS: envKeys({ a, b }), KCZG_CODEC_KEY_ID: 'b' })!.activeKeyId).toBe(
      'b',
    );
  });

  it('rejects malformed settings without echoing key material, and never falls back to plaintext', () => {
    const short = randomBytes(16).toString('base64');
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ KCZG_CODEC_KEYS: `a:${short}` }, /key "a" is 16 bytes; AES-256 needs exactly 32/],
      [{ KCZG_CODEC_KEYS: 'a:not base64!' }, /key "a" is not valid base64/],
      [{ KCZG_CODEC_KEYS: Buffer.alloc(32, 7).toString('base64') }, /entry 1 is not "keyId:base64key"/],
      [{ KCZG_CODEC_KEYS: `a:${Buffer.alloc(32).toString('base64')}` }, /all zero bytes/],
      [
        { KCZG_CODEC_KEYS: envKeys({ a: key() }), KCZG_CODEC_KEY_ID: 'b' },
        /KCZG_CODEC_KEY_ID="b" is not a key id/,
      ],
      [{ KCZG_CODEC_KEY_ID: 'a' }, /KCZG_CODEC_KEY_ID="a" is set but KCZG_CODEC_KEYS is empty/],
      [{ KCZG_CODEC_KEYS: `a:${key().toString('base64')},a:${key().toString('base64')}` }, /listed twice/],
    ];
    for (const [env, message] of cases) {
      let error: unknown;
      try {
        keyringFromEnv(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CodecConfigError);
      expect((error as Error).message).toMatch(message);
      const material = (env.KCZG_CODEC_KEYS ?? '').split(',').map((e) => e.split(':').pop() ?? '');
      for (const secret of material.filter((m) => m.length >= 20)) {
        expect((error as Error).message).not.toContain(secret);
      }
      expect(() => resolveCodecChoice(undefined, env, () => undefined)).toThrow(CodecConfigError);
    }
  });

  it('clients without keys run unencrypted and warn once; the embedded stack falls back to an ephemeral key', () => {
    const lines: string[] = [];
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require('../../codec/data-converter') as typeof import('../../codec/data-converter');
      expect(fresh.resolveCodecChoice(undefined, {}, (t) => lines.push(t))).toBe('none');
      expect(fresh.resolveCodecChoice(undefined, {}, (t) => lines.push(t))).toBe('none');
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/KCZG_CODEC_KEYS .*UNENCRYPTED/);
    const configured = resolveCodecChoice(undefined, { KCZG_CODEC_KEYS: envKeys({ live: key() }) }, () => {
      throw new Error('no warning expected');
    });
    expect(configured).toBeInstanceOf(AesGcmCodec);
    expect((configured as AesGcmCodec).activeKeyId).toBe('live');

    const logs: string[] = [];
    const embedded = resolveEmbeddedCodec({}, (line) => logs.push(line));
    expect(embedded.ephemeral).toBe(true);
    expect(logs.join('\n')).toMatch(/ephemeral key \(ephemeral-[0-9a-f]{8}\)/);
  });
});

describe('failures through the encrypting data converter', () => {
  it('carries failure messages and stack traces only inside encrypted payloads', async () => {
    const codec = new AesGcmCodec(keyringOf({ k1: key() }, 'k1'));
    const converter = loadDataConverter(encryptingDataConverter(codec));
    const failure = await encodeErrorToFailure(
      converter,
      ApplicationFailure.create({
        message: 'SMTP server asked to try later (451): <zhangsan@example.org> greylisted',
        type: 'SMTP_TRANSIENT',
        details: [candidate],
      }),
    );
    const wire = Buffer.from(temporal.api.failure.v1.Failure.encode(failure).finish());
    expect(failure.message).toBe('Encoded failure');
    expect(wire.includes(Buffer.from('zhangsan@example.org'))).toBe(false);
    expect(wire.includes(Buffer.from('张三'))).toBe(false);
    expect(str(failure.encodedAttributes?.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCODING_ENCRYPTED);

    const decoded = converter.failureConverter.failureToError(
      await decodeFailure(converter.payloadCodecs, failure),
      converter.payloadConverter,
    ) as ApplicationFailure;
    expect(decoded.message).toMatch(/<zhangsan@example.org> greylisted/);
    expect(decoded.type).toBe('SMTP_TRANSIENT');
    expect(decoded.details).toEqual([candidate]);
  });
});

describe('codec server', () => {
  const token = randomBytes(24).toString('hex');
  const codec = new AesGcmCodec(keyringOf({ k1: key() }, 'k1'));
  let server: CodecServer;
  beforeAll(async () => {
    server = await startCodecServer({ codec, port: 0, token, corsOrigins: ['http://localhost:8233'] });
  });
  afterAll(async () => {
    await server?.close();
  });

  function request(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      const req = http.request(
        `${server.url}${path}`,
        {
          method,
          headers: {
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
            'Content-Length': Buffer.byteLength(text),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, json: raw ? JSON.parse(raw) : {} });
          });
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  }
  /** A POST with a body exactly as given (the CLI's `{}`, an empty body). */
  function rawRequest(
    path: string,
    body: string,
    headers: Record<string, string>,
    contentType: string | undefined = 'application/json',
  ): Promise<{ status: number; json: unknown }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${server.url}${path}`,
        { method: 'POST', headers: { ...(contentType ? { 'Content-Type': contentType } : {}), ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, json: raw ? JSON.parse(raw) : undefined });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  const toJson = (p: Payload) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
    data: b64(p.data!),
  });
  const auth = { Authorization: `Bearer ${token}` };

  it('encodes and decodes over HTTP on loopback, per the codec server protocol', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.tokenRequired).toBe(true);
    const plain = plainPayload();
    const encoded = await request('POST', '/encode', { payloads: [toJson(plain)] }, auth);
    expect(encoded.status).toBe(200);
    expect(encoded.headers['cache-control']).toBe('no-store');
    const [encrypted] = encoded.json.payloads as { metadata: Record<string, string>; data: string }[];
    expect(Buffer.from(encrypted.metadata.encoding, 'base64').toString()).toBe(ENCODING_ENCRYPTED);
    expect(Buffer.from(encrypted.metadata[METADATA_KEY_ID], 'base64').toString()).toBe('k1');

    // What the UI sends: the namespace in the path or in X-Namespace, the UI origin.
    const decoded = await request('POST', '/default/decode', encoded.json, {
      ...auth,
      'X-Namespace': 'default',
      Origin: 'http://localhost:8233',
    });
    expect(decoded.status).toBe(200);
    expect(decoded.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    expect(decoded.json).toEqual({ payloads: [toJson(plain)] });

    // Payloads the workers' codec wrote decode the same way.
    const [fromWorker] = await codec.encode([plain]);
    const viaServer = await request('POST', '/decode', { payloads: [toJson(fromWorker)] }, auth);
    expect(viaServer.json).toEqual({ payloads: [toJson(plain)] });
  });

  it('rejects a missing or bad token, a foreign origin, tampered payloads and wrong methods', async () => {
    const [encrypted] = await codec.encode([plainPayload()]);
    const body = { payloads: [toJson(encrypted)] };
    const none = await request('POST', '/decode', body);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.json).not.toHaveProperty('payloads');
    const bad = await request('POST', '/decode', body, { Authorization: `Bearer ${token.slice(1)}x` });
    expect(bad.status).toBe(401);
    expect(JSON.stringify(bad.json)).not.toContain('张三');

    const foreign = await request('POST', '/decode', body, { ...auth, Origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();

    const preflight = await request('OPTIONS', '/decode', undefined, {
      Origin: 'http://localhost:8233',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,x-namespace,authorization',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/X-Namespace/);

    const tampered = Buffer.from(encrypted.data!);
    tampered[tampered.length - 1] ^= 0xff;
    const altered = await request(
      'POST',
      '/decode',
      { payloads: [{ ...toJson(encrypted), data: b64(tampered) }] },
      auth,
    );
    expect(altered.status).toBe(400);
    expect(String(altered.json.error)).toMatch(/failed authentication/);

    expect((await request('GET', '/decode', undefined, auth)).status).toBe(405);
    expect((await request('POST', '/elsewhere', body, auth)).status).toBe(404);
    expect((await request('POST', '/decode', { nope: true }, auth)).status).toBe(400);
    expect((await request('POST', '/decode', 'x', { ...auth, 'Content-Type': 'text/plain' })).status).toBe(
      415,
    );
  });

  it('accepts what the temporal CLI and the Web UI send: an empty body, {} and null payloads', async () => {
    // The Go SDK's remote codec marshals an empty argument list (every `workflow query`) as `{}`.
    for (const body of ['', '{}', '{"payloads":null}', '{"payloads":[]}']) {
      const answer = await rawRequest('/encode', body, { ...auth, 'X-Namespace': 'default' });
      expect({ body, status: answer.status, json: answer.json }).toEqual({
        body,
        status: 200,
        json: { payloads: [] },
      });
    }
    // An empty body needs no Content-Type; a non-empty one must be JSON.
    expect((await rawRequest('/decode', '', auth, undefined)).status).toBe(200);
    expect((await rawRequest('/decode', '[]', auth)).status).toBe(400);
    expect((await rawRequest('/decode', '{"payloads":{}}', auth)).status).toBe(400);
  });

  it('answers the Web UI preflight with its headers, credentials and private network access', async () => {
    const preflight = await request('OPTIONS', '/default/decode', undefined, {
      Origin: 'http://localhost:8233',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,x-namespace,authorization,authorization-extras',
      'Access-Control-Request-Private-Network': 'true',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(preflight.headers['access-control-allow-methods']).toBe('POST, OPTIONS');
    const allowedHeaders = String(preflight.headers['access-control-allow-headers']).toLowerCase();
    for (const header of ['content-type', 'x-namespace', 'authorization', 'authorization-extras']) {
      expect(allowedHeaders).toContain(header);
    }
    expect(preflight.headers['access-control-allow-private-network']).toBe('true');
  });

  it('serves only the configured namespaces (X-Namespace) when KCZG_CODEC_NAMESPACES is set', async () => {
    const encodeStatus = (url: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          `${url}/encode`,
          { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end('{}');
      });
    const limited = await startCodecServer({
      codec,
      port: 0,
      token: null,
      env: { KCZG_CODEC_NAMESPACES: 'kczg-prod, kczg-staging' },
    });
    const defaultOnly = await startCodecServer({ codec, port: 0, token: null, namespaces: ['default'] });
    try {
      expect(limited.namespaces).toEqual(['kczg-prod', 'kczg-staging']);
      expect(await encodeStatus(limited.url, { 'X-Namespace': 'kczg-staging' })).toBe(200);
      expect(await encodeStatus(limited.url, { 'X-Namespace': 'default' })).toBe(403);
      expect(await encodeStatus(limited.url, {})).toBe(403);
      // The temporal CLI without --namespace sends an empty X-Namespace: the default namespace.
      expect(await encodeStatus(limited.url, { 'X-Namespace': '' })).toBe(403);
      expect(await encodeStatus(defaultOnly.url, { 'X-Namespace': '' })).toBe(200);
    } finally {
      await limited.close();
      await defaultOnly.close();
    }
    expect(server.namespaces).toEqual([]);
  });

  it('refuses to serve beyond loopback without a token, or with a short token, or without keys', async () => {
    await expect(startCodecServer({ codec, port: 0, host: '0.0.0.0', token: null })).rejects.toThrow(
      /without a token/,
    );
    await expect(startCodecServer({ codec, port: 0, token: 'short' })).rejects.toThrow(/shorter than 16/);
    await expect(startCodecServer({ port: 0, env: {} })).rejects.toThrow(/KCZG_CODEC_KEYS/);
  });
});
