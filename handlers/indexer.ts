/**
 * Indexer Lambda: SQS batch of "archive object created" notifications → OpenSearch `_bulk`, with
 * partial batch responses (a message whose object could not be fully indexed is retried by SQS,
 * then goes to its DLQ). The invocation's remaining time is the use case's deadline: what it cannot
 * finish in time is handed back the same way. Thin: config → `lib/indexer.ts` (bulk semantics in
 * `lib/io/bulk.ts`).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describeConfig, loadConfig } from '../lib/io/config';
import { createObservability, record } from '../lib/io/observability';
import { indexerDepsFromConfig, indexMessages } from '../lib/indexer';

const config = loadConfig(process.env, 'indexer');
const obs = createObservability('indexer');
const deps = indexerDepsFromConfig(config);
obs.logger.info('cold start', { config: describeConfig(config) });

async function index(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const out = await indexMessages(event.Records ?? [], deps, { remainingMs: () => context.getRemainingTimeInMillis() });
  for (const r of out.results) {
    if (r.handedBack) obs.logger.warn('message handed back before the deadline, SQS will deliver it again', { messageId: r.messageId, handedBack: r.handedBack, error: r.error });
    else if (r.error) obs.logger.error('message failed, SQS will retry it', { messageId: r.messageId, error: r.error });
    for (const o of r.objects)
      if (o.deadLetterKey) obs.logger.warn('documents dead-lettered', { messageId: r.messageId, key: o.deadLetterKey, counts: o.tally });
  }
  if (out.releaseErrors) obs.logger.warn('handed-back messages not released early (they return after the visibility timeout)', { errors: out.releaseErrors });
  record(obs, out.tally, { messages: event.Records?.length ?? 0, failedMessages: out.batchItemFailures.length }, out.bySource);
  return { batchItemFailures: out.batchItemFailures };
}

export const handler = middy(index).use(injectLambdaContext(obs.logger)).use(logMetrics(obs.metrics));
