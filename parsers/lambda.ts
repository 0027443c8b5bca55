/**
 * Lambda logs (docs/aws-log-formats.md §6): platform lines (START, END, REPORT, INIT_START,
 * INIT_REPORT, EXTENSION/TELEMETRY/LOGS, `Task timed out`, runtime exits), runtime text lines of
 * Node.js (`ts\treqid\tLEVEL\tmsg`) and Python (`[LEVEL]\tts\treqid\tmsg`), the JSON log format
 * (application records and `platform.*` records), and anything else a function prints (handled by
 * the application-log rules). Stack traces split over several events of a batch become one document.
 *
 * @example lambdaParser.parse([{ message: 'REPORT RequestId: 3f1a…\tDuration: 128.83 ms\tBilled Duration: 200 ms\tMemory Size: 128 MB\tMax Memory Used: 74 MB', key: 'k' }], { logGroup: '/aws/lambda/orders-api' })
 * // → aws.lambda.report.duration_ms 128.83, event.duration 128830000, service.name orders-api
 */
import { applyContinuation, mapJsonRecord, parseJsonObject, parseTextLine, trimEventText } from './app';
import { isoFromEpoch, isoFromLogTime, isoFromTimeValue } from './logtime';
import { levelFromName } from './levels';
import { exceptionOf, groupLines } from './multiline';
import { DATASETS, type Fields, type Outcome, type ParseContext, type Parser, type ParserMeta, type RawEvent } from './types';

type Json = Record<string, unknown>;
type LambdaFields = NonNullable<NonNullable<Fields['aws']>['lambda']>;
type Report = NonNullable<LambdaFields['report']>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const REQUEST_ID = /^[0-9a-zA-Z]{8}-[0-9a-zA-Z]{4}-[0-9a-zA-Z]{4}-[0-9a-zA-Z]{4}-[0-9a-zA-Z]{12}$/;
const STREAM = /^\d{4}\/\d{2}\/\d{2}\/(?:[^[]*)\[([^\]]+)\]([0-9a-f]+)$/;

/**
 * Function name of a default Lambda log group (`/aws/lambda/<name>`), else undefined: with advanced
 * logging controls a function may log anywhere, so other groups say nothing about the function.
 */
export function functionNameFromLogGroup(logGroup: string | undefined): string | undefined {
  if (!logGroup?.startsWith('/aws/lambda/')) return undefined;
  const name = logGroup.slice('/aws/lambda/'.length);
  return name && !name.includes('/') ? name : undefined;
}

const KNOWN_KEYS = new Set([
  'RequestId', 'Duration', 'Billed Duration', 'Memory Size', 'Max Memory Used', 'Init Duration', 'Restore Duration',
  'Billed Restore Duration', 'XRAY TraceId', 'SegmentId', 'Sampled', 'Status', 'Error Type', 'Runtime Version',
  'Runtime Version ARN', 'Phase', 'Name', 'State', 'Events', 'Types',
]);

/** `Key: value` pairs of a platform line, keys being capitalised words (`Max Memory Used`). */
function keyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)*): /g;
  const s = text.length > 4096 ? text.slice(0, 4096) : text;
  let prev: { key: string; start: number } | undefined;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    // With spaces instead of tabs, `128 MB Max Memory Used: ` matches as key `MB Max Memory Used`:
    // the key is the longest known suffix, the words before it belong to the previous value.
    let key = m[1];
    let at = m.index;
    if (!KNOWN_KEYS.has(key)) {
      const words = key.split(' ');
      for (let i = 1; i < words.length; i++) {
        const suffix = words.slice(i).join(' ');
        if (KNOWN_KEYS.has(suffix)) {
          at += key.length - suffix.length;
          key = suffix;
          break;
        }
      }
    }
    if (prev) out.set(prev.key, s.slice(prev.start, at).trim());
    prev = { key, start: m.index + m[0].length };
  }
  if (prev) out.set(prev.key, s.slice(prev.start).trim());
  return out;
}

const numberOf = (v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = parseFloat(v);
  return Number.isFinite(n) ? n : undefined;
};
const intOf = (v: string | undefined): number | undefined => {
  const n = numberOf(v);
  return n === undefined ? undefined : Math.round(n);
};
const nanos = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms * 1e6));

