/**
 * Firehose data-transformation Lambda: CloudWatch Logs payloads → normalized NDJSON records with
 * archive partition keys. Thin: decode envelope → `lib/transform.ts` → response. Design (response
 * budget, partitioning, what becomes ProcessingFailed) is documented in `lib/transform.ts`.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { describeConfig, loadConfig } from '../lib/io/config';
import { type FirehoseTransformEvent, isFirehoseEvent } from '../lib/core/envelopes';
import { createObservability, record } from '../lib/io/observability';
import { type FirehoseTransformResponse, transformFirehose } from '../lib/transform';

// Read once per cold start; an invalid configuration fails the init with every problem listed.
const config = loadConfig(process.env, 'transform');
const obs = createObservability('transform');
obs.logger.info('cold start', { config: describeConfig(config) });

async function transform(event: FirehoseTransformEvent): Promise<FirehoseTransformResponse> {
  if (!isFirehoseEvent(event)) throw new Error('event is not a Firehose data-transformation event');
  const out = transformFirehose(event, {
    now: new Date(),
    includeOriginal: config.includeOriginal,
    mappings: config.sourceMappings,
    sourceOptions: config.sourceOptions,
    responseMaxBytes: config.responseMaxBytes,
  });
  record(obs, out.tally, { records: event.records.length, deliveryStream: event.deliveryStreamArn, processingFailed: out.failedRecords });
  return out.response;
}

export const handler = middy(transform).use(injectLambdaContext(obs.logger)).use(logMetrics(obs.metrics));
