/**
 * The OpenSearch client, built from configuration: a plain URL (local development, self-managed
 * clusters), Amazon OpenSearch Service with SigV4 (`es`), or OpenSearch Serverless with SigV4
 * (`aoss`; custom `_id`s are not allowed there, so `omitIds` is set — see `lib/bulk.ts` for the
 * consequence). Credentials come from the default AWS provider chain (the Lambda role).
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import type { BulkTransport } from './bulk';
import type { OpenSearchConfig } from './config';

/** Builds the client. Retries are the bulk core's job, so the client itself never retries. */
export function createOpenSearchClient(cfg: OpenSearchConfig): Client {
  const common = { node: cfg.node, requestTimeout: cfg.requestTimeoutMs, maxRetries: 0 };
  if (cfg.auth === 'none') return new Client(common);
  const credentials = defaultProvider(); // memoized chain: resolves once, refreshes before expiry
  return new Client({
    ...AwsSigv4Signer({
      region: cfg.region!,
      service: cfg.auth === 'sigv4-aoss' ? 'aoss' : 'es',
      getCredentials: () => credentials(),
    }),
    ...common,
  });
}

/** Whether documents must be indexed without `_id` (OpenSearch Serverless). */
export const omitIdsFor = (cfg: OpenSearchConfig): boolean => cfg.auth === 'sigv4-aoss';

/** The `_bulk` transport of the bulk core over a client: HTTP errors are answers, not exceptions. */
export function bulkTransport(client: Client): BulkTransport {
  return {
    async send(body) {
      try {
        const res = await client.transport.request({ method: 'POST', path: '/_bulk', bulkBody: body });
        return { status: res.statusCode ?? 200, body: res.body };
      } catch (e) {
        const meta = (e as { meta?: { statusCode?: number; body?: unknown } }).meta;
        if (e instanceof Error && e.name === 'ResponseError' && typeof meta?.statusCode === 'number')
          return { status: meta.statusCode, body: meta.body };
        throw e;
      }
    },
  };
}
