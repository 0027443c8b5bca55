/**
 * S3 ingest Lambda: SQS batch of S3 "object created" notifications (ELB, VPC Flow Logs,
 * CloudTrail, Firehose error records) → normalized NDJSON.gz in the archive, with partial batch
 * responses. Thin: config → `lib/ingest.ts` → batch response.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describeConfig, loadConfig } from '../lib/io/config';
import { createObservability, record } from '../lib/io/observability';
import { ingestDepsFromConfig, ingestMessages } from '../lib/ingest';

const config = loadConfig(process.env, 's3ingest');
const obs = createObservability('s3ingest');
const deps = ingestDepsFromConfig(config);
obs.logger.info('cold start', { config: describeConfig(config) });

async function ingest(event: SQSEvent): Promise<SQSBatchResponse> {
  const out = await ingestMessages(event.Records ?? [], deps);
  for (const r of out.results) {
    if (r.error) obs.logger.error('message failed, SQS will retry it', { messageId: r.messageId, error: r.error });
    for (const o of r.objects) obs.logger.debug('object', { messageId: r.messageId, outputs: o.outputs, source: o.source, ignored: o.ignored, counts: o.tally });
  }
  record(obs, out.tally, { messages: event.Records?.length ?? 0, failedMessages: out.batchItemFailures.length });
  return { batchItemFailures: out.batchItemFailures };
}

export const handler = middy(ingest).use(injectLambdaContext(obs.logger)).use(logMetrics(obs.metrics));