/** X-Ray root trace id of `Root=1-...;Parent=...;Sampled=1`, or the id itself. */
function xrayRoot(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const i = v.indexOf('Root=');
  if (i < 0) return v;
  const end = v.indexOf(';', i);
  return v.slice(i + 5, end < 0 ? undefined : end);
}

/**
 * A copy of `o` without its undefined values, or undefined when none is left. A copy, not `delete`s
 * on `o`: a deleted key turns an object into a slow dictionary, and these are every document's
 * `aws.lambda` (a fifth of this parser's time, and slower to serialize and redact).
 */
function clean<T extends object>(o: T): T | undefined {
  let out: Record<string, unknown> | undefined;
  for (const k in o) {
    const v = o[k];
    if (v !== undefined) (out ??= {})[k] = v;
  }
  return out as T | undefined;
}

interface Built {
  fields: Fields;
  lambda: LambdaFields;
}

/**
 * ECS categorization of platform records: the lifecycle of the function's process (init, invocation
 * start and end; reports and notices are `info`). What the function itself prints stays uncategorized,
 * like any application log (ECS: leave the fields empty rather than guess).
 */
function platformType(type: string): 'start' | 'end' | 'info' {
  if (type === 'platform.start' || type === 'platform.initStart') return 'start';
  if (type === 'platform.end' || type === 'platform.runtimeDone' || type === 'platform.runtimeError' || type === 'platform.timeout' || type === 'platform.fault') return 'end';
  return 'info';
}

function platform(type: string, message: string): Built {
  const lambda: LambdaFields = { platform_type: type };
  return { lambda, fields: { message, event: { action: type } } };
}

function applyReport(b: Built, kv: Map<string, string>): void {
  const report: Report = {
    duration_ms: numberOf(kv.get('Duration')),
    billed_duration_ms: numberOf(kv.get('Billed Duration')),
    memory_size_mb: intOf(kv.get('Memory Size')),
    max_memory_used_mb: intOf(kv.get('Max Memory Used')),
    init_duration_ms: numberOf(kv.get('Init Duration')),
    restore_duration_ms: numberOf(kv.get('Restore Duration')),
    billed_restore_duration_ms: numberOf(kv.get('Billed Restore Duration')),
    status: kv.get('Status')?.toLowerCase(),
    error_type: kv.get('Error Type'),
  };
  b.lambda.report = clean(report);
  if (report.init_duration_ms !== undefined) b.lambda.cold_start = true;
  const event = (b.fields.event ??= {});
  // REPORT is the invocation's metrics record; failures still show through event.outcome.
  event.kind = 'metric';
  event.duration = nanos(report.duration_ms);
  finishStatus(b, report.status, report.error_type);
  const trace = kv.get('XRAY TraceId');
  if (trace) b.fields.trace = { id: trace };
  const segment = kv.get('SegmentId');
  const sampled = kv.get('Sampled');
  const tracing = clean({ segment_id: segment, sampled: sampled === undefined ? undefined : sampled === 'true' });
  if (tracing) b.lambda.tracing = tracing;
}

function finishStatus(b: Built, status: string | undefined, errorType: string | undefined): void {
  const event = (b.fields.event ??= {});
  if (status && status !== 'success') {
    // A timeout has no Error Type in REPORT: `aws.lambda.report.status` says it, no error type is invented.
    event.outcome = 'failure';
  } else if (status === 'success') event.outcome = 'success';
  if (errorType && !b.fields.error?.type) b.fields.error = { ...b.fields.error, type: errorType };
}

const LOOSE_ID = /^[0-9A-Za-z][0-9A-Za-z-]{7,63}$/;

/** The request id token after `prefix` (documentation ids such as `1c8df7d3-xmpl-...` included). */
function requestIdAfter(prefix: string, text: string): string | undefined {
  const rest = text.slice(prefix.length);
  const end = rest.search(/\s/);
  const id = end < 0 ? rest : rest.slice(0, end);
  return LOOSE_ID.test(id) ? id : undefined;
}

