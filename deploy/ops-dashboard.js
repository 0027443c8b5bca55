/**
 * The CloudWatch dashboard of the pipeline (deploy/ops-dashboard.yml), built here because its body is
 * one JSON string and CloudFormation has no way to write JSON from YAML. Returns the `DashboardBody`
 * value: an `Fn::If` over the three deploy modes (created domain; existing endpoint; archive only),
 * each an `Fn::Sub` of the JSON, so widgets of resources a mode does not create are never referenced.
 *
 * Rows: what came in and what became of it per source (received, documents, dropped, failed of the
 * transform and s3ingest; recovered Firehose error records), Firehose (freshness, partitions), the
 * queues (indexer lag = age of the oldest IndexQueue message, DLQ depths), the indexer per source
 * (indexed, dead-lettered, handed back), function errors, and the created domain's health.
 *
 * The Tributary metrics, dimensions and sources below are what lib/io/observability.ts emits;
 * test/unit/deploy-ops.test.ts checks every one against METRIC_NAMES, SOURCE_METRIC_NAMES,
 * METRIC_DIMENSIONS and METRIC_SOURCES, so the dashboard cannot chart a metric nobody sends.
 *
 * @example
 *   # deploy/ops-dashboard.yml
 *   DashboardBody: ${file(./deploy/ops-dashboard.js)}
 */
'use strict';

const NAMESPACE = 'Tributary';
/** lib/io/observability.ts METRIC_SOURCES (schemas/source-list.ts + unknown). */
const SOURCES = ['cloudtrail', 'vpcflow', 'elb', 'apigateway', 'lambda', 'auditd', 'app', 'waf', 'route53resolver', 'networkfirewall', 'cloudfront', 's3access', 'inspector', 'config', 'securityhub', 'guardduty', 'unknown'];
const STAGE = '${StageName}';
const REGION = '${AWS::Region}';
const WIDTH = 8;
const HEIGHT = 6;

/** One metric of a function, per source: `[namespace, name, service, …, stage, …, source, …]`. */
const bySource = (name, service) =>
  SOURCES.map((source) => [NAMESPACE, name, 'service', `tributary-${service}`, 'stage', STAGE, 'source', source, { label: source }]);

const graph = (title, metrics, extra = {}) => ({
  type: 'metric',
  width: WIDTH,
  height: HEIGHT,
  properties: { title, region: REGION, view: 'timeSeries', stacked: false, stat: 'Sum', period: 300, metrics, ...extra },
});

const text = (markdown) => ({ type: 'text', width: 24, height: 2, properties: { markdown } });

const queue = (id, label) => ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', `\${${id}.QueueName}`, { label }];

