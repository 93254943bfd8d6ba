/**
 * The codec endpoint for authorised staff: the Temporal Web UI and `temporal workflow show
 * --codec-endpoint` send it encrypted payloads and show what it returns, so decrypted data reaches
 * only their browser or terminal; the server's copy stays encrypted.
 *
 * Temporal codec server protocol, as the `temporal` CLI (Go SDK remote codec) and the Web UI speak
 * it: `POST …/encode` and `POST …/decode` (only the last path segment counts, so an endpoint with
 * `/{namespace}/` in it works too), JSON `{"payloads": [...]}` (metadata values and data base64),
 * the namespace in `X-Namespace`. The CLI encodes an empty argument list (every `workflow query`)
 * as `{}`, so an empty body, `{}` and `"payloads": null` all mean no payloads.
 * Guards, since /decode turns ciphertext back into personal data:
 * - binds to loopback by default; any other address needs a bearer token (KCZG_CODEC_TOKEN);
 * - with a token, every request needs `Authorization: Bearer <token>` (compared in constant time);
 * - browsers only from the allowed origins (KCZG_CODEC_CORS_ORIGINS, default the local dev Web UI
 *   http://localhost:8233 and http://127.0.0.1:8233); any other `Origin` is refused outright;
 * - optionally only some namespaces (KCZG_CODEC_NAMESPACES): a request whose X-Namespace is not
 *   listed is refused;
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
export const NAMESPACES_ENV = 'KCZG_CODEC_NAMESPACES';
export const DEFAULT_CODEC_PORT = 8888;
const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_UI_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];
/** Request headers a browser may send: the Web UI's, plus its OIDC id token when it passes one. */
const ALLOWED_REQUEST_HEADERS = 'Content-Type, X-Namespace, Authorization, Authorization-Extras';
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
  /** Namespaces served (X-Namespace); default KCZG_CODEC_NAMESPACES (comma-separated), else any. */
  namespaces?: string[];
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
  /** Empty: any namespace. */
  namespaces: string[];
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

/**
 * The payloads of a request body. An empty body, `{}` and `{"payloads": null}` are no payloads:
 * the Go SDK's remote codec (the `temporal` CLI) marshals an empty list as `{}`. Any other field
 * is refused, as proto3 JSON parsing of a `Payloads` message would.
 */
export function payloadsFromBody(body: Buffer): Payload[] {
  const text = body.toString('utf8');
  if (!text.trim()) return [];
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch {
    throw new BadRequest(400, 'body is not JSON');
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new BadRequest(400, 'body must be {"payloads": [...]}');
  }
  const unknown = Object.keys(request).find((key) => key !== 'payloads');
  if (unknown !== undefined) {
    throw new BadRequest(400, `unknown field ${JSON.stringify(unknown)}: body must be {"payloads": [...]}`);
  }
  const list = (request as { payloads?: unknown }).payloads;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new BadRequest(400, 'body must be {"payloads": [...]}');
  return list.map((p, i) => payloadFromJson(p, i));
}

function commaList(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items && items.length > 0 ? items : undefined;
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
  const corsOrigins = (options.corsOrigins ?? commaList(env[CORS_ORIGINS_ENV]) ?? DEFAULT_UI_ORIGINS).map(
    (origin) => origin.replace(/\/+$/, ''),
  );
  const allowed = new Set(corsOrigins);
  const namespaces = options.namespaces ?? commaList(env[NAMESPACES_ENV]) ?? [];
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
        'Access-Control-Allow-Headers': ALLOWED_REQUEST_HEADERS,
        'Access-Control-Max-Age': '600',
        // Chrome's private network access: a hosted UI calling this loopback server asks first.
        ...(req.headers['access-control-request-private-network'] === 'true'
          ? { 'Access-Control-Allow-Private-Network': 'true' }
          : {}),
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
    // The temporal CLI sends an empty X-Namespace when --namespace is not given: the default one.
    const header = req.headers['x-namespace'];
    const namespace = header === '' ? DEFAULT_NAMESPACE : header;
    if (namespaces.length > 0 && (typeof namespace !== 'string' || !namespaces.includes(namespace))) {
      return refuse(
        403,
        namespace === undefined
          ? `X-Namespace is required: this server serves only ${namespaces.join(', ')} (${NAMESPACES_ENV})`
          : `namespace ${JSON.stringify(namespace)} is not served here (${NAMESPACES_ENV}: ${namespaces.join(', ')})`,
      );
    }
    try {
      const body = await readBody(req, maxBody);
      if (body.length > 0 && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        throw new BadRequest(415, 'Content-Type must be application/json');
      }
      const payloads = payloadsFromBody(body);
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
      `browser origins ${corsOrigins.join(', ') || '(none)'}; ` +
      `namespaces ${namespaces.join(', ') || 'any'}`,
  );
  return {
    url,
    host,
    port,
    corsOrigins,
    namespaces,
    tokenRequired: token !== undefined,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