/** Platform text lines; undefined when the text is not one. */
function platformText(text: string): Built | undefined {
  const c = text.charCodeAt(0);
  if (c === 83 /* S */ && text.startsWith('START RequestId: ')) {
    const b = platform('platform.start', text);
    b.lambda.request_id = requestIdAfter('START RequestId: ', text);
    const v = text.indexOf(' Version: ');
    if (v > 0) b.lambda.function_version = text.slice(v + 10).trim().split(/\s/)[0];
    return b;
  }
  if (c === 69 /* E */) {
    if (text.startsWith('END RequestId: ')) {
      const b = platform('platform.end', text);
      b.lambda.request_id = requestIdAfter('END RequestId: ', text);
      return b;
    }
    if (text.startsWith('EXTENSION')) return extension('platform.extension', text, 'Events');
  }
  if (c === 82 /* R */) {
    if (text.startsWith('REPORT RequestId: ')) {
      const b = platform('platform.report', text);
      const kv = keyValues(text.slice(7));
      const id = kv.get('RequestId');
      b.lambda.request_id = id && LOOSE_ID.test(id) ? id : undefined;
      applyReport(b, kv);
      return b;
    }
    if (text.startsWith('RequestId: ') && text.includes(' Error: ')) {
      // `RequestId: <id> Error: Runtime exited with error: signal: killed\nRuntime.ExitError`
      const b = platform('platform.runtimeError', text);
      b.lambda.request_id = requestIdAfter('RequestId: ', text);
      const e = text.indexOf(' Error: ');
      const nl = text.indexOf('\n', e);
      const message = (nl < 0 ? text.slice(e + 8) : text.slice(e + 8, nl)).trim();
      const tail = nl < 0 ? '' : text.slice(nl + 1).trim();
      const type = /^Runtime\.\w+$/.test(tail) ? tail : / (Runtime\.\w+)$/.exec(message)?.[1];
      b.fields.error = clean({ message: type && message.endsWith(type) ? message.slice(0, -type.length).trim() : message, type });
      b.fields.event!.outcome = 'failure';
      return b;
    }
  }
  if (c === 73 /* I */) {
    if (text.startsWith('INIT_START')) {
      const b = platform('platform.initStart', text);
      const kv = keyValues(text.slice(10));
      b.lambda.runtime_version = kv.get('Runtime Version');
      b.lambda.runtime_version_arn = kv.get('Runtime Version ARN');
      return b;
    }
    if (text.startsWith('INIT_REPORT')) {
      const b = platform('platform.initReport', text);
      const kv = keyValues(text.slice(11));
      const init = numberOf(kv.get('Init Duration'));
      b.lambda.phase = kv.get('Phase');
      b.lambda.report = clean({ init_duration_ms: init, status: kv.get('Status')?.toLowerCase(), error_type: kv.get('Error Type') });
      b.fields.event!.duration = nanos(init);
      finishStatus(b, kv.get('Status')?.toLowerCase(), kv.get('Error Type'));
      return b;
    }
  }
  if (c === 84 /* T */ && text.startsWith('TELEMETRY')) return extension('platform.telemetrySubscription', text, 'Types');
  if (c === 76 /* L */ && text.startsWith('LOGS') && (text[4] === '\t' || text[4] === ' ')) return extension('platform.logsSubscription', text, 'Types');
  return undefined;
}

function extension(type: string, text: string, listKey: string): Built {
  const b = platform(type, text);
  const kv = keyValues(text);
  const list = kv.get(listKey);
  b.lambda.extension = clean({
    name: kv.get('Name'),
    state: kv.get('State'),
    events: list ? list.replace(/^\[|\]$/g, '').split(',').map((s) => s.trim()).filter(Boolean) : undefined,
  });
  return b;
}

/**
 * `Invoke Error`, `Uncaught Exception` and `Unhandled Promise Rejection` lines of the Node.js
 * runtime carry the error as JSON after a tab: `{"errorType":"Error","errorMessage":"boom","stack":[...]}`.
 */
function runtimeErrorJson(message: string): Fields['error'] | undefined {
  const brace = message.indexOf('{');
  if (brace < 0 || brace > 40) return undefined;
  const obj = parseJsonObject(message.slice(brace));
  if (!obj) return undefined;
  const stack = obj.stack ?? obj.stackTrace ?? obj.trace;
  return clean({
    type: str(obj.errorType),
    message: str(obj.errorMessage),
    stack_trace: Array.isArray(stack) ? stack.filter((s) => typeof s === 'string').join('\n') || undefined : str(stack),
  });
}

