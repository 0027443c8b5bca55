/** Configuration: read from env, validated as a whole, secrets never echoed. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, type FunctionName, loadConfig } from '../../lib/io/config';

function problems(env: Record<string, string>, fn: FunctionName): string[] {
  try {
    loadConfig(env, fn);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('loadConfig', () => {
  it('needs nothing for the transformer and has documented defaults', () => {
    // One config type per function: each default is asserted on the function that reads it.
    const c = loadConfig({}, 'transform');
    expect(c).toMatchObject({ includeOriginal: false, sourceMappings: [] });
    expect(loadConfig({ ARCHIVE_BUCKET: 'b-1' }, 's3ingest')).toMatchObject({ includeOriginal: false, sourceMappings: [], ingestChunkLines: 500 });
    const indexer = loadConfig({ ARCHIVE_BUCKET: 'b-1', OPENSEARCH_URL: 'http://127.0.0.1:9200' }, 'indexer');
    expect(indexer).toMatchObject({ indexPrefix: 'logs' });
    expect(indexer.bulk).toEqual({ maxBytes: 5 * 1024 * 1024, maxDocs: 2000, maxAttempts: 5, backoffMs: 200 });
    expect(c.responseMaxBytes).toBeLessThan(6 * 1000 * 1000);
  });

  it('gives each function only its own settings; replay needs its bucket and region', () => {
    expect(Object.keys(loadConfig({}, 'transform')).sort()).toEqual(['aggregatorAccounts', 'enrichment', 'includeOriginal', 'maxDecompressedBytes', 'redaction', 'region', 'responseMaxBytes', 'sourceMappings', 'sourceOptions']);
    expect(problems({}, 'replay')).toEqual(['ARCHIVE_BUCKET is required', 'AWS_REGION is required']);
    expect(loadConfig({ ARCHIVE_BUCKET: 'b-1', AWS_REGION: 'eu-west-1', INDEX_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' }, 'replay')).toEqual({
      archiveBucket: 'b-1',
      region: 'eu-west-1',
      indexQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q',
    });
  });

  it('requires the archive bucket for s3ingest and OpenSearch for the indexer', () => {
    expect(problems({}, 's3ingest')).toEqual(['ARCHIVE_BUCKET is required']);
    expect(problems({}, 'indexer')).toEqual(['ARCHIVE_BUCKET is required', 'OPENSEARCH_URL or OPENSEARCH_ENDPOINT is required']);
  });

  it('lists every bad variable at once', () => {
    const p = problems(
      {
        ARCHIVE_BUCKET: 'Bad_Bucket',
        OPENSEARCH_URL: 'ftp://x',
        OPENSEARCH_AUTH: 'kerberos',
        INDEX_PREFIX: 'Logs',
        SOURCE_MAPPINGS: '{',
        INCLUDE_ORIGINAL: 'sometimes',
        BULK_MAX_BYTES: '12abc',
      },
      'indexer',
    );
    expect(p.map((s) => s.split(' ')[0]).sort()).toEqual(
      ['ARCHIVE_BUCKET', 'BULK_MAX_BYTES', 'INCLUDE_ORIGINAL', 'INDEX_PREFIX', 'OPENSEARCH_AUTH', 'OPENSEARCH_URL', 'SOURCE_MAPPINGS'].sort(),
    );
  });

  it('builds the node URL from an endpoint and requires a region for SigV4 when the endpoint names none', () => {
    expect(problems({ ARCHIVE_BUCKET: 'b-1', OPENSEARCH_ENDPOINT: 'logs.example.com', OPENSEARCH_AUTH: 'sigv4-es' }, 'indexer')).toEqual([
      'AWS_REGION (or OPENSEARCH_REGION) is required when OPENSEARCH_AUTH=sigv4-es and the endpoint names no Region',
    ]);
    expect(problems({ ARCHIVE_BUCKET: 'b-1', OPENSEARCH_ENDPOINT: 'search-x.us-east-1.es.amazonaws.com', OPENSEARCH_AUTH: 'sigv4-es' }, 'indexer')).toEqual([]);
    const c = loadConfig(
      { ARCHIVE_BUCKET: 'b-1', OPENSEARCH_ENDPOINT: 'https://abc.us-east-1.aoss.amazonaws.com/', OPENSEARCH_AUTH: 'sigv4-aoss', AWS_REGION: 'us-east-1' },
      'indexer',
    );
    expect(c.opensearch).toEqual({ node: 'https://abc.us-east-1.aoss.amazonaws.com', auth: 'sigv4-aoss', region: 'us-east-1', requestTimeoutMs: 30000 });
    expect(problems({ ARCHIVE_BUCKET: 'b-1', OPENSEARCH_URL: 'http://a:9200', OPENSEARCH_ENDPOINT: 'a' }, 'indexer')).toEqual([
      'set only one of OPENSEARCH_URL and OPENSEARCH_ENDPOINT',
    ]);
  });

  it('parses source mappings and options', () => {
    const c = loadConfig(
      { SOURCE_MAPPINGS: '[{"pattern":"/corp/audit*","source":"auditd"}]', SOURCE_OPTIONS: '{"vpcFormat":"${version} ${srcaddr}"}', INCLUDE_ORIGINAL: 'true' },
      'transform',
    );
    expect(c.sourceMappings).toEqual([{ pattern: '/corp/audit*', source: 'auditd' }]);
    expect(c.sourceOptions).toEqual({ vpcFormat: '${version} ${srcaddr}' });
    expect(c.includeOriginal).toBe(true);
  });

  it('never echoes an OpenSearch URL (it may hold credentials)', () => {
    const secret = 'http://admin:hunter2@';
    const p = problems({ OPENSEARCH_URL: secret + 'bad url' }, 'transform');
    expect(p.join(' ')).not.toContain('hunter2');
    const c = loadConfig({ ARCHIVE_BUCKET: 'b-1', OPENSEARCH_URL: 'http://admin:hunter2@127.0.0.1:9200' }, 'indexer');
    expect(JSON.stringify(describeConfig(c))).not.toContain('hunter2');
    expect(describeConfig(c).opensearchHost).toBe('127.0.0.1:9200');
  });
});

describe('loadConfig: the setup function and secured clusters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-config-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const notPem = join(dir, 'not.pem');
  writeFileSync(notPem, 'hello');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const url = { OPENSEARCH_URL: 'https://127.0.0.1:9201' };

  it('needs OpenSearch but no archive bucket; mapping lists: unset = leave alone, empty = nobody', () => {
    expect(problems({}, 'setup')).toEqual(['OPENSEARCH_URL or OPENSEARCH_ENDPOINT is required']);
    expect(loadConfig(url, 'setup').roleMappings).toEqual({ indexer: undefined, readers: undefined, admins: undefined });
    const c = loadConfig(
      { ...url, INDEXER_BACKEND_ROLES: 'arn:aws:iam::111122223333:role/tributary-prod-indexer', READER_BACKEND_ROLES: '', ADMIN_BACKEND_ROLES: ' Log Admins , arn:aws:iam::111122223333:user/alice ' },
      'setup',
    );
    expect(c.roleMappings).toEqual({ indexer: ['arn:aws:iam::111122223333:role/tributary-prod-indexer'], readers: [], admins: ['Log Admins', 'arn:aws:iam::111122223333:user/alice'] });
    expect(problems({ ...url, READER_BACKEND_ROLES: 'arn:aws:iam::1:role/x,ok', ADMIN_BACKEND_ROLES: 'a"b' }, 'setup')).toEqual([
      expect.stringMatching(/^READER_BACKEND_ROLES: .*"arn:aws:iam::1:role\/x"$/),
      expect.stringMatching(/^ADMIN_BACKEND_ROLES: /),
    ]);
  });

  it('basic auth needs both credentials, and credentials need basic auth', () => {
    expect(problems({ ...url, OPENSEARCH_AUTH: 'basic', OPENSEARCH_USERNAME: 'indexer' }, 'setup')).toEqual(['OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD are required when OPENSEARCH_AUTH=basic']);
    expect(problems({ ...url, OPENSEARCH_PASSWORD: 'x' }, 'setup')).toEqual(['OPENSEARCH_USERNAME / OPENSEARCH_PASSWORD are only used with OPENSEARCH_AUTH=basic']);
    const c = loadConfig({ ...url, ARCHIVE_BUCKET: 'b-1', OPENSEARCH_AUTH: 'basic', OPENSEARCH_USERNAME: 'indexer', OPENSEARCH_PASSWORD: ' hunter2 ' }, 'indexer');
    expect(c.opensearch).toEqual({ node: url.OPENSEARCH_URL, auth: 'basic', username: 'indexer', password: ' hunter2 ', region: undefined, requestTimeoutMs: 30000 });
    // Neither the password nor the user name reaches the logs.
    expect(JSON.stringify(describeConfig(c))).not.toMatch(/hunter2|indexer"/);
  });

  it('reads the CA file at load time and names a bad one', () => {
    expect(loadConfig({ ...url, OPENSEARCH_CA_FILE: ca }, 'setup').opensearch.ca).toContain('BEGIN CERTIFICATE');
    expect(problems({ ...url, OPENSEARCH_CA_FILE: join(dir, 'missing.pem') }, 'setup')).toEqual([expect.stringMatching(/^OPENSEARCH_CA_FILE .*missing\.pem cannot be read \(ENOENT\)$/)]);
    expect(problems({ ...url, OPENSEARCH_CA_FILE: notPem }, 'setup')).toEqual([expect.stringMatching(/holds no PEM certificate$/)]);
  });

  it('signs as another role only with SigV4, and only with a role ARN', () => {
    const sigv4 = { ...url, OPENSEARCH_AUTH: 'sigv4-es', AWS_REGION: 'eu-west-1' };
    const arn = 'arn:aws:iam::111122223333:role/tributary-prod-DomainMasterRole-1A2B';
    expect(loadConfig({ ...sigv4, OPENSEARCH_ROLE_ARN: arn }, 'setup').opensearch.roleArn).toBe(arn);
    expect(problems({ ...sigv4, OPENSEARCH_ROLE_ARN: 'arn:aws:iam::111122223333:user/alice' }, 'setup')).toEqual([expect.stringMatching(/^OPENSEARCH_ROLE_ARN is not an IAM role ARN/)]);
    expect(problems({ ...url, OPENSEARCH_ROLE_ARN: arn }, 'setup')).toEqual(['OPENSEARCH_ROLE_ARN needs OPENSEARCH_AUTH=sigv4-es or sigv4-aoss']);
  });
});