function widgets({ indexer, domain }) {
  const w = [
    text(
      `## Tributary \`${STAGE}\`: events in, documents out\nPer source, per 5 minutes. received = documents + dropped + failed, for each function. Alarms: deploy/README.md "Operations".`,
    ),
  ];
  for (const [name, what] of [
    ['received', 'Events received'],
    ['documents', 'Documents'],
    ['dropped', 'Dropped (control messages, headers, merged lines)'],
    ['failed', 'Failed (pipeline_error documents)'],
  ]) {
    w.push(graph(`${what}: CloudWatch Logs (transform)`, bySource(name, 'transform')));
    w.push(graph(`${what}: S3 deliveries (s3ingest)`, bySource(name, 's3ingest')));
  }
  w.push(graph('Deferred to S3 ingest (transform: response budget, undecodable records)', bySource('deferred', 'transform')));
  w.push(graph('Recovered from Firehose error objects (s3ingest)', bySource('recovered', 's3ingest')));

  w.push(text('## Firehose and the queues\nIndexer lag is the age of the oldest IndexQueue message; a dead-letter queue holds what was given up on.'));
  const stream = ['DeliveryStreamName', '${DeliveryStream}'];
  w.push(
    graph('Firehose: records in, freshness (s)', [
      ['AWS/Firehose', 'IncomingRecords', ...stream, { label: 'incoming records' }],
      ['AWS/Firehose', 'DeliveryToS3.DataFreshness', ...stream, { label: 'data freshness (s)', stat: 'Maximum', yAxis: 'right' }],
    ]),
  );
  w.push(
    graph(
      'Firehose: active partitions',
      [
        ['AWS/Firehose', 'PartitionCount', ...stream, { label: 'active partitions' }],
        ['AWS/Firehose', 'ActivePartitionsLimit', ...stream, { label: 'limit' }],
        ['AWS/Firehose', 'PartitionCountExceeded', ...stream, { label: 'limit exceeded (1/0)', yAxis: 'right' }],
      ],
      { stat: 'Maximum' },
    ),
  );
  w.push(
    graph('Firehose: transform', [
      ['AWS/Firehose', 'FailedProcessing.Records', ...stream, { label: 'ProcessingFailed records' }],
      ['AWS/Firehose', 'ExecuteProcessing.Success', ...stream, { label: 'invocation success (ratio)', stat: 'Minimum', yAxis: 'right' }],
    ]),
  );
  const lag = [['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', '${IngestQueue.QueueName}', { label: 'IngestQueue (s3ingest)' }]];
  if (indexer) lag.unshift(['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', '${IndexQueue.QueueName}', { label: 'IndexQueue (indexer lag)' }]);
  w.push(graph('Queue lag: age of the oldest message (s)', lag, { stat: 'Maximum' }));
  w.push(
    graph('Dead-letter queues: messages', [queue('IndexDLQ', 'IndexDLQ'), queue('IngestDLQ', 'IngestDLQ'), queue('ReplayFailureQueue', 'ReplayFailureQueue')], {
      stat: 'Maximum',
    }),
  );
  const errors = [
    ['AWS/Lambda', 'Errors', 'FunctionName', '${TransformLambdaFunction}', { label: 'transform' }],
    ['AWS/Lambda', 'Errors', 'FunctionName', '${S3ingestLambdaFunction}', { label: 's3ingest' }],
  ];
  if (indexer) errors.push(['AWS/Lambda', 'Errors', 'FunctionName', '${IndexerLambdaFunction}', { label: 'indexer' }]);
  w.push(graph('Function errors', errors));

  if (indexer) {
    w.push(text('## Indexer\nDocuments indexed into OpenSearch, dead-lettered (errors/indexer/, with the reason) and handed back to SQS for a retry.'));
    w.push(graph('Indexed documents', bySource('indexed', 'indexer')));
    w.push(graph('Dead-lettered documents', bySource('dead_lettered', 'indexer')));
    w.push(graph('Handed back to SQS (OpenSearch unavailable)', bySource('failed', 'indexer')));
  }
  if (domain) {
    const dom = ['DomainName', 'tributary-${StageName}', 'ClientId', '${AWS::AccountId}'];
    w.push(text('## OpenSearch domain'));
    w.push(
      graph(
        'Cluster status and write blocks',
        [
          ['AWS/ES', 'ClusterStatus.red', ...dom, { label: 'red' }],
          ['AWS/ES', 'ClusterStatus.yellow', ...dom, { label: 'yellow' }],
          ['AWS/ES', 'ClusterIndexWritesBlocked', ...dom, { label: 'writes blocked' }],
        ],
        { stat: 'Maximum', period: 60 },
      ),
    );
    w.push(graph('Free storage of the fullest node (MiB)', [['AWS/ES', 'FreeStorageSpace', ...dom, { label: 'free storage (MiB)' }]], { stat: 'Minimum', period: 60 }));
    w.push(graph('JVM memory pressure (%)', [['AWS/ES', 'JVMMemoryPressure', ...dom, { label: 'JVM memory pressure' }]], { stat: 'Maximum', period: 60 }));
  }
  return w;
}

/** The dashboard body of one deploy mode, as JSON text with `${...}` for Fn::Sub. */
function dashboardBody(mode) {
  return JSON.stringify({ widgets: widgets(mode) });
}

module.exports = () => ({
  'Fn::If': [
    'CreateDomain',
    { 'Fn::Sub': dashboardBody({ indexer: true, domain: true }) },
    { 'Fn::If': ['HasOpenSearch', { 'Fn::Sub': dashboardBody({ indexer: true, domain: false }) }, { 'Fn::Sub': dashboardBody({ indexer: false, domain: false }) }] },
  ],
});
module.exports.dashboardBody = dashboardBody;
module.exports.SOURCES = SOURCES;
