/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON answers of OpenSearch */
/**
 * Least privilege on a real secured OpenSearch 2.19 (security plugin, TLS from a local CA, internal
 * users; `scripts/services.sh start opensearch-secure`), with moto S3 for the archive:
 *
 * - `tributary setup` (the CLI, as the admin user standing in for the master user) creates the
 *   indexer/reader/admin roles and maps the test users' backend roles — the same mapping code an IAM
 *   role ARN goes through — and a second run changes nothing;
 * - the indexer Lambda handler, configured with basic auth + the CA and holding ONLY the indexer
 *   role, indexes the whole sample archive (every source, upserts included): nothing dead-lettered;
 * - the reader searches but cannot write, delete or read the templates; the admin (a SAML-group
 *   stand-in) manages the prefix's indices;
 * - the indexer role minus any one of its permissions gets 403, and the documents are handed back
 *   (the message fails, with the cluster's reason) — never dead-lettered, never lost: once the
 *   permission is back, the same message indexes all of them.
 *
 * Skipped (saying why) only when the secured node is not running; `TRIBUTARY_REQUIRE_SECURE=1`
 * (scripts/test.sh) turns that into a failure.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NORMALIZED_PREFIX } from '../../lib/core/archive';
import { indexerDepsFromConfig, indexMessages } from '../../lib/indexer';
import { loadConfig } from '../../lib/io/config';
import { createOpenSearchClient } from '../../lib/io/opensearch';
import { createS3Client } from '../../lib/io/s3';
import { listAll, LocalStore, S3Store } from '../../lib/io/store';
import { deliverFirehose, deliverS3 } from '../../lib/local/deliver';
import { demoSamples } from '../../lib/local/samples';
import { fromClient, type SearchHttp } from '../../lib/setup/http';
import { INDEXER_CLUSTER_PERMISSIONS, INDEXER_INDEX_PERMISSIONS, securityRoleName, securityRoles } from '../../lib/setup/security';
import { invocationMetrics, invokeLocal } from '../events/invoke';
import { secureRequired, secureService, TEST_USERS, type SecureService } from '../helpers/secure';
import { createBucket, listKeys, putNdjsonGz, serviceEnv, sqsRecord, uid } from './pipeline-support';

jest.setTimeout(300_000);

const found = secureService();
if ('skip' in found) {
  if (secureRequired()) throw new Error(`TRIBUTARY_REQUIRE_SECURE=1 but ${found.skip}`);
  console.warn(`SKIPPED: secured OpenSearch tests — ${found.skip}`);
}
const svc = found as SecureService;
const suite = 'skip' in found ? describe.skip : describe;

const ROOT = join(__dirname, '..', '..');
const id = uid();
// Dash-free (setup's prefix rule) and recognisable, so a crashed run's leftovers can be cleaned.
const prefix = `tsec${id.replace(/[^a-z0-9]/g, '')}`;
const archiveBucket = `arch-sec-${id}`;
const s3 = createS3Client();

/** The connection settings of a user, through the same validated configuration the functions use. */
function userEnv(user: string, password: string) {
  return { OPENSEARCH_URL: svc.url, OPENSEARCH_AUTH: 'basic', OPENSEARCH_USERNAME: user, OPENSEARCH_PASSWORD: password, OPENSEARCH_CA_FILE: svc.caFile };
}
const clients: { close: () => Promise<void> }[] = [];
function as(user: string, password: string): SearchHttp {
  const client = createOpenSearchClient(loadConfig(userEnv(user, password), 'setup').opensearch);
  clients.push(client);
  return fromClient(client);
}

let admin: SearchHttp;
let reader: SearchHttp;
let adminUser: SearchHttp;
/** Documents the sample deliveries wrote into the archive (what the indexer must index). */
let sampleDocuments = 0;
let sampleKeys: string[] = [];

/** Runs the real CLI as the admin user (the master user's stand-in). */
function setupCli() {
  const p = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin/tributary.js'),
      'setup',
      '--opensearch',
      svc.url,
      '--auth',
      'basic',
      '--ca-file',
      svc.caFile,
      '--index-prefix',
      prefix,
      '--detections',
      'off',
      '--indexer-backend-roles',
      TEST_USERS.indexer.backendRole,
      '--reader-backend-roles',
      TEST_USERS.reader.backendRole,
      '--admin-backend-roles',
      TEST_USERS.admin.backendRole,
    ],
    { cwd: ROOT, env: { ...process.env, OPENSEARCH_USERNAME: 'admin', OPENSEARCH_PASSWORD: svc.adminPassword }, encoding: 'utf8', timeout: 180_000 },
  );
  return { status: p.status, out: `${p.stdout}\n${p.stderr}` };
}

