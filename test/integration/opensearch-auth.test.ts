/**
 * How the OpenSearch client authenticates, against real servers: SigV4 as an assumed role (STS on
 * moto; the request lands on a local HTTP server that records what was signed), and setup asked for
 * role mappings on a cluster without the security plugin (the plain OpenSearch of the tier).
 * Basic auth and CA pinning against the secured node are in secured.test.ts.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { assumeRoleProvider, createOpenSearchClient } from '../../lib/io/opensearch';
import { applySetup } from '../../lib/setup/apply';
import { fromClient } from '../../lib/setup/http';
import { SecurityUnavailableError } from '../../lib/setup/security';
import { awsClientConfig, opensearchUrl } from '../helpers/services';

const ROLE = 'arn:aws:iam::123456789012:role/tributary-test-DomainMasterRole';

describe('SigV4 as an assumed role (the setup function signing as the domain master role)', () => {
  let server: Server;
  let base = '';
  const seen: IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end('{"acknowledged":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('assumes the role once with the function credentials and names the session', async () => {
    const creds = assumeRoleProvider(ROLE, 'us-east-1', defaultProvider());
    const [a, b] = await Promise.all([creds(), creds()]);
    expect(a).toBe(b); // concurrent callers share one AssumeRole call, and later ones the cache
    expect(a.accessKeyId).not.toBe(awsClientConfig().credentials.accessKeyId);
    expect(a.sessionToken).toBeTruthy();
    const who = await new STSClient({ ...awsClientConfig(), credentials: a }).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe('arn:aws:sts::123456789012:assumed-role/tributary-test-DomainMasterRole/tributary-setup');
  });

  it('signs every request with the assumed credentials, not the function role', async () => {
    const client = createOpenSearchClient({ node: base, auth: 'sigv4-es', region: 'us-east-1', roleArn: ROLE, requestTimeoutMs: 5000 });
    await client.transport.request({ method: 'PUT', path: '/_plugins/_security/api/roles/logs_indexer', body: {} });
    await client.transport.request({ method: 'GET', path: '/' });
    await client.close();
    const keys = seen.map((h) => /Credential=([^/]+)\/\d{8}\/us-east-1\/es\/aws4_request/.exec(String(h.authorization))?.[1]);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBeDefined();
    expect(keys[0]).not.toBe(awsClientConfig().credentials.accessKeyId);
    expect(keys[1]).toBe(keys[0]);
    for (const h of seen) expect(h['x-amz-security-token']).toBeTruthy();
  });
});

describe('role mappings on a cluster without the security plugin', () => {
  it('fail with the reason when asked for, and are skipped when not', async () => {
    const client = createOpenSearchClient({ node: opensearchUrl(), auth: 'none', requestTimeoutMs: 30_000 });
    try {
      const http = fromClient(client);
      const prefix = `tnosec${Date.now().toString(36)}`;
      const asked = await applySetup(http, { prefix, detections: false, dryRun: true, security: { indexer: ['arn:aws:iam::123456789012:role/idx'] } }).catch((e) => e);
      expect(asked).toBeInstanceOf(SecurityUnavailableError);
      expect((asked as Error).message).toMatch(/no security REST API/);
      const plain = await applySetup(http, { prefix, detections: false, dryRun: true });
      expect(plain.changes.filter((c) => c.kind === 'security_role' || c.kind === 'role_mapping')).toEqual([expect.objectContaining({ status: 'skipped' })]);
    } finally {
      await client.close();
    }
  });
});
