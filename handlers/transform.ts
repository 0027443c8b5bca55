/**
 * Firehose data-transformation Lambda: CloudWatch Logs payloads → normalized NDJSON records with
 * archive partition keys. Thin: config → `lib/transform.ts` → response. Design (response budget,
 * partitioning, what becomes ProcessingFailed) is documented in `lib/transform.ts`.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { describeConfig, loadConfig } from '../lib/io/config';
import { createObservability, record } from '../lib/io/observability';
import { type FirehoseTransformResponse, transformFromConfig } from '../lib/transform';

// Read once per cold start; an invalid configuration fails the init with every problem listed.
const config = loadConfig(process.env, 'transform');
const obs = createObservability('transform');
const transform = transformFromConfig(config);
obs.logger.info('cold start', { config: describeConfig(config) });

async function handle(event: { records?: unknown[]; deliveryStreamArn?: string }): Promise<FirehoseTransformResponse> {
  const out = transform(event);
  record(obs, out.tally, { records: event.records?.length ?? 0, deliveryStream: event.deliveryStreamArn, processingFailed: out.failedRecords }, out.bySource);
  return out.response;
}

export const handler = middy(handle).use(injectLambdaContext(obs.logger)).use(logMetrics(obs.metrics));
