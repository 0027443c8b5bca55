/** Configuration: read from env, validated as a whole, secrets never echoed. */
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
    expect(loadConfig({ ARCHIVE_BUCKET: 'b-1' }, 's3ingest')).toMatchObject({ includeOriginal: false, sourceMappings: [], ingestChunkLines: 5000 });
    const indexer = loadConfig({ ARCHIVE_BUCKET: 'b-1', OPENSEARCH_URL: 'http://127.0.0.1:9200' }, 'indexer');
    expect(indexer).toMatchObject({ indexPrefix: 'logs' });
    expect(indexer.bulk).toEqual({ maxBytes: 5 * 1024 * 1024, maxDocs: 2000, maxAttempts: 5, backoffMs: 200 });
    expect(c.responseMaxBytes).toBeLessThan(6 * 1000 * 1000);
  });

  it('gives each function only its own settings; replay needs its bucket and region', () => {
    expect(Object.keys(loadConfig({}, 'transform')).sort()).toEqual(['includeOriginal', 'region', 'responseMaxBytes', 'sourceMappings', 'sourceOptions']);
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
        OPENSEARCH_AUTH: 'basic',
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

  it('builds the node URL from an endpoint and requires a region for SigV4', () => {
    expect(problems({ ARCHIVE_BUCKET: 'b-1', OPENSEARCH_ENDPOINT: 'search-x.us-east-1.es.amazonaws.com', OPENSEARCH_AUTH: 'sigv4-es' }, 'indexer')).toEqual([
      'AWS_REGION is required when OPENSEARCH_AUTH=sigv4-es',
    ]);
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