/** Fields of a runtime application message (the text after the runtime's prefix). */
function applicationMessage(message: string): Fields {
  const nl = message.indexOf('\n');
  const first = nl < 0 ? message : message.slice(0, nl);
  if (first.startsWith('Invoke Error') || first.startsWith('Uncaught Exception') || first.startsWith('Unhandled Promise Rejection')) {
    const error = runtimeErrorJson(message);
    if (error) return { message: first.split('\t')[0].trim(), error };
  }
  const obj = message[0] === '{' ? parseJsonObject(message) : undefined;
  if (obj) {
    const f = mapJsonRecord(obj);
    if (f.message === undefined) f.message = message;
    return f;
  }
  const f: Fields = { message: nl < 0 ? message : first };
  if (nl >= 0) applyContinuation(f, first, message.slice(nl + 1));
  return f;
}

/** Splits `a\tb\tc\td...` into n parts, also accepting the documentation's two-or-more-spaces rendering. */
function splitFields(text: string, n: number): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  for (let k = 0; k < n - 1; k++) {
    let j = text.indexOf('\t', i);
    let next = j + 1;
    const sp = text.indexOf('  ', i);
    if (sp >= 0 && (j < 0 || sp < j)) {
      j = sp;
      next = sp;
      while (text[next] === ' ') next++;
    }
    if (j < 0 || j - i > 64) return undefined;
    parts.push(text.slice(i, j));
    i = next;
  }
  parts.push(text.slice(i));
  return parts;
}

/** Node.js runtime: `2024-01-02T03:04:05.678Z\t<requestId>\tINFO\tmessage`. */
function nodeLine(text: string): { fields: Fields; requestId?: string } | undefined {
  const c = text.charCodeAt(0);
  if (c < 48 || c > 57 || text.length < 30) return undefined;
  const timedOut = text.indexOf(' Task timed out after ');
  if (timedOut > 0 && timedOut < 80) {
    // `<ts> <requestId> Task timed out after 3.00 seconds` (space separated, older runtimes).
    const sp = text.slice(0, timedOut).split(' ');
    const ts = isoFromLogTime(sp[0]);
    if (sp.length === 2 && ts && REQUEST_ID.test(sp[1])) {
      const message = text.slice(timedOut + 1);
      const seconds = parseFloat(message.slice('Task timed out after '.length));
      const b = platform('platform.timeout', message);
      const fields = b.fields;
      fields['@timestamp'] = ts;
      b.lambda.request_id = sp[1];
      b.lambda.report = { status: 'timeout' };
      fields.event!.outcome = 'failure';
      if (Number.isFinite(seconds)) fields.event!.duration = Math.round(seconds * 1e9);
      fields.error = { message };
      fields.aws = { lambda: b.lambda };
      return { fields, requestId: sp[1] };
    }
  }
  const p = splitFields(text, 4);
  if (!p) return undefined;
  const ts = isoFromLogTime(p[0]);
  if (!ts) return undefined;
  const level = levelFromName(p[2]);
  if (!level || !(REQUEST_ID.test(p[1]) || p[1] === 'undefined')) return undefined;
  const fields = applicationMessage(p[3]);
  fields['@timestamp'] = ts;
  fields.log = { ...fields.log, level };
  return { fields, requestId: p[1] === 'undefined' ? undefined : p[1] };
}

/** Python runtime: `[INFO]\t2024-01-02T03:04:05.678Z\t<requestId>\tmessage`, or `[ERROR] KeyError: 'x'\nTraceback...`. */
function pythonLine(text: string): { fields: Fields; requestId?: string } | undefined {
  const end = text.indexOf(']');
  if (end < 2 || end > 10) return undefined;
  const level = levelFromName(text.slice(1, end));
  if (!level) return undefined;
  const rest = text.slice(end + 1).replace(/^[\t ]+/, '');
  const p = splitFields(rest, 3);
  if (p && REQUEST_ID.test(p[1])) {
    const ts = isoFromLogTime(p[0]);
    if (ts) {
      const fields = applicationMessage(p[2]);
      fields['@timestamp'] = ts;
      fields.log = { ...fields.log, level };
      return { fields, requestId: p[1] };
    }
  }
  // Uncaught exception: `[ERROR] Runtime.ImportModuleError: Unable to import module 'x'\nTraceback ...`.
  const nl = rest.indexOf('\n');
  const first = nl < 0 ? rest : rest.slice(0, nl);
  const fields: Fields = { message: first, log: { level } };
  if (nl >= 0) {
    fields.error = { stack_trace: rest.slice(nl + 1) };
  }
  const ex = exceptionOf(first);
  if (ex.type) fields.error = clean({ ...fields.error, type: ex.type, message: ex.message });
  return { fields };
}

