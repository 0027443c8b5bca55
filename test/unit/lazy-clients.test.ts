/**
 * Cold start (issue #18): loading a handler module loads no AWS SDK client package and no OpenSearch
 * client, and builds no client; the first use of a client loads its package and builds it. Proven by
 * counting module loads (every package below is replaced by a factory that records that it was
 * loaded and returns the real module), not by timing: `npm run bench` (`init <handler>` rows) times it.
 */
const PACKAGES = [
  '@aws-sdk/client-s3',
  '@aws-sdk/lib-storage',
  '@aws-sdk/client-sqs',
  '@aws-sdk/client-lambda',
  '@aws-sdk/client-cloudtrail',
  '@aws-sdk/client-sts',
  '@aws-sdk/credential-provider-node',
  '@opensearch-project/opensearch',
  '@opensearch-project/opensearch/aws-v3',
];

const ENV = {
  ARCHIVE_BUCKET: 'archive-bucket',
  INDEX_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/index',
  OPENSEARCH_URL: 'http://127.0.0.1:9',
  AWS_REGION: 'us-east-1',
  ENRICHMENT: 'false',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  // The integrity check of s3ingest builds its CloudTrail key source at init.
  CLOUDTRAIL_INTEGRITY: 'true',
};

/** Runs `fn` on fresh modules with every package of PACKAGES counted; returns what was loaded (`fn` sees it grow). */
function loadsDuring(fn: (loaded: readonly string[]) => void): string[] {
  const loaded: string[] = [];
  const saved = { ...process.env };
  Object.assign(process.env, ENV);
  try {
    jest.isolateModules(() => {
      // @middy/core is ESM only (Jest cannot require it): a pass-through chain stands in for it.
      jest.doMock('@middy/core', () => ({ __esModule: true, default: (h: object) => Object.assign(h, { use: () => h }) }));
      for (const p of PACKAGES)
        jest.doMock(p, () => {
          loaded.push(p);
          return jest.requireActual(p);
        });
      fn(loaded);
    });
  } finally {
    process.env = saved;
    for (const p of [...PACKAGES, '@middy/core']) jest.dontMock(p);
  }
  return loaded;
}

describe('cold start builds no client', () => {
  test.each(['transform', 's3ingest', 'indexer', 'replay', 'setup'])('importing handlers/%s loads no SDK or OpenSearch client package', (h) => {
    let handler: unknown;
    const loaded = loadsDuring(() => {
      handler = (require(`../../handlers/${h}`) as { handler: unknown }).handler;
    });
    expect(typeof handler).toBe('function');
    expect(loaded).toEqual([]);
  });

  test('an S3 client loads its package and is built on first use, and is then the real client', () => {
    const loaded = loadsDuring((loadedSoFar) => {
      const { createS3Client } = require('../../lib/io/s3') as typeof import('../../lib/io/s3');
      const s3 = createS3Client();
      expect(loadedSoFar).toEqual([]);
      // Awaiting or resolving the stand-in does not build it (it is no thenable).
      void Promise.resolve(s3);
      expect(loadedSoFar).toEqual([]);
      expect(s3.config.forcePathStyle).toBe(true);
      expect(loadedSoFar).toContain('@aws-sdk/client-s3');
      const { S3Client } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
      expect(s3).toBeInstanceOf(S3Client);
      expect(s3.send).toBe(s3.send);
    });
    expect(loaded).not.toContain('@aws-sdk/client-sqs');
  });

  test('an OpenSearch client with SigV4 loads the client, the signer and the credential chain on first use only', () => {
    const loaded = loadsDuring((loadedSoFar) => {
      const { createOpenSearchClient, bulkTransport } = require('../../lib/io/opensearch') as typeof import('../../lib/io/opensearch');
      const client = createOpenSearchClient({ node: 'https://search-x.us-east-1.es.amazonaws.com', auth: 'sigv4-es', region: 'us-east-1', requestTimeoutMs: 1000 });
      bulkTransport(client);
      expect(loadedSoFar).toEqual([]);
      expect(typeof client.transport.request).toBe('function');
    });
    expect([...loaded].sort()).toEqual(['@aws-sdk/credential-provider-node', '@opensearch-project/opensearch', '@opensearch-project/opensearch/aws-v3']);
  });
});
