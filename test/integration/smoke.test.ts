/**
 * Smoke test of the integration tier's real services: the generated mappings load into OpenSearch as
 * composable templates and behave as typed (keyword term, CIDR on an `ip` field), and moto serves S3 and
 * SQS to SDK v3 clients configured only through the environment (`AWS_ENDPOINT_URL`), exactly like the
 * Lambda handlers are.
 */
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageCommand, DeleteQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import mappings from '../../schemas/generated/mappings.json';
import { expectValid } from '../helpers/schema';
import { awsEndpoint, os, osRequest, uniqueName } from '../helpers/services';

// The machine may be busy (2 cores, OpenSearch, moto, other suites): allow slow answers, never hang.
jest.setTimeout(60_000);

interface SearchHits {
  hits: { total: { value: number }; hits: Array<{ _id: string; _source: Record<string, unknown> }> };
}
interface Props {
  type?: string;
  properties?: Record<string, Props>;
}

describe('OpenSearch: generated mappings as composable templates', () => {
  const name = uniqueName('smoke');
  const index = `${name}-000001`;
  const components = [`${name}-base`, `${name}-vpcflow`];
  const docId = 'smoke-1';

  // A VPC flow record as the pipeline would emit it, written by hand from the ECS fields in schemas/ecs.ts.
  const doc = {
    '@timestamp': '2026-03-01T12:00:05.000Z',
    message: 'ACCEPT tcp 10.1.2.3:49152 -> 172.31.16.139:443',
    ecs: { version: '8.11.0' },
    event: {
      id: 'smoke-1',
      kind: 'event',
      category: ['network'],
      type: ['connection', 'allowed'],
      action: 'ACCEPT',
      outcome: 'success',
      dataset: 'aws.vpcflow',
      module: 'tributary',
      start: '2026-03-01T12:00:00.000Z',
      end: '2026-03-01T12:00:05.000Z',
    },
    cloud: { provider: 'aws', account: { id: '123456789012' }, region: 'us-east-1' },
    source: { ip: '10.1.2.3', port: 49152, bytes: 4200, packets: 12 },
    destination: { ip: '172.31.16.139', port: 443 },
    network: { transport: 'tcp', iana_number: '6', type: 'ipv4', direction: 'ingress', bytes: 4200, packets: 12 },
  };

  beforeAll(async () => {
    await os('PUT', `/_component_template/${components[0]}`, { template: { mappings: mappings.base } });
    await os('PUT', `/_component_template/${components[1]}`, { template: { mappings: mappings.vpcflow } });
    await os('PUT', `/_index_template/${name}`, {
      index_patterns: [`${name}-*`],
      priority: 500,
      composed_of: components,
      template: { settings: { number_of_shards: 1, number_of_replicas: 0 } },
    });
  });

  afterAll(async () => {
    // Best effort, in dependency order; a failure here must not hide the test's own result.
    await osRequest('DELETE', `/${index}`);
    await osRequest('DELETE', `/_index_template/${name}`);
    for (const c of components) await osRequest('DELETE', `/_component_template/${c}`);
  });

  it('indexes a schema-valid document and finds it by keyword and by ip', async () => {
    expectValid(doc);
    const put = await os<{ result: string }>('PUT', `/${index}/_doc/${docId}`, doc);
    expect(put.result).toBe('created');
    await os('POST', `/${index}/_refresh`);

    // The index got the merged mapping from both components, with the declared types.
    const mapping = await os<Record<string, { mappings: Props & { dynamic?: unknown } }>>('GET', `/${index}/_mapping`);
    const props = mapping[index].mappings.properties ?? {};
    expect(String(mapping[index].mappings.dynamic)).toBe('false');
    expect(props.source.properties?.ip.type).toBe('ip');
    expect(props.event.properties?.dataset.type).toBe('keyword');
    expect(props.aws.properties?.vpcflow.properties).toEqual(mappings.vpcflow.properties.aws.properties.vpcflow.properties);

    const byKeyword = await os<SearchHits>('POST', `/${index}/_search`, {
      query: { bool: { filter: [{ term: { 'event.dataset': 'aws.vpcflow' } }, { term: { 'network.transport': 'tcp' } }] } },
    });
    expect(byKeyword.hits.total.value).toBe(1);
    expect(byKeyword.hits.hits[0]._id).toBe(docId);
    expect(byKeyword.hits.hits[0]._source).toEqual(doc);

    // CIDR matching only works on a real `ip` field (a keyword would match nothing).
    const byCidr = await os<SearchHits>('POST', `/${index}/_search`, { query: { term: { 'source.ip': '10.0.0.0/8' } } });
    expect(byCidr.hits.total.value).toBe(1);
    const otherNet = await os<SearchHits>('POST', `/${index}/_search`, { query: { term: { 'source.ip': '192.168.0.0/16' } } });
    expect(otherNet.hits.total.value).toBe(0);
    const range = await os<SearchHits>('POST', `/${index}/_search`, {
      query: { range: { 'destination.port': { gte: 443, lte: 443 } } },
    });
    expect(range.hits.total.value).toBe(1);
  });

  it('rejects a value of the wrong type for a mapped field', async () => {
    const res = await osRequest<{ error?: { type?: string } }>('PUT', `/${index}/_doc/bad`, { ...doc, source: { ip: 'not-an-ip' } });
    expect(res.status).toBe(400);
    expect(res.body.error?.type).toBe('mapper_parsing_exception');
  });
});

describe('moto: S3 and SQS through SDK v3 configured by the environment', () => {
  beforeAll(() => {
    // Clients below take their endpoint from AWS_ENDPOINT_URL only: make sure that can never be real AWS.
    expect(new URL(awsEndpoint()).hostname).toMatch(/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/);
  });

  it('puts, lists, gets and deletes an S3 object', async () => {
    const s3 = new S3Client({});
    const bucket = uniqueName('smoke-bucket');
    const key = 'archive/source=vpcflow/2026/03/01/part-0001.ndjson';
    const body = JSON.stringify({ '@timestamp': '2026-03-01T12:00:05.000Z', message: 'hello' }) + '\n';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'archive/' }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual([key]);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(got.ContentType).toBe('application/x-ndjson');
      expect(await got.Body?.transformToString()).toBe(body);
      await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'missing' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    } finally {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    }
  });

  it('sends and receives an SQS message', async () => {
    const sqs = new SQSClient({});
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('smoke-queue') }));
    expect(QueueUrl).toBeDefined();
    try {
      const body = JSON.stringify({ bucket: 'b', key: 'k' });
      await sqs.send(new SendMessageCommand({
        QueueUrl,
        MessageBody: body,
        MessageAttributes: { source: { DataType: 'String', StringValue: 'vpcflow' } },
      }));
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2, MessageAttributeNames: ['All'] }));
      expect(got.Messages).toHaveLength(1);
      const [msg] = got.Messages ?? [];
      expect(msg.Body).toBe(body);
      expect(msg.MessageAttributes?.source?.StringValue).toBe('vpcflow');
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: msg.ReceiptHandle }));
      const after = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
      expect(after.Messages ?? []).toHaveLength(0);
    } finally {
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    }
  });
});