/** Removes this run's roles, mappings, users and indices (runs never touch each other's). */
async function cleanup(): Promise<void> {
  for (const kind of ['rolesmapping', 'roles', 'internalusers'] as const) {
    const all = await admin.request('GET', `/_plugins/_security/api/${kind}`);
    for (const name of Object.keys(all.body ?? {}))
      if (name.startsWith(prefix)) await admin.request('DELETE', `/_plugins/_security/api/${kind}/${encodeURIComponent(name)}`);
  }
  await admin.request('DELETE', `/${prefix}-*?ignore_unavailable=true&allow_no_indices=true`);
}

const sqsEvent = (keys: string[]) => ({
  Records: keys.map((key) => ({
    ...sqsRecord(archiveBucket, key),
    receiptHandle: 'r',
    attributes: {},
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:index',
    awsRegion: 'us-east-1',
  })),
});

async function count(http: SearchHttp, pattern: string): Promise<number> {
  await admin.request('POST', `/${pattern}/_refresh?ignore_unavailable=true&allow_no_indices=true`);
  const r = await http.request('POST', `/${pattern}/_count?ignore_unavailable=true&allow_no_indices=true`);
  if (r.status !== 200) throw new Error(`_count ${pattern} -> ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body.count as number;
}

suite('secured OpenSearch: least-privilege roles and mappings', () => {
  beforeAll(async () => {
    admin = as('admin', svc.adminPassword);
    reader = as(TEST_USERS.reader.name, svc.testPassword);
    adminUser = as(TEST_USERS.admin.name, svc.testPassword);
    await createBucket(s3, archiveBucket);
    // The sample data of every source, through the real transformer / S3-ingest cores into the archive.
    const archive = new S3Store(s3, archiveBucket);
    const logsDir = mkdtempSync(join(tmpdir(), 'tributary-secured-logs-'));
    try {
      const logs = new LocalStore(logsDir, 'tributary-demo-logs');
      const samples = demoSamples(1);
      for (const f of samples.firehose) sampleDocuments += (await deliverFirehose(f.event, archive)).tally.documents ?? 0;
      for (const o of samples.s3) sampleDocuments += (await deliverS3(o.key, o.body, logs, archive)).tally.documents ?? 0;
    } finally {
      rmSync(logsDir, { recursive: true, force: true });
    }
    for await (const o of listAll(archive, NORMALIZED_PREFIX)) sampleKeys.push(o.key);
    sampleKeys = sampleKeys.sort();
  });

  afterAll(async () => {
    if (admin) await cleanup();
    await Promise.all(clients.map((c) => c.close()));
  });

  it('tributary setup creates the roles and maps the backend roles; a second run changes nothing', async () => {
    const first = setupCli();
    expect(first.out).toMatch(new RegExp(`created +security_role +${prefix}_indexer`));
    expect(first.status).toBe(0);
    for (const kind of ['indexer', 'reader', 'admin'] as const) {
      expect(first.out).toMatch(new RegExp(`created +security_role +${securityRoleName(prefix, kind)}\\b`));
      expect(first.out).toMatch(new RegExp(`created +role_mapping +${securityRoleName(prefix, kind)}\\b`));
    }
    const again = setupCli();
    expect(again.status).toBe(0);
    expect(again.out).toMatch(/\b0 created, 0 updated, \d+ unchanged/);

    const mapping = await admin.request('GET', `/_plugins/_security/api/rolesmapping/${prefix}_indexer`);
    expect(mapping.body[`${prefix}_indexer`]).toMatchObject({ backend_roles: [TEST_USERS.indexer.backendRole], users: [], hosts: [] });
    const role = await admin.request('GET', `/_plugins/_security/api/roles/${prefix}_indexer`);
    expect(role.body[`${prefix}_indexer`].cluster_permissions).toEqual([...INDEXER_CLUSTER_PERMISSIONS]);
    // Each test user now holds the role its backend role is mapped to, and no other kind of role
    // (an earlier run that crashed before its cleanup may have left the same kind for its own prefix).
    for (const [kind, u] of Object.entries(TEST_USERS)) {
      const info = await as(u.name, svc.testPassword).request('GET', '/_plugins/_security/authinfo');
      expect(info.body.roles).toContain(securityRoleName(prefix, kind as 'indexer'));
      for (const r of info.body.roles as string[]) expect(r).toMatch(new RegExp(`^tsec[a-z0-9]+_${kind}$`));
    }
  });

  it('the indexer handler, holding only the indexer role (basic auth, CA-verified TLS), indexes every sample document', async () => {
    expect(sampleKeys.length).toBeGreaterThan(10);
    const inv = invokeLocal('indexer', sqsEvent(sampleKeys), {
      ...serviceEnv(),
      ...userEnv(TEST_USERS.indexer.name, svc.testPassword),
      ARCHIVE_BUCKET: archiveBucket,
      INDEX_PREFIX: prefix,
      BULK_BACKOFF_MS: '20',
    });
    expect(inv.error).toBeUndefined();
    expect(inv.result).toEqual({ batchItemFailures: [] });
    const m = invocationMetrics(inv);
    expect(m).toMatchObject({ documents: sampleDocuments, indexed: sampleDocuments, dead_lettered: 0, failed: 0 });
    process.stdout.write(`secured: ${sampleDocuments} sample documents from ${sampleKeys.length} archive objects indexed with the indexer role only\n`);
    // Audit parts merge into one document (update + doc_as_upsert): fewer documents than writes there.
    const stored = await count(admin, `${prefix}-*`);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThanOrEqual(sampleDocuments);
    expect(await count(admin, `${prefix}-linux.audit-*`)).toBeGreaterThan(0);
    expect(await listKeys(s3, archiveBucket, 'errors/indexer/')).toEqual([]);
  });

  it('the reader searches but cannot write, delete or see templates; the admin group manages the indices', async () => {
    const total = await count(admin, `${prefix}-*`);
    expect(total).toBeGreaterThan(0);
    expect(await count(reader, `${prefix}-*`)).toBe(total);
    const hits = await reader.request('POST', `/${prefix}-aws.cloudtrail-*/_search`, { size: 1, query: { match_all: {} } });
    expect(hits.status).toBe(200);
    expect(hits.body.hits.hits).toHaveLength(1);

    const write = await reader.request('PUT', `/${hits.body.hits.hits[0]._index}/_doc/reader-write`, { message: 'no' });
    expect(write.status).toBe(403);
    expect(JSON.stringify(write.body)).toMatch(/security_exception.*no permissions for \[indices:data\/write\/index\]/);
    expect((await reader.request('DELETE', `/${prefix}-app-*`)).status).toBe(403);
    expect((await reader.request('GET', `/_index_template/${prefix}-*`)).status).toBe(403);
    // Nothing outside the prefix: the security plugin's own index is not even visible.
    expect((await reader.request('POST', '/.opendistro_security/_search')).status).toBe(403);

    const adminWrite = await adminUser.request('PUT', `/${prefix}-app-2026.03.01/_doc/admin-write?refresh=true`, { '@timestamp': '2026-03-01T00:00:00Z', message: 'ok' });
    expect(adminWrite.status).toBe(201);
    expect((await adminUser.request('GET', `/_index_template/${prefix}-app`)).status).toBe(200);
    expect((await adminUser.request('DELETE', `/${prefix}-app-2026.03.01/_doc/admin-write`)).status).toBe(200);
    // ... but not the security configuration: that stays with the master user.
    expect((await adminUser.request('GET', '/_plugins/_security/api/rolesmapping')).status).toBe(403);
  });

  const lacking: [scope: 'cluster' | 'index', permission: string, n: number][] = [
    ...INDEXER_CLUSTER_PERMISSIONS.map((p) => ['cluster', p] as const),
    ...INDEXER_INDEX_PERMISSIONS.map((p) => ['index', p] as const),
  ].map(([scope, p], i) => [scope, p, i]);
  describe.each(lacking)(
    'the indexer role without %s permission %s',
    (scope, permission, n) => {
      it('gets 403; the documents are handed back with the reason, then all indexed once it is restored', async () => {
        const role = securityRoles(prefix).indexer;
        const withoutIt = {
          ...role,
          cluster_permissions: role.cluster_permissions.filter((p) => scope !== 'cluster' || p !== permission),
          index_permissions: role.index_permissions.map((ip) => ({ ...ip, allowed_actions: ip.allowed_actions.filter((a) => scope !== 'index' || a !== permission) })),
        };
        const tag = `${prefix}-lacking-${randomBytes(3).toString('hex')}`;
        const password = randomBytes(18).toString('base64url') + 'aA1!';
        const put = async (path: string, body: unknown) => {
          const r = await admin.request('PUT', `/_plugins/_security/api/${path}`, body);
          if (r.status >= 300) throw new Error(`PUT ${path} -> ${r.status}: ${JSON.stringify(r.body)}`);
        };
        await put(`roles/${tag}`, withoutIt);
        await put(`internalusers/${tag}`, { password, backend_roles: [tag] });
        await put(`rolesmapping/${tag}`, { backend_roles: [tag] });

        // A day no other test writes (its index does not exist yet), plain documents and audit parts
        // (update + doc_as_upsert) in one archive object: every action the indexer sends.
        const day = `2027-01-${String(1 + Number(n)).padStart(2, '0')}`;
        const docs = Array.from({ length: 6 }, (_, i) => {
          const merge = i % 2 === 1;
          return {
            '@timestamp': `${day}T10:00:0${i}.000Z`,
            event: { id: `${tag}-${i}`, dataset: merge ? 'linux.audit' : 'aws.vpcflow', kind: 'event' },
            cloud: { provider: 'aws', account: { id: '123456789012' }, region: 'us-east-1' },
            tributary: { schema_version: '1', source: merge ? 'auditd' : 'vpcflow', ...(merge ? { merge: true } : {}) },
          };
        });
        const key = `normalized/source=vpcflow/account=123456789012/region=us-east-1/year=${day.slice(0, 4)}/month=${day.slice(5, 7)}/day=${day.slice(8, 10)}/hour=10/${tag}.ndjson.gz`;
        await putNdjsonGz(s3, archiveBucket, key, docs.map((d) => JSON.stringify(d)));

        const depsFor = (user: string, pw: string) =>
          indexerDepsFromConfig(loadConfig({ ...userEnv(user, pw), ARCHIVE_BUCKET: archiveBucket, INDEX_PREFIX: prefix, BULK_MAX_ATTEMPTS: '2', BULK_BACKOFF_MS: '10' }, 'indexer'));
        const denied = await indexMessages([sqsRecord(archiveBucket, key)], depsFor(tag, password));
        // Handed back: the message is a batch item failure, naming the missing permission.
        expect(denied.batchItemFailures).toHaveLength(1);
        const error = denied.results[0].error ?? '';
        expect(error).toMatch(/OpenSearchUnavailable/);
        expect(error).toContain('403');
        expect(error).toContain(`no permissions for [${permission}]`);
        expect(denied.tally).toMatchObject({ documents: docs.length, dead_lettered: 0 });
        expect(denied.tally.failed).toBe(docs.length - (denied.tally.indexed ?? 0));
        // Never dead-lettered: a missing permission is not the documents' fault.
        expect(await listKeys(s3, archiveBucket, 'errors/indexer/')).toEqual([]);

        // The redrive, once the role has its permission back: every document arrives.
        await put(`roles/${tag}`, role);
        const redriven = await indexMessages([sqsRecord(archiveBucket, key)], depsFor(tag, password));
        expect(redriven.batchItemFailures).toEqual([]);
        expect(redriven.tally).toMatchObject({ documents: docs.length, indexed: docs.length, dead_lettered: 0, failed: 0 });
        const pattern = `${prefix}-*-${day.replace(/-/g, '.')}`;
        await admin.request('POST', `/${pattern}/_refresh`);
        const found = await admin.request('POST', `/${pattern}/_search`, { size: 20, _source: ['event.id'] });
        expect(found.body.hits.hits.map((h: any) => h._source.event.id).sort()).toEqual(docs.map((d) => d.event.id).sort());
      });
    },
  );

  it('TLS is verified: without the local CA the client refuses the node', async () => {
    const { OPENSEARCH_CA_FILE: _ca, ...noCa } = userEnv('admin', svc.adminPassword);
    const untrusting = createOpenSearchClient(loadConfig(noCa, 'setup').opensearch);
    clients.push(untrusting);
    await expect(untrusting.transport.request({ method: 'GET', path: '/' })).rejects.toThrow(/self[- ]signed|unable to (get|verify)|certificate/i);
    // With the CA (the node's certificate names 127.0.0.1 and localhost): both names verify.
    expect((await admin.request('GET', '/')).status).toBe(200);
    const byName = createOpenSearchClient(loadConfig({ ...userEnv('admin', svc.adminPassword), OPENSEARCH_URL: svc.url.replace('127.0.0.1', 'localhost') }, 'setup').opensearch);
    clients.push(byName);
    expect((await byName.transport.request({ method: 'GET', path: '/' })).statusCode).toBe(200);
  });

  it('a wrong password gets 401 and the documents are handed back, not dead-lettered', async () => {
    const key = sampleKeys[0];
    const deps = indexerDepsFromConfig(
      loadConfig({ ...userEnv(TEST_USERS.indexer.name, `${svc.testPassword}-wrong`), ARCHIVE_BUCKET: archiveBucket, INDEX_PREFIX: prefix, BULK_MAX_ATTEMPTS: '2', BULK_BACKOFF_MS: '10' }, 'indexer'),
    );
    const out = await indexMessages([sqsRecord(archiveBucket, key)], deps);
    expect(out.batchItemFailures).toHaveLength(1);
    expect(out.results[0].error).toMatch(/HTTP 401 on _bulk/);
    expect(out.tally.dead_lettered ?? 0).toBe(0);
    expect(await listKeys(s3, archiveBucket, 'errors/indexer/')).toEqual([]);
  });
});
