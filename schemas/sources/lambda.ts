/**
 * Fields under `aws.lambda`: platform records (START/END/REPORT/INIT_*, extensions, the JSON log
 * format's `platform.*` records) and the invocation context of runtime lines. Names follow
 * docs/aws-log-formats.md §6 and the Lambda telemetry schema reference.
 */
import { f } from '../dsl';

export const lambda = f.group({
  request_id: f.keyword('Invocation request id (AWS request id).', { example: 'c793869b-ee49-115b-a5b6-4fd21e8dedac' }),
  function_name: f.keyword('Function name (from `/aws/lambda/<name>`, or logged by the function).', { example: 'orders-api' }),
  function_arn: f.keyword('Function ARN, when the function logs it (Powertools context).'),
  function_version: f.keyword('Function version of the invocation or execution environment.', { example: '$LATEST' }),
  execution_environment: f.keyword('Execution environment id, the hex suffix of the log stream name.', {
    example: 'e6f4a0c4241adcd70c262d34c0bbc85c',
  }),
  platform_type: f.keyword('Platform record type, in the JSON log format\'s names (`platform.report`, `platform.start`, `platform.end` for text END lines...).', {
    example: 'platform.report',
  }),
  runtime_version: f.keyword('Runtime version of INIT_START.', { example: 'python:3.13.v43' }),
  runtime_version_arn: f.keyword('Runtime version ARN of INIT_START.'),
  initialization_type: f.keyword('on-demand, provisioned-concurrency or snap-start.'),
  phase: f.keyword('init or invoke (INIT_REPORT, platform.init*).'),
  cold_start: f.boolean('Whether the invocation was a cold start (Powertools context, or an Init Duration in REPORT).'),
  memory_size_mb: f.long('Configured memory, as logged by the function (Powertools context).'),
  tenant_id: f.keyword('Tenant id of tenant-isolated functions (JSON log format `tenantId`).'),
  report: f.group({
    duration_ms: f.double('Invocation duration in milliseconds.', { example: 128.83 }),
    billed_duration_ms: f.double('Billed duration in milliseconds.', { example: 200 }),
    memory_size_mb: f.long('Configured memory in MB.', { example: 128 }),
    max_memory_used_mb: f.long('Peak memory used in MB.', { example: 74 }),
    init_duration_ms: f.double('Init phase duration (cold starts only).', { example: 166.62 }),
    restore_duration_ms: f.double('SnapStart restore duration.'),
    billed_restore_duration_ms: f.double('Billed SnapStart restore duration.'),
    status: f.keyword('success, timeout, error... (`Status:` of REPORT / INIT_REPORT).', { example: 'timeout' }),
    error_type: f.keyword('Error Type of REPORT / INIT_REPORT.', { example: 'Runtime.OutOfMemory' }),
    produced_bytes: f.long('Bytes the runtime produced (platform.runtimeDone).'),
  }),
  tracing: f.group({
    segment_id: f.keyword('X-Ray segment id of REPORT.'),
    sampled: f.boolean('Whether the X-Ray trace was sampled.'),
  }),
  extension: f.group({
    name: f.keyword('Extension name (EXTENSION / TELEMETRY / LOGS lines, platform.extension).', { example: 'datadog-agent' }),
    state: f.keyword('Extension state (Ready, Subscribed...).'),
    events: f.keyword('Events or types the extension registered for.', { array: true }),
  }),
  logs_dropped: f.group({
    records: f.long('Records dropped (platform.logsDropped).'),
    bytes: f.long('Bytes dropped (platform.logsDropped).'),
  }),
});