/**
 * A readable message for a JSON platform record, like the text format's line:
 * `platform.report requestId=… status=success durationMs=80.71 billedDurationMs=81 …`.
 */
function summary(type: string, record: unknown): string {
  if (!isObj(record)) return typeof record === 'string' ? trimEventText(record) : type;
  const parts = [type];
  const add = (o: Json, depth: number) => {
    for (const [k, v] of Object.entries(o)) {
      if (parts.length > 24) return;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') parts.push(`${k}=${String(v).slice(0, 200)}`);
      else if (isObj(v) && depth < 1 && k !== 'tracing') add(v, depth + 1);
      else if (Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length) parts.push(`${k}=${v.join(',').slice(0, 200)}`);
    }
  };
  add(record, 0);
  return parts.join(' ');
}

/** JSON log format records (`platform.*` and application records). */
function jsonRecord(obj: Json, text: string): { fields: Fields; lambda: LambdaFields; requestId?: string } {
  const type = str(obj.type);
  if (type && (type.startsWith('platform.') || type === 'function' || type === 'extension') && 'record' in obj) {
    const b = platform(type, summary(type, obj.record));
    const ts = isoFromTimeValue(obj.time);
    if (ts) b.fields['@timestamp'] = ts;
    const r = obj.record;
    if (!isObj(r)) {
      // Logs API `function`/`extension`/`platform.fault` records carry the text itself.
      b.fields.message = typeof r === 'string' ? trimEventText(r) : text;
      if (type === 'platform.fault') b.fields.event!.outcome = 'failure';
      return { fields: b.fields, lambda: b.lambda };
    }
    const lambda = b.lambda;
    lambda.request_id = str(r.requestId);
    lambda.function_version = str(r.version) ?? str(r.functionVersion);
    lambda.runtime_version = str(r.runtimeVersion);
    lambda.runtime_version_arn = str(r.runtimeVersionArn);
    lambda.initialization_type = str(r.initializationType);
    lambda.phase = str(r.phase);
    if (str(r.functionName)) lambda.function_name = str(r.functionName);
    const m = isObj(r.metrics) ? r.metrics : {};
    const status = str(r.status)?.toLowerCase();
    const errorType = str(r.errorType);
    const report: Report = { status, error_type: errorType };
    let duration: number | undefined = num(m.durationMs);
    if (type === 'platform.report') {
      report.duration_ms = num(m.durationMs);
      report.billed_duration_ms = num(m.billedDurationMs);
      report.memory_size_mb = num(m.memorySizeMB);
      report.max_memory_used_mb = num(m.maxMemoryUsedMB);
      report.init_duration_ms = num(m.initDurationMs);
      report.restore_duration_ms = num(m.restoreDurationMs);
      report.billed_restore_duration_ms = num(m.billedRestoreDurationMs);
      if (report.init_duration_ms !== undefined) lambda.cold_start = true;
      b.fields.event!.kind = 'metric';
    } else if (type === 'platform.initReport') report.init_duration_ms = num(m.durationMs);
    else if (type === 'platform.restoreReport') report.restore_duration_ms = num(m.durationMs);
    else if (type === 'platform.runtimeDone') report.produced_bytes = num(m.producedBytes);
    else if (type === 'platform.logsDropped') {
      lambda.logs_dropped = clean({ records: num(r.droppedRecords), bytes: num(r.droppedBytes) });
      b.fields.event!.reason = str(r.reason);
      duration = undefined;
    } else if (type === 'platform.extension' || type === 'platform.telemetrySubscription' || type === 'platform.logsSubscription') {
      const list = Array.isArray(r.events) ? r.events : Array.isArray(r.types) ? r.types : undefined;
      lambda.extension = clean({ name: str(r.name), state: str(r.state), events: list?.filter((x): x is string => typeof x === 'string') });
    }
    lambda.report = clean(report);
    b.fields.event!.duration = nanos(duration);
    if (type === 'platform.report' || type === 'platform.initReport' || type === 'platform.runtimeDone' || type === 'platform.restoreReport' || type === 'platform.initRuntimeDone')
      finishStatus(b, status, errorType);
    const tracing = isObj(r.tracing) ? r.tracing : undefined;
    const trace = xrayRoot(str(tracing?.value));
    if (trace) b.fields.trace = { id: trace };
    return { fields: b.fields, lambda, requestId: lambda.request_id };
  }
  // Without `aws` (it becomes `lambda`): a copy, because `delete` makes the document a slow dictionary.
  const { aws, ...fields } = mapJsonRecord(obj);
  const lambda: LambdaFields = { ...aws?.lambda };
  if (fields.message === undefined) fields.message = text;
  return { fields, lambda, requestId: lambda.request_id };
}

