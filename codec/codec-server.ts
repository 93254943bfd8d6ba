/**
 * The codec endpoint for authorised staff: the Temporal Web UI and `temporal workflow show
 * --codec-endpoint` send it encrypted payloads and show what it returns, so decrypted data reaches
 * only their browser or terminal; the server's copy stays encrypted.
 *
 * Temporal codec server protocol: `POST …/encode` and `POST …/decode` (only the last path segment
 * counts, so `/{namespace}/decode` works too), JSON `{"payloads": [...]}` in proto3 JSON (metadata
 * values and data base64). Guards, since /decode turns ciphertext back into personal data:
 * - binds to loopback by default; any other address needs a bearer token (KCZG_CODEC_TOKEN);
 * - with a token, every request needs `Authorization: Bearer <token>` (compared in constant time);
 * - browsers only from the allowed origins (KCZG_CODEC_CORS_ORIGINS, default the local dev Web UI
 *   http://localhost:8233 and http://127.0.0.1:8233); any other `Origin` is refused outright;
 * - `Cache-Control: no-store` on every answer; payload contents are never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { PayloadDecryptionError } from './aes-gcm-codec';
import { codecFromEnv } from './data-converter';
import { ACTIVE_KEY_ENV, KEYS_ENV } from './keys';

export const TOKEN_ENV = 'KCZG_CODEC_TOKEN';
export const CORS_ORIGINS_ENV = 'KCZG_CODEC_CORS_ORIGINS';
export const DEFAULT_CODEC_PORT = 8888;
export const DEFAULT_UI_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];
const MIN_TOKEN_LENGTH = 16;
const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface CodecServerOptions {
  /** Default: the KCZG_CODEC_KEYS codec (required then). */
  codec?: PayloadCodec;
  /** Default 8888; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback). */
  host?: string;
  /** Bearer token; default KCZG_CODEC_TOKEN; `null` turns the check off (loopback only). */
  token?: string | null;
  /** Browser origins allowed; default KCZG_CODEC_CORS_ORIGINS (comma-separated), else the local Web UI. */
  corsOrigins?: string[];
  /** Serve HTTPS (needed when the Web UI passes its access token: it only does so over https). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  maxBodyBytes?: number;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface CodecServer {
  /** Base URL: the Web UI's "codec server endpoint", `--ui-codec-endpoint`, `--codec-endpoint`. */
  url: string;
  host: string;
  port: number;
  corsOrigins: string[];
  tokenRequired: boolean;
  close(): Promise<void>;
}

export class CodecServerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecServerConfigError';
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function fromBase64(value: unknown, where: string): Buffer {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new BadRequest(400, `${where} is not base64`);
  return Buffer.from(value, 'base64');
}

export function payloadFromJson(json: unknown, index: number): Payload {
  if (typeof json !== 'object' || json === null)
    throw new BadRequest(400, `payloads[${index}] is not an object`);
  const { metadata, data } = json as JsonPayload;
  if (
    metadata !== undefined &&
    metadata !== null &&
    (typeof metadata !== 'object' || Array.isArray(metadata))
  ) {
    throw new BadRequest(400, `payloads[${index}].metadata is not an object`);
  }
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata ?? {}).map(([key, value]) => [
        key,
        fromBase64(value, `payloads[${index}].metadata.${key}`),
      ]),
    ),
    ...(data === undefined || data === null ? {} : { data: fromBase64(data, `payloads[${index}].data`) }),
  };
}

