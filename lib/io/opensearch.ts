/**
 * The OpenSearch client, built from configuration: a plain URL (local development), HTTP basic
 * credentials (self-managed clusters with the security plugin), Amazon OpenSearch Service with SigV4
 * (`es`), or OpenSearch Serverless with SigV4 (`aoss`; custom `_id`s are not allowed there, so
 * `omitIds` is set — see `lib/io/bulk.ts` for the consequence). SigV4 credentials come from the
 * default AWS provider chain (the Lambda role), or from assuming `roleArn` with them (the setup
 * function signs as the domain's master role). `ca` replaces the system's CAs for TLS: the
 * certificate of a cluster with a private CA is verified against it, host name included.
 */
import type { Client, ClientOptions } from '@opensearch-project/opensearch';
import type { BulkTransport } from './bulk';
import type { OpenSearchConfig } from './config';
import { lazyObject } from './lazy';

// The client and SDK modules, loaded when the client is first used (see lib/io/lazy.ts: the
// OpenSearch client alone takes about 30 ms to evaluate, the SigV4 credential chain and STS more).
const opensearch = (): typeof import('@opensearch-project/opensearch') => require('@opensearch-project/opensearch');
const sigv4 = (): typeof import('@opensearch-project/opensearch/aws-v3') => require('@opensearch-project/opensearch/aws-v3');
const credentialChain = (): typeof import('@aws-sdk/credential-provider-node') => require('@aws-sdk/credential-provider-node');
const stsSdk = (): typeof import('@aws-sdk/client-sts') => require('@aws-sdk/client-sts');

/**
 * Builds the client, on first use (`lazyObject`: a cold start loads no client code; the configuration
 * it is built from was validated by `loadConfig`). Retries are the bulk core's job, so the client
 * itself never retries.
 * @example createOpenSearchClient({ node: 'https://127.0.0.1:9201', auth: 'basic', username: 'indexer', password: 'secret', ca: readFileSync('root-ca.pem', 'utf8'), requestTimeoutMs: 30000 })
 */
export function createOpenSearchClient(cfg: OpenSearchConfig): Client {
  return lazyObject(() => buildOpenSearchClient(cfg));
}

function buildOpenSearchClient(cfg: OpenSearchConfig): Client {
  const { Client } = opensearch();
  const common: ClientOptions = { node: cfg.node, requestTimeout: cfg.requestTimeoutMs, maxRetries: 0 };
  // Only the given CAs are trusted (never rejectUnauthorized: false): a private CA is pinned.
  if (cfg.ca !== undefined) common.ssl = { ca: cfg.ca };
  if (cfg.auth === 'none') return new Client(common);
  if (cfg.auth === 'basic') return new Client({ ...common, auth: { username: cfg.username!, password: cfg.password! } });
  const base = credentialChain().defaultProvider(); // memoized chain: resolves once, refreshes before expiry
  const credentials = cfg.roleArn ? assumeRoleProvider(cfg.roleArn, cfg.stsRegion ?? cfg.region!, base) : base;
  return new Client({
    ...sigv4().AwsSigv4Signer({
      region: cfg.region!,
      service: cfg.auth === 'sigv4-aoss' ? 'aoss' : 'es',
      getCredentials: () => credentials(),
    }),
    ...common,
  });
}

// The SDK's credential types, without depending on the package that declares them.
type AwsCredentialIdentityProvider = ReturnType<typeof import('@aws-sdk/credential-provider-node').defaultProvider>;
type AwsCredentialIdentity = Awaited<ReturnType<AwsCredentialIdentityProvider>>;

/** Credentials are renewed this long before they expire (a request signed at the edge would fail). */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * Credentials of `roleArn`, assumed with `source` (sts:AssumeRole, 1 h sessions), cached until 5
 * minutes before they expire; concurrent callers share one AssumeRole call. STS is reached the
 * standard way (region, `AWS_ENDPOINT_URL`), so tests run it against a local STS.
 * @example const creds = assumeRoleProvider('arn:aws:iam::111122223333:role/tributary-prod-domain-master', 'eu-west-1', defaultProvider());
 */
export function assumeRoleProvider(roleArn: string, region: string, source: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  const sts = lazyObject(() => new (stsSdk().STSClient)({ region, credentials: source }));
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return () => {
    if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > RENEW_BEFORE_MS)) return Promise.resolve(cached);
    pending ??= (async () => {
      try {
        // The session name shows in CloudTrail and in the domain's audit log: who signed as the role.
        const out = await sts.send(new (stsSdk().AssumeRoleCommand)({ RoleArn: roleArn, RoleSessionName: 'tributary-setup', DurationSeconds: 3600 }));
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`sts:AssumeRole ${roleArn} returned no credentials`);
        cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
        return cached;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
}

/** Whether documents must be indexed without `_id` (OpenSearch Serverless). */
export const omitIdsFor = (cfg: OpenSearchConfig): boolean => cfg.auth === 'sigv4-aoss';

/**
 * The `_bulk` transport of the bulk core over a client: HTTP errors are answers, not exceptions. A
 * `timeoutMs` (the time left before the caller's deadline) replaces the client's request timeout
 * when it is shorter.
 */
export function bulkTransport(client: Client): BulkTransport {
  return {
    async send(body, options) {
      try {
        const res = await client.transport.request(
          { method: 'POST', path: '/_bulk', bulkBody: body },
          options?.timeoutMs !== undefined ? { requestTimeout: Math.min(options.timeoutMs, Number(client.transport.requestTimeout) || Infinity) } : undefined,
        );
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