/** Lambda-specific continuation: the XRAY line of a wrapped REPORT, the exit type after a runtime exit. */
function lambdaContinuation(line: string, first: string): boolean {
  if (line.startsWith('XRAY TraceId:')) return first.startsWith('REPORT RequestId:');
  if (line.startsWith('Runtime.')) return first.startsWith('RequestId: ') && /^Runtime\.\w+$/.test(line);
  return false;
}

const yearOf = (e: RawEvent | undefined): number | undefined => {
  const iso = e?.timestamp === undefined ? undefined : isoFromEpoch(e.timestamp);
  return iso ? Number(iso.slice(0, 4)) : undefined;
};

/** Parses one Lambda event's text (possibly several grouped lines). */
export function parseLambdaText(text: string, event: RawEvent | undefined): { fields: Fields; lambda: LambdaFields; requestId?: string } {
  const p = platformText(text);
  if (p) return { fields: p.fields, lambda: p.lambda, requestId: p.lambda.request_id };
  const c = text[0];
  if (c === '{') {
    const obj = parseJsonObject(text);
    if (obj) return jsonRecord(obj, text);
  }
  const node = c >= '0' && c <= '9' ? nodeLine(text) : undefined;
  if (node) {
    const { aws, ...fields } = node.fields;
    const lambda: LambdaFields = { ...aws?.lambda };
    if (node.requestId) lambda.request_id = node.requestId;
    return { fields, lambda, requestId: node.requestId };
  }
  const py = c === '[' ? pythonLine(text) : undefined;
  if (py) return { fields: py.fields, lambda: py.requestId ? { request_id: py.requestId } : {}, requestId: py.requestId };
  // print()/puts/extension output: application-log rules (timestamps, levels, stack traces).
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  const r = parseTextLine(first, yearOf(event));
  // Lambda documents keep only app.fields of JSON records: the fields without `app`, copied (a
  // `delete` would make every printed line's document a slow dictionary).
  const { app: _app, ...fields } = r.fields;
  applyContinuation(fields, typeof fields.message === 'string' ? fields.message : first, nl < 0 ? '' : text.slice(nl + 1));
  return { fields, lambda: r.requestId ? { request_id: r.requestId } : {}, requestId: r.requestId };
}

function streamInfo(ctx: ParseContext): { version?: string; env?: string } {
  const m = ctx.logStream ? STREAM.exec(ctx.logStream) : null;
  return m ? { version: m[1], env: m[2] } : {};
}

