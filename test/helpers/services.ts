/**
 * Where the integration tier finds its real services, and small helpers to talk to them.
 *
 * `scripts/services.sh start` (or `npm run services -- start`) starts OpenSearch and moto and writes
 * `.cache/services.env`; {@link loadServicesEnv} copies it into `process.env` without overriding variables
 * that are already set, so `OPENSEARCH_URL=http://my-cluster:9200 npx jest --selectProjects integration`
 * points the tests elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const SERVICES_ENV_FILE = path.resolve(__dirname, '../../.cache/services.env');

export const START_HINT =
  'Start them with `npm run services -- start` (needs Java 17 for OpenSearch and Python 3 for moto), ' +
  'or point OPENSEARCH_URL / AWS_ENDPOINT_URL at running ones.';

/** Parses `KEY=VALUE` lines (comments and blank lines ignored, optional surrounding quotes removed). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/** Loads `.cache/services.env` into `process.env` (existing variables win). Returns the keys it set. */
export function loadServicesEnv(file = SERVICES_ENV_FILE): string[] {
  if (!existsSync(file)) return [];
  const set: string[] = [];
  for (const [k, v] of Object.entries(parseEnvFile(readFileSync(file, 'utf8')))) {
    if (process.env[k] === undefined) {
      process.env[k] = v;
      set.push(k);
    }
  }
  return set;
}

function required(name: string): string {
  loadServicesEnv();
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set. ${START_HINT}`);
  return v.replace(/\/+$/, '');
}

/** Base URL of the test OpenSearch, e.g. `http://127.0.0.1:9200` (no trailing slash). */
export function opensearchUrl(): string {
  return required('OPENSEARCH_URL');
}

/** The AWS endpoint (moto) every SDK client of the integration tier must use. */
export function awsEndpoint(): string {
  return required('AWS_ENDPOINT_URL');
}

/**
 * Client config for `@aws-sdk/client-*` against moto. The SDK v3 also reads `AWS_ENDPOINT_URL` by itself;
 * passing it explicitly keeps a test from ever reaching real AWS when the variable is missing.
 * `forcePathStyle`: with an IP endpoint (`http://127.0.0.1:5000`) the S3 client already addresses buckets by
 * path, but with a host name endpoint (`http://localhost:5000`) it would use `bucket.localhost`, which
 * moto does not route; forcing path style makes both work.
 */
export function awsClientConfig(): {
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return {
    endpoint: awsEndpoint(),
    region: process.env.AWS_REGION ?? 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
    },
  };
}

/**
 * A name no other test (or concurrent run) uses: lower case, `[a-z0-9-]`, at most 63 characters, so it is
 * valid as an OpenSearch index, an S3 bucket and an SQS queue name alike.
 */
export function uniqueName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 't';
  const suffix = `${process.pid.toString(36)}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  return `${clean.slice(0, 62 - suffix.length)}-${suffix}`;
}

export interface OsResponse<T = unknown> {
  status: number;
  body: T;
}

/** One OpenSearch REST call. Bodies are JSON, or NDJSON when given an array (for `_bulk`). Never throws on status. */
export async function osRequest<T = unknown>(method: string, p: string, body?: unknown): Promise<OsResponse<T>> {
  const url = opensearchUrl() + (p.startsWith('/') ? p : `/${p}`);
  const init: RequestInit = { method, signal: AbortSignal.timeout(30_000) };
  if (body !== undefined) {
    const ndjson = Array.isArray(body);
    init.body = ndjson ? body.map((l) => JSON.stringify(l)).join('\n') + '\n' : JSON.stringify(body);
    init.headers = { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' };
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Non-JSON answers (`_cat` APIs) are returned as text.
  }
  return { status: res.status, body: parsed as T };
}

/** Like {@link osRequest} but throws (with the answer) unless the status is 2xx. */
export async function os<T = unknown>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await osRequest<T>(method, p, body);
  if (res.status < 200 || res.status > 299) {
    throw new Error(`OpenSearch ${method} ${p} -> ${res.status}: ${JSON.stringify(res.body).slice(0, 2000)}`);
  }
  return res.body;
}

/** Plugin components installed in the test OpenSearch (e.g. `opensearch-index-management`). */
export async function opensearchPlugins(): Promise<string[]> {
  const rows = await os<Array<{ component: string }>>('GET', '/_cat/plugins?format=json&h=component');
  return [...new Set(rows.map((r) => r.component))].sort();
}
