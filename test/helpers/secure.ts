/**
 * The secured OpenSearch of the integration tier (`scripts/services.sh start opensearch-secure`: the
 * security plugin, TLS from a local CA, internal users). Its URL, CA and passwords come from
 * `.cache/services.env` (or the environment); the test users and their backend roles are the ones
 * services.sh creates.
 *
 * Its tests are skipped, with the reason printed, only when the secured node is not running; with
 * `TRIBUTARY_REQUIRE_SECURE=1` (set by `scripts/test.sh`, which starts it) they fail instead, so CI
 * can never pass by skipping them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadServicesEnv } from './services';

export interface SecureService {
  url: string;
  /** Path of the PEM root CA the node's certificate is issued by. */
  caFile: string;
  adminPassword: string;
  /** Password of every test user. */
  testPassword: string;
}

/** The internal users services.sh creates and the backend role each holds (the IAM roles they stand for). */
export const TEST_USERS = {
  indexer: { name: 'test-indexer', backendRole: 'arn:aws:iam::000000000000:role/tributary-test-indexer' },
  reader: { name: 'test-reader', backendRole: 'arn:aws:iam::000000000000:role/tributary-test-reader' },
  admin: { name: 'test-admin', backendRole: 'tributary-test-admins' },
} as const;

export const SECURE_START_HINT = 'start it with `npm run services -- start opensearch-secure` (or `scripts/services.sh start all`)';

/**
 * The running secured node, or why there is none. Probed synchronously (jest decides what to skip
 * while it collects tests): an authenticated, CA-verified `authinfo` call within 10 s.
 * @example const s = secureService(); const d = 'skip' in s ? describe.skip : describe;
 */
export function secureService(): SecureService | { skip: string } {
  loadServicesEnv();
  const e = process.env;
  const url = e.OPENSEARCH_SECURE_URL?.replace(/\/+$/, '');
  if (!url) return { skip: `OPENSEARCH_SECURE_URL is not set: the secured OpenSearch is not running; ${SECURE_START_HINT}` };
  const missing = ['OPENSEARCH_SECURE_CA', 'OPENSEARCH_SECURE_PASSWORD', 'OPENSEARCH_SECURE_TEST_PASSWORD'].filter((k) => !e[k]);
  if (missing.length) throw new Error(`OPENSEARCH_SECURE_URL is set but ${missing.join(', ')} are not`);
  const svc: SecureService = { url, caFile: e.OPENSEARCH_SECURE_CA!, adminPassword: e.OPENSEARCH_SECURE_PASSWORD!, testPassword: e.OPENSEARCH_SECURE_TEST_PASSWORD! };
  if (!existsSync(svc.caFile)) return { skip: `the secured node's CA ${svc.caFile} does not exist (stale env file?); ${SECURE_START_HINT}` };
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const https = require('node:https'), fs = require('node:fs');
       const req = https.get(process.env.P_URL + '/_plugins/_security/authinfo', { ca: fs.readFileSync(process.env.P_CA), auth: 'admin:' + process.env.P_PW, timeout: 8000 }, (r) => {
         r.resume(); process.stdout.write(String(r.statusCode)); process.exit(r.statusCode === 200 ? 0 : 3);
       });
       req.on('timeout', () => req.destroy(new Error('timed out')));
       req.on('error', (err) => { process.stdout.write(err.message); process.exit(4); });`,
    ],
    { env: { PATH: e.PATH, P_URL: url, P_CA: svc.caFile, P_PW: svc.adminPassword }, encoding: 'utf8', timeout: 10_000 },
  );
  if (probe.status !== 0) return { skip: `the secured OpenSearch at ${url} does not answer as expected (${probe.stdout || probe.error?.message || 'no answer'}); ${SECURE_START_HINT}` };
  return svc;
}

/** Whether a missing secured node must fail the tier instead of skipping it (CI). */
export const secureRequired = (): boolean => process.env.TRIBUTARY_REQUIRE_SECURE === '1';
