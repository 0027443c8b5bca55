/**
 * S3 ingest Lambda: SQS batch of S3 "object created" notifications (ELB, VPC Flow Logs,
 * CloudTrail, Firehose error records) → normalized NDJSON.gz in the archive, with partial batch
 * responses. The invocation's remaining time is the use case's deadline: a large object is continued
 * from its checkpoint by the next delivery. Thin: config → `lib/ingest.ts` → batch response.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describeConfig, loadConfig } from '../lib/io/config';
import { createObservability, record } from '../lib/io/observability';
import { ingestDepsFromConfig, ingestMessages } from '../lib/ingest';

const config = loadConfig(process.env, 's3ingest');
const obs = createObservability('s3ingest');
const deps = ingestDepsFromConfig(config);
obs.logger.info('cold start', { config: describeConfig(config) });

async function ingest(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const out = await ingestMessages(event.Records ?? [], deps, { remainingMs: () => context.getRemainingTimeInMillis() });
  for (const r of out.results) {
    if (r.handedBack) obs.logger.warn('message handed back before the deadline, SQS will deliver it again', { messageId: r.messageId, handedBack: r.handedBack, error: r.error });
    else if (r.error) obs.logger.error('message failed, SQS will retry it', { messageId: r.messageId, error: r.error });
    for (const o of r.objects) {
      if (o.checkpointNote) obs.logger.warn('checkpoint', { messageId: r.messageId, note: o.checkpointNote });
      obs.logger.debug('object', { messageId: r.messageId, outputs: o.outputs, source: o.source, ignored: o.ignored, resumedFrom: o.resumedFrom, counts: o.tally });
    }
  }
  if (out.releaseErrors) obs.logger.warn('handed-back messages not released early (they return after the visibility timeout)', { errors: out.releaseErrors });
  record(obs, out.tally, { messages: event.Records?.length ?? 0, failedMessages: out.batchItemFailures.length }, out.bySource);
  return { batchItemFailures: out.batchItemFailures };
}

export const handler = middy(ingest).use(injectLambdaContext(obs.logger)).use(logMetrics(obs.metrics));
