/**
 * The one seam between setup and a cluster: a method, a path, a JSON body. Setup code talks to this
 * interface, so the same apply logic runs with a plain-URL client, a SigV4 client (Amazon
 * OpenSearch Service) or any `@opensearch-project/opensearch` Client the caller already built.
 */
import { Client } from '@opensearch-project/opensearch';

// OpenSearch answers are untyped JSON; callers narrow what they read.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface HttpResponse<T = any> {
  status: number;
  body: T;
}

export interface SearchHttp {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  request<T = any>(method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD', path: string, body?: unknown): Promise<HttpResponse<T>>;
}

/** An error status the caller did not expect, with OpenSearch's own reason in the message. */
export class OpenSearchError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: unknown,
  ) {
    super(`${method} ${path} -> ${status}: ${reasonOf(body)}`);
  }
}

function reasonOf(body: unknown): string {
  if (body && typeof body === 'object') {
    const err = (body as { error?: unknown }).error;
    if (err && typeof err === 'object') {
      const e = err as { type?: string; reason?: string; root_cause?: { reason?: string }[] };
      return [e.type, e.reason ?? e.root_cause?.[0]?.reason].filter(Boolean).join(': ');
    }
    if (typeof err === 'string') return err;
  }
  return JSON.stringify(body)?.slice(0, 500) ?? String(body);
}

/** Throws {@link OpenSearchError} unless the status is 2xx (or one of `allowed`). */
export function expectOk<T>(res: HttpResponse<T>, method: string, path: string, allowed: number[] = []): T {
  if ((res.status >= 200 && res.status < 300) || allowed.includes(res.status)) return res.body;
  throw new OpenSearchError(res.status, method, path, res.body);
}

/**
 * Adapts an `@opensearch-project/opensearch` Client (plain, or built with the AWS SigV4 signer).
 * Error statuses come back as values, never as thrown ResponseErrors, so callers branch on 404.
 */
export function fromClient(client: Client): SearchHttp {
  return {
    async request(method, path, body) {
      try {
        const res = await client.transport.request({ method, path, body: body as Record<string, unknown> | undefined });
        return { status: res.statusCode ?? 200, body: res.body as never };
      } catch (e) {
        const meta = (e as { meta?: { statusCode?: number; body?: unknown } }).meta;
        if (meta?.statusCode) return { status: meta.statusCode, body: meta.body as never };
        throw e;
      }
    },
  };
}
