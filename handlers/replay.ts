/**
 * Replay fan-out Lambda (`tributary replay --remote`): enqueues the archive objects of a time range
 * for the indexer, page by page. Thin: the design is in `lib/replay/remote.ts`.
 *
 * Event: `{ archive: "s3://bucket", since, until, sources?, accounts?, regions?, queueUrl?,
 * maxObjects?, selfInvoke?, cursor?, totals? }`. Environment: `ARCHIVE_BUCKET` (the only bucket it
 * may read), `INDEX_QUEUE_URL` (default queue), `AWS_REGION`.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describeConfig, loadConfig } from '../lib/io/config';
import { createObservability } from '../lib/io/observability';
import { remoteReplayFromConfig, type RemoteReplayEvent, type RemoteReplayResponse } from '../lib/replay/remote';

const config = loadConfig(process.env, 'replay');
const obs = createObservability('replay');
const replay = remoteReplayFromConfig(config);
obs.logger.info('cold start', { config: describeConfig(config) });

async function page(event: RemoteReplayEvent, context: Context): Promise<RemoteReplayResponse> {
  const response = await replay(event, { functionArn: context.invokedFunctionArn, remainingMs: () => context.getRemainingTimeInMillis() });
  obs.metrics.addMetric('replay_enqueued_objects', MetricUnit.Count, response.enqueued);
  obs.metrics.addMetric('replay_enqueued_bytes', MetricUnit.Bytes, response.bytes);
  obs.metrics.addMetric('replay_list_calls', MetricUnit.Count, response.listCalls);
  obs.logger.info('replay page', {
    archive: event.archive,
    since: event.since,
    until: event.until,
    filters: { sources: event.sources, accounts: event.accounts, regions: event.regions },
    enqueued: response.enqueued,
    bytes: response.bytes,
    totals: response.totals,
    done: response.done,
    continuedAsync: response.continuedAsync,
  });
  return response;
}

export const handler = middy(page).use(injectLambdaContext(obs.logger)).use(logMetrics(obs.metrics));