export const lambdaParser: Parser = {
  source: 'lambda',
  parse(events, ctx) {
    const functionName = functionNameFromLogGroup(ctx.logGroup);
    const stream = streamInfo(ctx);
    const texts = events.map((e) => trimEventText(e.message));
    const out: Outcome[] = [];
    // Classic Lambda runs one request at a time per stream: lines without a request id (print
    // output) belong to the request between START and END within this batch.
    let current: string | undefined;
    let currentVersion: string | undefined;
    for (const group of groupLines(texts, { extra: lambdaContinuation })) {
      const i = group[0];
      if (!texts[i].trim()) {
        out.push({ kind: 'drop', index: i, reason: 'blank' });
        continue;
      }
      const text = group.length === 1 ? texts[i] : group.map((k) => texts[k]).join('\n');
      const { fields, lambda } = parseLambdaText(text, events[i]);
      const type = lambda.platform_type;
      if (type === 'platform.start') {
        current = lambda.request_id;
        currentVersion = lambda.function_version;
      }
      const inInvocation = !type?.startsWith('platform.init') && (!lambda.request_id || lambda.request_id === current);
      if (inInvocation && current) {
        lambda.request_id ??= current;
        if (currentVersion) lambda.function_version ??= currentVersion;
      }
      if (type === 'platform.report') current = currentVersion = undefined;
      lambda.function_name ??= functionName;
      if (!lambda.function_version && stream.version) lambda.function_version = stream.version;
      if (stream.env) lambda.execution_environment = stream.env;
      const cleaned = clean(lambda);
      if (cleaned) fields.aws = { ...fields.aws, lambda: cleaned };
      // ECS `faas.*` (aws.lambda.* stays: dashboards and detections read it). Built key by key: this runs per event.
      const faas: NonNullable<Fields['faas']> = {};
      if (lambda.function_name !== undefined) faas.name = lambda.function_name;
      if (lambda.function_version !== undefined) faas.version = lambda.function_version;
      if (lambda.request_id !== undefined) faas.execution = lambda.request_id;
      if (lambda.cold_start !== undefined) faas.coldstart = lambda.cold_start;
      if (faas.name !== undefined || faas.version !== undefined || faas.execution !== undefined || faas.coldstart !== undefined) fields.faas = faas;
      if (type !== undefined && type.startsWith('platform.')) {
        const event = (fields.event ??= {});
        event.category = ['process'];
        event.type = [platformType(type)];
      }
      fields.cloud = { ...fields.cloud, service: { name: 'lambda' } };
      const fn = lambda.function_name;
      const service = fields.service?.name;
      if (fn && (!service || service === 'service_undefined')) fields.service = { ...fields.service, name: fn };
      out.push({ kind: 'document', fields, indices: group });
    }
    return out;
  },
};

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 'lambda',
  dataset: DATASETS.lambda,
  title: 'AWS Lambda logs: platform lines, Node.js and Python runtime lines, the JSON log format',
  docs: [
    'https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html',
    'https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html',
    'https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html',
    'https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html',
    'https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html',
  ],
  examples: [
    {
      title: 'REPORT platform line of a cold start: durations and memory (function name from the log group)',
      input:
        'REPORT RequestId: 6bc28136-xmpl-4365-b021-0ce6b2e64ab0\tDuration: 2.25 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 72 MB\tInit Duration: 191.21 ms',
      context: { logGroup: '/aws/lambda/my-function' },
      fields: {
        event: { action: 'platform.report', kind: 'metric', duration: 2250000 },
        service: { name: 'my-function' },
        aws: {
          lambda: {
            request_id: '6bc28136-xmpl-4365-b021-0ce6b2e64ab0',
            function_name: 'my-function',
            cold_start: true,
            report: { duration_ms: 2.25, billed_duration_ms: 3, memory_size_mb: 128, max_memory_used_mb: 72, init_duration_ms: 191.21 },
          },
        },
      },
    },
    {
      title: 'Node.js runtime line (`console.info`): time, request id, level, message',
      input: '2019-06-07T19:11:20.562Z\tc793869b-ee49-115b-a5b6-4fd21e8dedac\tINFO\tENVIRONMENT VARIABLES',
      context: { logGroup: '/aws/lambda/my-function' },
      fields: {
        '@timestamp': '2019-06-07T19:11:20.562Z',
        message: 'ENVIRONMENT VARIABLES',
        log: { level: 'info' },
        aws: { lambda: { request_id: 'c793869b-ee49-115b-a5b6-4fd21e8dedac', function_name: 'my-function' } },
      },
    },
    {
      title: 'JSON log format: a platform.start record',
      input: '{"time":"2023-11-01T20:10:00.123Z","type":"platform.start","record":{"requestId":"1c8df7d3-xmpl-46da-9778-518e6eca8125","version":"$LATEST"}}',
      context: { logGroup: '/aws/lambda/my-function' },
      fields: {
        '@timestamp': '2023-11-01T20:10:00.123Z',
        event: { action: 'platform.start' },
        aws: { lambda: { platform_type: 'platform.start', request_id: '1c8df7d3-xmpl-46da-9778-518e6eca8125', function_version: '$LATEST' } },
      },
    },
    {
      title: 'JSON log format: an application record',
      input: '{"timestamp":"2023-11-01T20:10:00.123Z","level":"ERROR","requestId":"1c8df7d3-xmpl-46da-9778-518e6eca8125","message":"payment declined"}',
      context: { logGroup: '/aws/lambda/my-function' },
      fields: {
        message: 'payment declined',
        log: { level: 'error' },
        aws: { lambda: { request_id: '1c8df7d3-xmpl-46da-9778-518e6eca8125' } },
      },
    },
  ],
};
