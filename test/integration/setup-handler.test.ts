/**
 * The CloudFormation custom resource against a real OpenSearch, answering a real HTTP server on
 * 127.0.0.1 that stands where CloudFormation's pre-signed S3 URL would be.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ANSWER_MARGIN_MS, handleSetupEvent, type CfnResponse } from '../../lib/setup/custom-resource';
import { DATASET_VALUES } from '../../schemas/source-list';
import { cleanup, connect, openSearchUrl, uniquePrefix, type Cluster } from './setup-helpers';

jest.setTimeout(180_000);

interface Received {
  method: string;
  contentType: string | undefined;
  body: CfnResponse;
}

let c: Cluster;
let server: Server;
let base = '';
const received: Received[] = [];
const prefix = uniquePrefix('cfn');

beforeAll(async () => {
  c = await connect();
  server = createServer((req: IncomingMessage, res) => {
    if (req.url?.startsWith('/hang')) return; // an OpenSearch that never answers
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      if (req.url?.startsWith('/broken')) {
        res.statusCode = 500;
        return res.end();
      }
      received.push({ method: req.method!, contentType: req.headers['content-type'], body: JSON.parse(data) });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await cleanup(c, prefix);
  await c.client.close();
});

const context = (remaining = 900_000) => ({ getRemainingTimeInMillis: () => remaining, logStreamName: '2026/01/01/[$LATEST]abc' });

function event(type: 'Create' | 'Update' | 'Delete', props: Record<string, string>, responsePath = '/response?X-Amz-Signature=x'): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:tributary-setup',
    ResponseURL: base + responsePath,
    StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/tributary/1',
    RequestId: `req-${received.length}-${type}`,
    LogicalResourceId: 'OpenSearchSetup',
    ResourceType: 'Custom::TributarySetup',
    ResourceProperties: { ServiceToken: 'x', ...props },
  };
  if (type === 'Create') return { ...common, RequestType: 'Create' };
  if (type === 'Update') return { ...common, RequestType: 'Update', PhysicalResourceId: `tributary-setup-${prefix}`, OldResourceProperties: { ServiceToken: 'x' } };
  return { ...common, RequestType: 'Delete', PhysicalResourceId: `tributary-setup-${prefix}` };
}

// Detections off: a component template per source plus the base one, an index template per source.
const TEMPLATES = String(2 * DATASET_VALUES.length + 1);
const props = () => ({ OpenSearchUrl: openSearchUrl(), IndexPrefix: prefix, IsmHotDays: '3', IsmWarmDays: '0', Detections: 'off', SchemaVersion: '1' });
const last = () => received[received.length - 1];

describe('setup custom resource', () => {
  it('applies setup on Create and answers SUCCESS with counts, with the empty content type S3 signed', async () => {
    const answer = await handleSetupEvent(event('Create', props()), context());
    expect(answer.Status).toBe('SUCCESS');
    expect(last()).toEqual({ method: 'PUT', contentType: '', body: answer });
    expect(answer).toMatchObject({ PhysicalResourceId: `tributary-setup-${prefix}`, LogicalResourceId: 'OpenSearchSetup', Data: { Created: TEMPLATES, Updated: '0' } });
    expect((await c.http.request('GET', `/_index_template/${prefix}-aws.cloudtrail`)).status).toBe(200);
  });

  it('changes nothing on an Update with the same properties and keeps the physical id', async () => {
    const answer = await handleSetupEvent(event('Update', props()), context());
    expect(last().body).toEqual(answer);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `tributary-setup-${prefix}`, Data: { Created: '0', Updated: '0', Unchanged: TEMPLATES } });
  });

  it('does nothing on Delete but answers SUCCESS (templates survive a rollback)', async () => {
    const answer = await handleSetupEvent(event('Delete', props()), context());
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `tributary-setup-${prefix}` });
    expect(last().body).toEqual(answer);
    expect((await c.http.request('GET', `/_component_template/${prefix}-base`)).status).toBe(200);
  });

  it('answers FAILED with the reason on invalid properties', async () => {
    const answer = await handleSetupEvent(event('Create', { ...props(), IsmHotDays: '30', IsmDeleteDays: '7' }), context());
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/delete age \(7d\) is before the end of hot/);
    expect(last().body).toEqual(answer);
    const bad = await handleSetupEvent(event('Create', { ...props(), Detections: 'maybe' }), context());
    expect(bad.Reason).toMatch(/Detections must be on or off/);
  });

  it('answers FAILED when OpenSearch is unreachable', async () => {
    const answer = await handleSetupEvent(event('Create', { ...props(), OpenSearchUrl: 'http://127.0.0.1:1' }), context());
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/ECONNREFUSED|connect/i);
    expect(answer.Reason).toContain('log stream 2026/01/01/[$LATEST]abc');
    expect(last().body).toEqual(answer);
  });

  it('answers FAILED before the Lambda timeout when OpenSearch hangs', async () => {
    const t0 = Date.now();
    const answer = await handleSetupEvent(event('Create', { ...props(), OpenSearchUrl: `${base}/hang` }), context(ANSWER_MARGIN_MS + 1500));
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/did not finish within 2 s/);
    expect(last().body).toEqual(answer);
  });

  it('never throws when the response URL itself fails (it retries, then logs)', async () => {
    const before = received.length;
    const answer = await handleSetupEvent(event('Delete', props(), '/broken'), context());
    expect(answer.Status).toBe('SUCCESS');
    expect(received.length).toBe(before);
  });
});
