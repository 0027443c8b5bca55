/**
 * Several Regions, one domain (#14 item 4): SigV4 signs for the Region of the domain, read from its
 * documented endpoint names, or given explicitly; the function's own Region only when neither says.
 * The signing itself is checked on the wire: the Authorization header's credential scope.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { endpointSigning, signingRegion } from '../../lib/core/endpoints';
import { ConfigError, loadConfig } from '../../lib/io/config';
import { createOpenSearchClient } from '../../lib/io/opensearch';
import { setupConfigFromFlags } from '../../bin/commands/setup';

describe('endpointSigning: the documented endpoint formats', () => {
  it.each([
    ['search-logs-abc123xyz.eu-west-1.es.amazonaws.com', 'eu-west-1', 'es'],
    ['https://search-logs-abc123xyz.eu-west-1.es.amazonaws.com/', 'eu-west-1', 'es'],
    ['https://vpc-logs-h2dsd34efgyghrtguk5gt6j2foh4.us-east-1.es.amazonaws.com:443', 'us-east-1', 'es'],
    ['es-2021-06-23t17-04-qowmgghud5vofgb5e4wmi.eu-central-1.es.amazonaws.com', 'eu-central-1', 'es'],
    ['vpc-endpoint-h2dsd34efgyghrtguk5gt6j2foh4.aos.us-east-1.on.aws', 'us-east-1', 'es'],
    ['search-logs-abc.cn-north-1.es.amazonaws.com.cn', 'cn-north-1', 'es'],
    ['search-logs-abc.us-gov-west-1.es.amazonaws.com', 'us-gov-west-1', 'es'],
    ['1tg2xudton46knx2a95g.us-east-1.aoss.amazonaws.com', 'us-east-1', 'aoss'],
    ['https://1tg2xudton46knx2a95g.aoss.ap-southeast-2.on.aws', 'ap-southeast-2', 'aoss'],
    ['111122223333.aoss.eu-west-3.on.aws', 'eu-west-3', 'aoss'],
  ])('%s → %s (%s)', (endpoint, region, service) => {
    expect(endpointSigning(endpoint)).toEqual({ region, service });
  });

  it.each(['logs.example.com', 'http://127.0.0.1:9200', 'https://search.es.amazonaws.com.evil.example', 'es.amazonaws.com', 'not a url', ''])(
    '%s names no Region',
    (endpoint) => expect(endpointSigning(endpoint)).toBeUndefined(),
  );
});

describe('signingRegion: explicit, else the endpoint, else the function', () => {
  const domain = 'https://search-logs-abc.eu-west-1.es.amazonaws.com';
  it('picks in that order', () => {
    expect(signingRegion({ endpoint: domain, fallback: 'us-east-1' })).toEqual({ region: 'eu-west-1', from: 'endpoint' });
    expect(signingRegion({ endpoint: 'https://logs.example.com', fallback: 'us-east-1' })).toEqual({ region: 'us-east-1', from: 'fallback' });
    expect(signingRegion({ explicit: 'eu-west-2', endpoint: 'https://logs.example.com', fallback: 'us-east-1' })).toEqual({ region: 'eu-west-2', from: 'explicit' });
    expect(signingRegion({ endpoint: 'https://logs.example.com' })).toEqual({});
  });

  it('refuses an explicit Region that contradicts the endpoint', () => {
    expect(signingRegion({ explicit: 'us-east-1', endpoint: domain }).problem).toMatch(/us-east-1 is not the endpoint's \(eu-west-1\)/);
    expect(signingRegion({ explicit: 'eu-west-1', endpoint: domain }).problem).toBeUndefined();
  });
});

describe('function configuration', () => {
  const indexer = (env: Record<string, string>) => loadConfig({ ARCHIVE_BUCKET: 'central-logs', ...env }, 'indexer');
  const problems = (env: Record<string, string>) => {
    try {
      indexer(env);
      return [];
    } catch (e) {
      return (e as ConfigError).problems;
    }
  };

  it('a stack in us-east-1 signs for the central domain in eu-west-1', () => {
    const c = indexer({ OPENSEARCH_ENDPOINT: 'search-central-abc.eu-west-1.es.amazonaws.com', OPENSEARCH_AUTH: 'sigv4-es', AWS_REGION: 'us-east-1' });
    expect(c.opensearch.region).toBe('eu-west-1');
    expect(c.region).toBe('us-east-1'); // the function's own Region is unchanged
  });

  it('OPENSEARCH_REGION for a custom endpoint name; validated; contradicting the endpoint is an error', () => {
    expect(indexer({ OPENSEARCH_URL: 'https://logs.example.com', OPENSEARCH_AUTH: 'sigv4-es', AWS_REGION: 'us-east-1', OPENSEARCH_REGION: 'eu-west-1' }).opensearch.region).toBe('eu-west-1');
    expect(indexer({ OPENSEARCH_URL: 'https://logs.example.com', OPENSEARCH_AUTH: 'sigv4-es', AWS_REGION: 'us-east-1' }).opensearch.region).toBe('us-east-1');
    expect(problems({ OPENSEARCH_URL: 'https://logs.example.com', OPENSEARCH_AUTH: 'sigv4-es', OPENSEARCH_REGION: 'Ireland' })).toEqual([
      'OPENSEARCH_REGION is not a Region name (got "Ireland")',
    ]);
    expect(problems({ OPENSEARCH_ENDPOINT: 'search-central-abc.eu-west-1.es.amazonaws.com', OPENSEARCH_AUTH: 'sigv4-es', OPENSEARCH_REGION: 'us-east-1' })).toEqual([
      "OPENSEARCH_REGION: the Region us-east-1 is not the endpoint's (eu-west-1); leave it unset to sign for eu-west-1",
    ]);
  });

  it('the signing service must fit the endpoint', () => {
    expect(problems({ OPENSEARCH_ENDPOINT: 'abc.eu-west-1.aoss.amazonaws.com', OPENSEARCH_AUTH: 'sigv4-es' })).toEqual([
      'OPENSEARCH_AUTH=sigv4-es does not fit the endpoint, an OpenSearch Serverless collection (sigv4-aoss)',
    ]);
    expect(problems({ OPENSEARCH_ENDPOINT: 'search-x.eu-west-1.es.amazonaws.com', OPENSEARCH_AUTH: 'sigv4-aoss' })).toEqual([
      'OPENSEARCH_AUTH=sigv4-aoss does not fit the endpoint, an OpenSearch Service domain (sigv4-es)',
    ]);
  });

  it('assumes the setup role through the function\'s own Region, signs for the domain\'s', () => {
    const c = loadConfig(
      {
        OPENSEARCH_ENDPOINT: 'search-central-abc.eu-west-1.es.amazonaws.com',
        OPENSEARCH_AUTH: 'sigv4-es',
        AWS_REGION: 'us-east-1',
        OPENSEARCH_ROLE_ARN: 'arn:aws:iam::111122223333:role/tributary-prod-domain-master',
      },
      'setup',
    );
    expect(c.opensearch).toMatchObject({ region: 'eu-west-1', stsRegion: 'us-east-1' });
  });

  it('`tributary setup`: --region wins, else the endpoint, else AWS_REGION', () => {
    const flags = { opensearch: 'https://search-central-abc.eu-west-1.es.amazonaws.com', auth: 'sigv4-es', indexPrefix: 'logs', detections: 'on' } as const;
    expect(setupConfigFromFlags({ ...flags } as never, { AWS_REGION: 'us-east-1' }).opensearch.region).toBe('eu-west-1');
    const custom = { ...flags, opensearch: 'https://logs.example.com' };
    expect(setupConfigFromFlags({ ...custom, region: 'ap-south-1' } as never, { AWS_REGION: 'us-east-1' }).opensearch.region).toBe('ap-south-1');
    expect(setupConfigFromFlags({ ...custom } as never, { AWS_REGION: 'us-east-1', OPENSEARCH_REGION: 'eu-north-1' }).opensearch.region).toBe('eu-north-1');
    expect(setupConfigFromFlags({ ...custom } as never, { AWS_REGION: 'us-east-1' }).opensearch.region).toBe('us-east-1');
    expect(() => setupConfigFromFlags({ ...custom } as never, {})).toThrow(/AWS_REGION \(or OPENSEARCH_REGION\) is required/);
  });
});

describe('on the wire', () => {
  it('the SigV4 credential scope names the configured signing Region, not the function\'s', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const env = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    try {
      // A local stand-in for the domain (its name holds no Region, so OPENSEARCH_REGION gives it).
      const c = loadConfig({ OPENSEARCH_URL: `http://127.0.0.1:${port}`, OPENSEARCH_AUTH: 'sigv4-es', AWS_REGION: 'us-east-1', OPENSEARCH_REGION: 'eu-west-1' }, 'setup');
      const client = createOpenSearchClient(c.opensearch);
      await client.transport.request({ method: 'GET', path: '/' });
      await client.close();
      expect(String(seen[0].authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request/);
    } finally {
      for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      server.close();
    }
  });
});
