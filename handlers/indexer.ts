/**
 * Indexer Lambda: SQS batch of "archive object created" notifications → OpenSearch `_bulk`, with
 * partial batch responses (a message whose object could not be fully indexed is retried by SQS,
 * then goes to its DLQ). Thin: the core and its design are in `lib/indexer.ts` and `lib/bulk.ts`.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describeConfig, loadConfig } from '../lib/io/config';
import { indexMessages } from '../lib/indexer';
import { createObservability, record } from '../lib/io/observability';
import { bulkTransport, createOpenSearchClient, omitIdsFor } from '../lib/io/opensearch';
import { createS3Client } from '../lib/io/s3';

const config = loadConfig(process.env, 'indexer');
const obs = createObservability('indexer');
const s3 = createS3Client();
const transport = bulkTransport(createOpenSearchClient(config.opensearch!));
obs.logger.info('cold start', { config: describeConfig(config) });

async function index(event: SQSEvent): Promise<SQSBatchResponse> {
  const out = await indexMessages(event.Records ?? [], {
    s3,
    archiveBucket: config.archiveBucket!,
    transport,
    bulk: { ...config.bulk, omitIds: omitIdsFor(config.opensearch!) },
    indexPrefix: config.indexPrefix,
  });
  for (const r of out.results) {
    if (r.error) obs.logger.error('message failed, SQS will retry it', { messageId: r.messageId, error: r.error });
    for (const o of r.objects)
      if (o.deadLetterKey) obs.logger.warn('documents dead-lettered', { messageId: r.messageId, key: o.deadLetterKey, counts: o.tally });
  }
  record(obs, out.tally, { messages: event.Records?.length ?? 0, failedMessages: out.batchItemFailures.length });
  return { batchItemFailures: out.batchItemFailures };
}

export const handler = middy(index).use(injectLambdaContext(obs.logger)).use(logMetrics(obs.metrics));