export function payloadToJson(payload: Payload): JsonPayload {
  const b64 = (bytes: Uint8Array) =>
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).flatMap(([key, value]) => (value ? [[key, b64(value)]] : [])),
    ),
    ...(payload.data ? { data: b64(payload.data) } : {}),
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BadRequest(413, `request body is larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts the codec endpoint; resolves once it listens. */
export async function startCodecServer(options: CodecServerOptions = {}): Promise<CodecServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const codec = options.codec ?? codecFromEnv(env);
  if (!codec) {
    throw new CodecServerConfigError(
      `the codec server needs the keys the workers use: set ${KEYS_ENV} (and ${ACTIVE_KEY_ENV})`,
    );
  }
  const host = options.host ?? '127.0.0.1';
  const token =
    options.token === undefined ? env[TOKEN_ENV]?.trim() || undefined : (options.token ?? undefined);
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new CodecServerConfigError(
      `${TOKEN_ENV} is shorter than ${MIN_TOKEN_LENGTH} characters (generate one with: openssl rand -hex 32)`,
    );
  }
  if (!token && !isLoopback(host)) {
    throw new CodecServerConfigError(
      `refusing to serve decrypted payloads on ${host} without a token: set ${TOKEN_ENV}, or bind to 127.0.0.1`,
    );
  }
  const corsOrigins =
    options.corsOrigins ??
    (env[CORS_ORIGINS_ENV]?.split(',')
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter(Boolean) ||
      DEFAULT_UI_ORIGINS);
  const allowed = new Set(corsOrigins);
  const expected = token === undefined ? undefined : digest(token);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const origin = req.headers.origin;
    const allowedOrigin = origin !== undefined && allowed.has(origin) ? origin : undefined;
    const headers: Record<string, string> = {
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      Vary: 'Origin',
      ...(allowedOrigin
        ? { 'Access-Control-Allow-Origin': allowedOrigin, 'Access-Control-Allow-Credentials': 'true' }
        : {}),
    };
    const send = (status: number, body?: unknown, extra: Record<string, string> = {}) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, {
        ...headers,
        ...extra,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
      });
      res.end(text);
    };
    const refuse = (status: number, error: string, extra: Record<string, string> = {}) => {
      log(`codec server: ${status} ${req.method} ${req.url?.split('?')[0]}: ${error}`);
      send(status, { error }, extra);
    };

    const path = new URL(req.url ?? '/', 'http://codec.invalid').pathname;
    const operation = /\/(encode|decode)\/?$/.exec(path)?.[1] as 'encode' | 'decode' | undefined;
    if (!operation) return refuse(404, 'not found: POST /encode or /decode');
    if (origin !== undefined && !allowedOrigin) {
      return refuse(403, `origin ${JSON.stringify(origin)} is not allowed (${CORS_ORIGINS_ENV})`);
    }
    if (req.method === 'OPTIONS') {
      return send(204, undefined, {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
        'Access-Control-Max-Age': '600',
      });
    }
    if (req.method !== 'POST') return refuse(405, 'use POST', { Allow: 'POST, OPTIONS' });
    if (expected) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (!match || !timingSafeEqual(digest(match[1]), expected)) {
        return refuse(401, 'a valid bearer token is required', {
          'WWW-Authenticate': 'Bearer realm="kczg-codec"',
        });
      }
    }
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return refuse(415, 'Content-Type must be application/json');
    }
    try {
      let request: unknown;
      try {
        request = JSON.parse((await readBody(req, maxBody)).toString('utf8'));
      } catch (error) {
        if (error instanceof BadRequest) throw error;
        throw new BadRequest(400, 'body is not JSON');
      }
      const list = (request as { payloads?: unknown } | null)?.payloads;
      if (!Array.isArray(list)) throw new BadRequest(400, 'body must be {"payloads": [...]}');
      const payloads = list.map((p, i) => payloadFromJson(p, i));
      const result = operation === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
      send(200, { payloads: result.map(payloadToJson) });
    } catch (error) {
      if (error instanceof BadRequest) return refuse(error.status, error.message);
      if (error instanceof PayloadDecryptionError) return refuse(400, error.message);
      refuse(500, `${operation} failed`);
    }
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const server = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_CODEC_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`;
  log(
    `codec server ${url}: POST /encode, /decode; token ${token ? 'required' : 'not required (loopback)'}; ` +
      `browser origins ${corsOrigins.join(', ') || '(none)'}`,
  );
  return {
    url,
    host,
    port,
    corsOrigins,
    tokenRequired: token !== undefined,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
