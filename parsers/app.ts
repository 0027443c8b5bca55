/**
 * Application logs: JSON lines from the usual loggers (pino, bunyan, winston, Powertools, ECS
 * loggers, the Lambda JSON log format), text lines with a timestamp and a level, syslog (RFC 3164 and
 * 5424), nginx/Apache access logs (IPv6 or host-name clients, virtual-host prefixes, X-Forwarded-For),
 * Apache error logs, pino-pretty output, Java/Tomcat lines, and anything else as a plain
 * `message`. Stack traces split over several events of a batch are grouped into one document.
 *
 * Unknown JSON keys go to `app.fields` (one `flat_object`, bounded in key count and size) so one
 * noisy application cannot explode the index mapping.
 *
 * @example appParser.parse([{ message: '{"level":30,"time":1700000000123,"pid":7,"hostname":"web-1","msg":"listening"}', key: 'k' }], {})
 * // → message 'listening', log.level 'info', @timestamp 2023-11-14T22:13:20.123Z, app.format 'pino'
 */
import { isIP } from 'node:net';
import { jsonText, setOwn, tooManyContainers } from './json';
import { isoFromEpoch, isoFromLogTime, isoFromParts, isoFromTimeValue, monthIndex, offsetMinutes } from './logtime';
import { levelFromName, levelFromSyslogSeverity, levelFromValue, type Level } from './levels';
import { exceptionOf, groupLines, hasStackTrace, isExceptionHeader } from './multiline';
import { decodeUrl } from './tokenize';
import { DATASETS, type Fields, type Outcome, type ParseContext, type Parser, type ParserMeta, type RawEvent } from './types';

type Json = Record<string, unknown>;
type AppFormat = NonNullable<NonNullable<Fields['app']>['format']>;

/** Bounds of `app.fields`: top-level keys, serialized characters, one string's characters, nesting. */
export const APP_FIELDS_MAX_KEYS = 64;
export const APP_FIELDS_MAX_CHARS = 16 * 1024;
const MAX_STRING = 2048;
const MAX_DEPTH = 4;
/** Bound of a JSON value serialized into a text field (`message`, a stack trace line): a CloudWatch Logs event's 1 MiB. */
const MAX_JSON_TEXT = 1024 * 1024;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
};
const int = (v: unknown): number | undefined => {
  const n = num(v);
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
};

/**
 * Tag of a document whose log line had a time that is no real time (a day that does not exist, out of
 * the event window): the time is not rolled over (`2026-02-30` is never March 2), `@timestamp` falls
 * back to the envelope's or the ingest time, and this tag says so.
 */
export const INVALID_TIMESTAMP_TAG = 'invalid_timestamp';
function badTime(out: Json): void {
  out.tags = Array.isArray(out.tags) ? [...(out.tags as unknown[]), INVALID_TIMESTAMP_TAG] : [INVALID_TIMESTAMP_TAG];
}

/** Sets a value at a dotted path of a plain object, creating groups on the way. */
const pathCache = new Map<string, string[]>();
function put(target: Json, path: string, value: unknown): void {
  if (value === undefined) return;
  let parts = pathCache.get(path);
  if (!parts) {
    parts = path.split('.');
    if (pathCache.size < 256) pathCache.set(path, parts);
  }
  let o = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = o[parts[i]];
    if (!isObj(next)) o[parts[i]] = {};
    o = o[parts[i]] as Json;
  }
  o[parts[parts.length - 1]] = value;
}

/**
 * Reads the keys of a JSON log record one by one: `take('log.level')` reads the dotted key or the
 * nested path and marks it used, so what is left at the end (`rest()`) is exactly the unknown part
 * that goes to `app.fields`. The record is never mutated, and no `delete` runs on the hot path
 * (it would turn objects into slow dictionaries).
 */
const splitCache = new Map<string, [string, string[]] | null>();
/** `a.b.c` → `['a', ['b', 'c']]` (cached: the same few dozen paths are asked for every record). */
function splitPath(path: string): [string, string[]] | null {
  let v = splitCache.get(path);
  if (v === undefined) {
    const dot = path.indexOf('.');
    v = dot < 0 ? null : [path.slice(0, dot), path.slice(dot + 1).split('.')];
    if (splitCache.size < 512) splitCache.set(path, v);
  }
  return v;
}

class Taker {
  /** Keys not taken yet: a Map, because deleting from it is cheap (unlike `delete` on an object). */
  private readonly left: Map<string, unknown>;
  /** Copies of nested groups of which some keys were taken (copy-on-write). */
  private groups?: Map<string, Json>;
  private readonly extra: Json = {};
  constructor(obj: Json) {
    // `for…in`, not `new Map(Object.entries(obj))`: no array per key (JSON.parse objects: own keys only).
    this.left = new Map();
    for (const k in obj) this.left.set(k, obj[k]);
  }

  peek(path: string): unknown {
    if (this.left.has(path)) return this.left.get(path);
    const dot = path.indexOf('.');
    if (dot < 0) return undefined;
    let o: unknown = this.groups?.get(path.slice(0, dot)) ?? this.left.get(path.slice(0, dot));
    if (!isObj(o)) return undefined;
    for (const p of path.slice(dot + 1).split('.')) {
      if (!isObj(o)) return undefined;
      o = o[p];
    }
    return o;
  }

  take(path: string): unknown {
    if (this.left.has(path)) {
      const v = this.left.get(path);
      this.left.delete(path);
      return v;
    }
    const split = splitPath(path);
    if (!split) return undefined;
    const [head, parts] = split;
    const existing = this.groups?.get(head);
    const headValue = this.left.get(head);
    if (!existing && !isObj(headValue)) return undefined;
    // Check the path exists before copying anything.
    let probe: unknown = existing ?? headValue;
    for (const p of parts) {
      if (!isObj(probe) || !(p in probe)) return undefined;
      probe = probe[p];
    }
    const root: Json = existing ?? { ...(headValue as Json) };
    if (!existing) (this.groups ??= new Map()).set(head, root);
    let o = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const copy = { ...(o[parts[i]] as Json) };
      o[parts[i]] = copy;
      o = copy;
    }
    const v = o[parts[parts.length - 1]];
    delete o[parts[parts.length - 1]];
    return v;
  }

  /** First present of several paths (all of them are taken). */
  first(...paths: string[]): unknown {
    let found: unknown;
    for (const p of paths) {
      if (!p) continue;
      const v = this.take(p);
      if (found === undefined && v !== undefined && v !== null && v !== '') found = v;
    }
    return found;
  }

  /** Keeps a value in the leftover part (a key whose value could not be mapped). */
  keep(key: string, value: unknown): void {
    this.extra[key] = value;
  }

  /** The keys nobody took, nested groups without their taken keys (empty groups left out). */
  rest(): Json {
    const out: Json = {};
    for (const [k, v] of this.left) {
      const g = this.groups?.get(k);
      if (g) {
        const pruned = prune(g);
        if (pruned !== undefined) setOwn(out, k, pruned);
      } else setOwn(out, k, v);
    }
    for (const k in this.extra) setOwn(out, k, this.extra[k]);
    return out;
  }
}

/** A group without its empty sub-groups, or undefined when nothing is left. */
function prune(o: Json): Json | undefined {
  const out: Json = {};
  let n = 0;
  for (const [k, v] of Object.entries(o)) {
    const p = isObj(v) ? prune(v) : v;
    if (p === undefined) continue;
    setOwn(out, k, p);
    n++;
  }
  return n ? out : undefined;
}

function clipValue(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return v.length > MAX_STRING ? v.slice(0, MAX_STRING) + '…' : v;
  if (v === null || typeof v !== 'object') return v;
  // Deeper structure becomes clipped JSON text: bounded, whatever the nesting (`jsonText` never throws).
  if (depth >= MAX_DEPTH) return jsonText(v, MAX_STRING);
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => clipValue(x, depth + 1));
  const out: Json = {};
  let n = 0;
  for (const [k, x] of Object.entries(v)) {
    if (n++ >= APP_FIELDS_MAX_KEYS) break;
    setOwn(out, k, clipValue(x, depth + 1));
  }
  return out;
}

/**
 * The bounded `app.fields` of the leftover keys: at most APP_FIELDS_MAX_KEYS keys and
 * APP_FIELDS_MAX_CHARS serialized characters; long strings and deep nesting are clipped.
 */
export function boundedFields(rest: Json): { fields?: Json; dropped: number } {
  const fields: Json = {};
  let kept = 0;
  let dropped = 0;
  let size = 2;
  for (const [k, v] of Object.entries(rest)) {
    if (v === undefined) continue;
    const value = clipValue(v, 1);
    const valueSize =
      typeof value === 'string' ? value.length + 2 : typeof value === 'number' || typeof value === 'boolean' || value === null ? 8 : (JSON.stringify(value)?.length ?? 4);
    const cost = k.length + valueSize + 4;
    if (kept >= APP_FIELDS_MAX_KEYS || size + cost > APP_FIELDS_MAX_CHARS || k.length > 256) {
      dropped++;
      continue;
    }
    setOwn(fields, k, value);
    size += cost;
    kept++;
  }
  return kept ? { fields, dropped } : { dropped };
}

/** Parses `module.func:line` (Powertools) or `path:func:line` (Lambda Python JSON) into `log.origin`. */
function origin(location: string): Json | undefined {
  const parts = location.split(':');
  const line = parts.length > 1 ? int(parts[parts.length - 1]) : undefined;
  if (line === undefined) return { function: location };
  if (parts.length >= 3) return { file: { name: parts.slice(0, -2).join(':'), line }, function: parts[parts.length - 2] };
  return { function: parts[0], file: { line } };
}

function stackText(v: unknown): string | undefined {
  if (typeof v === 'string') return v || undefined;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : jsonText(x, MAX_JSON_TEXT))).join('\n') || undefined;
  return undefined;
}

function levelOf(v: unknown): string | undefined {
  const l = levelFromValue(v);
  if (l) return l;
  if (typeof v === 'string' && /^[A-Za-z]{1,16}$/.test(v)) return v.toLowerCase();
  return undefined;
}

function detectJsonFormat(o: Json): AppFormat {
  const level = o.level;
  if (typeof o.v === 'number' && typeof level === 'number' && 'msg' in o && 'hostname' in o) return 'bunyan';
  if (typeof level === 'number' && ('msg' in o || 'time' in o)) return 'pino';
  if (typeof o.requestId === 'string' && 'level' in o && 'timestamp' in o) return 'lambda-json';
  if ('service' in o && 'level' in o && ('location' in o || 'sampling_rate' in o || 'xray_trace_id' in o || 'cold_start' in o || 'function_request_id' in o))
    return 'powertools';
  if ('@timestamp' in o && ('log.level' in o || 'ecs' in o || 'ecs.version' in o || isObj(o.log))) return 'ecs';
  if (typeof level === 'string' && 'message' in o) return 'winston';
  return 'json';
}

/**
 * Maps one parsed JSON log record to document fields. Used by the app parser and by the Lambda
 * parser for application records of functions (Powertools, Lambda JSON format, console JSON).
 * @example mapJsonRecord({ level: 'ERROR', message: 'boom', timestamp: '2024-01-02T03:04:05.678Z', service: 'payment', location: 'collect.handler:15' })
 */
export function mapJsonRecord(obj: Json): Fields {
  const format = detectJsonFormat(obj);
  const t = new Taker(obj);
  const out: Json = {};

  const message = t.first('message', 'msg', 'log.message');
  if (typeof message === 'string') out.message = message;
  else if (message !== undefined) out.message = jsonText(message, MAX_JSON_TEXT);

  const rawLevel = t.first('log.level', 'level', 'severity', 'levelname', 'log_level', 'loglevel');
  const level = levelOf(rawLevel);
  if (level) put(out, 'log.level', level);
  else if (rawLevel !== undefined) t.keep('level', rawLevel); // not a level: kept as logged

  const time = t.first('@timestamp', 'timestamp', 'time', 'ts', 'date', 'asctime', 'datetime');
  const iso = isoFromTimeValue(time);
  if (iso) out['@timestamp'] = iso;
  else if (time !== undefined) {
    t.keep('time', time); // kept as logged when it is not a time
    badTime(out);
  }

  if (format === 'bunyan') t.take('v');
  if (format === 'ecs') {
    t.take('ecs.version');
    t.take('ecs');
  }
  const labels = t.peek('labels');
  if (isObj(labels)) {
    t.take('labels');
    const bounded = boundedFields(labels).fields;
    if (bounded) out.labels = bounded;
  }

  const service = t.first('service.name', 'service');
  // `service_undefined` is Powertools' placeholder for "no service configured".
  if (typeof service === 'string') {
    if (service !== 'service_undefined') put(out, 'service.name', service);
  }
  else if (service !== undefined) t.keep('service', service);
  put(out, 'service.version', str(t.take('service.version')));
  put(out, 'service.environment', str(t.first('service.environment', 'env', 'environment')));

  const host = t.first('host.hostname', 'hostname', 'host.name');
  if (typeof host === 'string') put(out, 'host.hostname', host);
  if (typeof t.peek('host') === 'string') put(out, 'host.hostname', t.take('host'));
  put(out, 'process.pid', int(t.first('process.pid', 'pid')));
  put(out, 'process.name', str(t.take('process.name')));
  put(out, 'app.thread', str(t.first('process.thread.name', 'thread', 'thread_name', 'threadName')));

  const logger = str(t.first('log.logger', 'logger', 'logger_name', 'loggerName', format === 'bunyan' || format === 'pino' ? 'name' : ''));
  put(out, 'log.logger', logger);
  put(out, 'log.origin.function', str(t.take('log.origin.function')));
  put(out, 'log.origin.file.name', str(t.take('log.origin.file.name')));
  put(out, 'log.origin.file.line', int(t.take('log.origin.file.line')));
  const location = str(t.take('location'));
  if (location) put(out, 'log.origin', { ...(origin(location) ?? {}), ...((out.log as Json | undefined)?.origin as Json | undefined) });

  put(out, 'trace.id', str(t.first('trace.id', 'xray_trace_id', 'trace_id', 'traceId', 'traceID')));
  put(out, 'span.id', str(t.first('span.id', 'span_id', 'spanId')));
  put(out, 'transaction.id', str(t.first('transaction.id', 'transaction_id', 'correlation_id')));

  // Errors: Lambda runtimes (errorType/errorMessage/stackTrace), Powertools (exception*), pino `err`,
  // winston/ECS `error`, and a bare `stack`.
  // Read into locals, the object made once at the end: `delete` of the unset keys turned every
  // record's `err` into a slow dictionary (a third of this function's time on JSON logs).
  let errType: string | undefined;
  let errMessage: string | undefined;
  let errStack: string | undefined;
  let errCode: string | undefined;
  let messageFirst = false;
  const errObj = t.peek('err') ?? t.peek('error');
  if (isObj(errObj)) {
    const key = isObj(t.peek('err')) ? 'err' : 'error';
    const e = t.take(key) as Json;
    errType = str(e.type) ?? str(e.name) ?? str(e.errorType);
    errMessage = str(e.message) ?? str(e.errorMessage);
    errStack = stackText(e.stack ?? e.stack_trace ?? e.stackTrace);
    errCode = str(e.code) ?? (typeof e.code === 'number' ? String(e.code) : undefined);
  } else if (typeof t.peek('error') === 'string') {
    errMessage = t.take('error') as string;
    messageFirst = true;
  }
  errType ??= str(t.first('error.type', 'errorType', 'exception_name', 'exc_type'));
  errMessage ??= str(t.first('error.message', 'errorMessage'));
  errStack ??= stackText(t.first('error.stack_trace', 'stackTrace', 'stack_trace', 'stack', 'exception', 'exc_info', 'trace'));
  errCode ??= str(t.take('error.code'));
  if (errStack && (!errType || !errMessage)) {
    const ex = exceptionOf(errStack);
    errType ??= ex.type;
    errMessage ??= ex.message;
  }
  if (errType !== undefined || errMessage !== undefined || errStack !== undefined || errCode !== undefined) {
    // Keys in the order they were found (a string `error` is the message, found first).
    const err: Json = {};
    if (messageFirst && errMessage !== undefined) err.message = errMessage;
    if (errType !== undefined) err.type = errType;
    if (!messageFirst && errMessage !== undefined) err.message = errMessage;
    if (errStack !== undefined) err.stack_trace = errStack;
    if (errCode !== undefined) err.code = errCode;
    out.error = err;
  }

  // Lambda context (Powertools injectLambdaContext, Lambda JSON format).
  put(out, 'aws.lambda.request_id', str(t.first('requestId', 'function_request_id', 'aws_request_id', 'awsRequestId')));
  put(out, 'aws.lambda.function_name', str(t.take('function_name')));
  put(out, 'aws.lambda.function_arn', str(t.take('function_arn')));
  put(out, 'aws.lambda.memory_size_mb', int(t.take('function_memory_size')));
  const cold = t.take('cold_start');
  if (typeof cold === 'boolean') put(out, 'aws.lambda.cold_start', cold);
  put(out, 'aws.lambda.tenant_id', str(t.take('tenantId')));

  const { fields, dropped } = boundedFields(t.rest());
  put(out, 'app.format', format);
  if (fields) put(out, 'app.fields', fields);
  if (dropped) put(out, 'app.fields_dropped', dropped);
  if (out.message === undefined && errMessage) out.message = errMessage;
  return out as Fields;
}

/**
 * Parses a line that looks like a JSON object, or undefined (then it is read as a text line). A line
 * with more objects and arrays than `MAX_JSON_CONTAINERS` is not parsed: its parse would take memory by
 * the container, not by the byte (1 MiB of `[[[[…`); it stays a text line, kept whole.
 */
export function parseJsonObject(text: string): Json | undefined {
  const t = text.trim();
  if (t.length < 2 || t[0] !== '{' || t[t.length - 1] !== '}' || tooManyContainers(t)) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Text lines

const APACHE_ERR = /^\[(\w{3}) (\w{3}) (\d{1,2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) (\d{4})\] \[([^\]]*)\] /;
const SYSLOG_3164 = /^(?:<(\d{1,3})>)?(\w{3}) {1,2}(\d{1,2}) (\d{2}:\d{2}:\d{2}) (\S+) /;
const SYSLOG_5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) /;
const TS_PREFIX = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}| [+-]\d{4})?)[\s|]+/;
const GO_TS = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) /;
const CATALINA_TS = /^(\d{2})-(\w{3})-(\d{4}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) /;
const JUL_TS = /^(\w{3}) (\d{1,2}), (\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM) (\S+)(?: (\S+))?$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Result of a text line: the fields, and a request id seen in the header (Lambda log4j2-style lines). */
export interface TextResult {
  fields: Fields;
  requestId?: string;
}

/** ` [10/Oct/2000:13:55:36 -0700] "`: the time of an access line and the start of its request. */
const ACCESS_TIME = / \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}:\d{2}:\d{2}) ([+-]\d{4})\] "/;
/** After the time: `request" status bytes[ response-time][ "referrer" "user-agent"]` and anything after. */
const ACCESS_TAIL = /^((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)(?: \d+(?:\.\d+)?)?(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?(.*)$/;
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const XFF_FIELD = /(?:^|\s)X-Forwarded-For="([^"]*)"/i;
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;

const validIp = (s: string) => isIP(s) !== 0 && !s.includes('%');

/** RFC 1918, loopback, link-local, unique-local: a hop inside the operator's network. */
function privateIp(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number);
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  const l = ip.toLowerCase();
  return l === '::1' || l.startsWith('fc') || l.startsWith('fd') || l.startsWith('fe80:');
}

/** The addresses of an X-Forwarded-For list (`a, b`), the valid IPs among them, and the client: the first public one. */
function forwardedList(raw: string): { list: string[]; ips: string[]; client?: string } | undefined {
  const list = raw.split(',').map((x) => x.trim()).filter((x) => x !== '' && x !== '-');
  if (!list.length || list.length > 64) return undefined;
  const ips = list.filter(validIp);
  if (!ips.length) return undefined;
  return { list, ips, client: ips.find((ip) => !privateIp(ip)) ?? ips[0] };
}

/** The fields before the time, quote-aware, an unquoted `a, b` address list kept as one field. */
function accessPrefix(prefix: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < prefix.length) {
    if (prefix[i] === ' ') {
      i++;
      continue;
    }
    if (prefix[i] === '"') {
      const j = prefix.indexOf('"', i + 1);
      if (j < 0) return undefined;
      out.push(prefix.slice(i + 1, j));
      i = j + 1;
      continue;
    }
    let j = prefix.indexOf(' ', i);
    if (j < 0) j = prefix.length;
    let tok = prefix.slice(i, j);
    // `203.0.113.9, 10.0.0.5`: nginx with $http_x_forwarded_for in the address slot.
    while (tok.endsWith(',') && j < prefix.length) {
      const k = prefix.indexOf(' ', j + 1);
      const next = prefix.slice(j + 1, k < 0 ? prefix.length : k);
      tok += ' ' + next;
      j = k < 0 ? prefix.length : k;
    }
    out.push(tok);
    i = j;
  }
  return out;
}

/** `host`, `host:port`, `[v6]:port`, or a bare IP (IPv6 is never split on `:`). */
function hostPort(s: string): { host: string; port?: number } {
  if (validIp(s)) return { host: s };
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s) ?? /^([^:]+):(\d{1,5})$/.exec(s);
  if (m && (m[2] === undefined || +m[2] <= 65535)) return m[2] === undefined ? { host: m[1] } : { host: m[1], port: +m[2] };
  return { host: s };
}

/** A client or virtual host address → `<role>.ip` (an IP), else `.address` (+ `.domain` for a host name). */
function putAddress(out: Json, role: 'source' | 'destination', raw: string): string | undefined {
  const { host, port } = role === 'destination' ? hostPort(raw) : { host: raw, port: undefined };
  if (validIp(host)) put(out, `${role}.ip`, host);
  else {
    put(out, `${role}.address`, raw);
    if (HOST_NAME.test(host) && !/^\d+(\.\d+)*$/.test(host)) put(out, `${role}.domain`, host.replace(/\.$/, ''));
  }
  if (port !== undefined) put(out, `${role}.port`, port);
  return validIp(host) ? host : undefined;
}

/** `/caf%C3%A9?x=1` → path `/café` (decoded; kept raw when the encoding is invalid) and query `x=1`. */
function putUrl(out: Json, target: string): void {
  put(out, 'url.original', target);
  let path = target;
  const origin = /^(https?):\/\/([^/?#]*)/i.exec(target);
  if (origin) {
    // A proxy request (`GET http://host/path`): scheme and authority, then the path as usual.
    const { host, port } = hostPort(origin[2]);
    put(out, 'url.scheme', origin[1].toLowerCase());
    if (host) put(out, 'url.domain', host);
    if (port !== undefined) put(out, 'url.port', port);
    path = target.slice(origin[0].length) || '/';
  } else if (!target.startsWith('/')) return;
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  const q = path.indexOf('?');
  if (q >= 0) {
    if (q + 1 < path.length) put(out, 'url.query', path.slice(q + 1));
    path = path.slice(0, q);
  }
  put(out, 'url.path', decodeUrl(path));
}

/**
 * An Apache/nginx access line (`common`, `combined`, `vhost_combined`, nginx `$host`/`$host:$server_port`
 * prefixes, an X-Forwarded-For list in the address slot or at the end), or undefined.
 * The client address is `source.ip` when it is an IP (IPv4 or IPv6, never split on `:`), else
 * `source.address` (+ `source.domain` for a host name, `HostnameLookups On`); the virtual host is
 * `destination.*` and `url.domain`; X-Forwarded-For hops go to `app.access.forwarded_for`, the first
 * public one to `client.ip` and `network.forwarded_ip` (`source` stays the TCP peer, the evidence of who
 * connected, unless the address slot itself holds the list). A `"-"` request (408 timeouts) or junk
 * request bytes keep only status and sizes. `url.original` is the request target verbatim; `url.path` is
 * its decoded path.
 * Formats: https://httpd.apache.org/docs/2.4/mod/mod_log_config.html, https://nginx.org/en/docs/http/ngx_http_log_module.html
 */
function accessLine(line: string, loose: boolean): Fields | undefined {
  const tm = ACCESS_TIME.exec(line);
  if (!tm || tm.index > 1024) return undefined;
  const tail = ACCESS_TAIL.exec(line.slice(tm.index + tm[0].length));
  if (!tail) return undefined;
  const tokens = accessPrefix(line.slice(0, tm.index));
  if (!tokens || tokens.length < 3) return undefined;
  let vhost: string | undefined;
  let client: string;
  let user: string;
  if (tokens.length === 3) [client, , user] = tokens;
  else if (tokens.length === 4 && tokens[2] === '-' && (HOST_NAME.test(hostPort(tokens[0]).host) || validIp(hostPort(tokens[0]).host)))
    [vhost, client, , user] = tokens;
  else if (loose) {
    // A user name with spaces (`%u` is whatever the authentication said).
    client = tokens[0];
    user = tokens.slice(2).join(' ');
  } else return undefined;
  const [, day, mon, year, hms, zone] = tm;
  const [, request, status, bytes, referrer, agent, rest] = tail;
  const out: Json = {};
  const related: string[] = [];
  const addRelated = (ip: string | undefined) => {
    if (ip && !related.includes(ip)) related.push(ip);
  };

  const inSlot = client.includes(',') ? forwardedList(client) : undefined;
  let forwarded = inSlot;
  if (inSlot) {
    // nginx `$http_x_forwarded_for` as the address: the client is the first public hop.
    put(out, 'source.ip', inSlot.client);
    addRelated(inSlot.client);
  } else if (client !== '-') addRelated(putAddress(out, 'source', client));
  if (vhost !== undefined) {
    putAddress(out, 'destination', vhost);
    const { host } = hostPort(vhost);
    if (!validIp(host)) put(out, 'url.domain', host.replace(/\.$/, ''));
  }
  if (user !== '-' && user !== '') {
    put(out, 'user.name', user);
    put(out, 'related.user', [user]);
  }
  const ts = isoFromParts(+year, mon, +day, hms, offsetMinutes(zone.slice(0, 3) + ':' + zone.slice(3)));
  if (ts) out['@timestamp'] = ts;
  else badTime(out);
  const parts = request.split(' ');
  if (parts.length === 3 && /^[A-Z]+$/.test(parts[0])) {
    put(out, 'http.request.method', parts[0]);
    putUrl(out, parts[1]);
    if (parts[2].startsWith('HTTP/')) put(out, 'http.version', parts[2].slice(5));
  }
  if (status !== '-') {
    const code = Number(status);
    put(out, 'http.response.status_code', code);
    put(out, 'event.outcome', code >= 400 ? 'failure' : 'success');
  }
  if (bytes !== '-') put(out, 'http.response.bytes', Number(bytes));
  if (referrer && referrer !== '-') put(out, 'http.request.referrer', referrer);
  if (agent && agent !== '-') put(out, 'user_agent.original', agent);
  // X-Forwarded-For after the standard fields: Apache `X-Forwarded-For="a, b"`, or nginx's quoted `"$http_x_forwarded_for"`.
  if (!forwarded && rest) {
    const xff = XFF_FIELD.exec(rest);
    if (xff) forwarded = forwardedList(xff[1]);
    else for (const q of rest.matchAll(QUOTED)) if ((forwarded = forwardedList(q[1]))) break;
  }
  if (forwarded) {
    put(out, 'app.access.forwarded_for', forwarded.list);
    if (forwarded.client) {
      put(out, 'client.ip', forwarded.client);
      put(out, 'network.forwarded_ip', forwarded.client);
    }
    for (const ip of forwarded.ips) addRelated(ip);
  }
  if (related.length) put(out, 'related.ip', related);
  put(out, 'event.category', ['web']);
  put(out, 'event.type', ['access']);
  out.message = line;
  put(out, 'app.format', 'access');
  return out as Fields;
}

function apacheErrorLine(line: string, m: RegExpExecArray): Fields {
  const out: Json = {};
  const [, , mon, day, hms, year, modLevel] = m;
  const ts = isoFromParts(+year, mon, +day, hms);
  if (ts) out['@timestamp'] = ts;
  else badTime(out);
  const colon = modLevel.lastIndexOf(':');
  const module = colon >= 0 ? modLevel.slice(0, colon) : '';
  const lvl = colon >= 0 ? modLevel.slice(colon + 1) : modLevel;
  const level = levelFromName(lvl.replace(/\d+$/, '')) ?? (lvl ? lvl.toLowerCase() : undefined);
  if (level) put(out, 'log.level', level);
  if (module) put(out, 'log.logger', module);
  let rest = line.slice(m[0].length);
  // Optional `[pid N:tid M]` and `[client ip:port]` blocks, in this order.
  if (rest.startsWith('[pid ')) {
    const end = rest.indexOf('] ');
    if (end > 0) {
      const [pid, tid] = rest.slice(5, end).split(':tid ');
      put(out, 'process.pid', int(pid));
      if (tid) put(out, 'app.thread', tid);
      rest = rest.slice(end + 2);
    }
  }
  const ci = rest.indexOf('[client ');
  if (ci >= 0) {
    const end = rest.indexOf(']', ci);
    if (end > 0) {
      const addr = rest.slice(ci + 8, end);
      const lc = addr.lastIndexOf(':');
      const hasPort = lc > 0 && /^\d+$/.test(addr.slice(lc + 1)) && (IPV4.test(addr.slice(0, lc)) || addr.slice(0, lc).includes(':'));
      const ip = hasPort ? addr.slice(0, lc) : addr;
      // `node:net` decides: `999.10.10.10` looks like an address but OpenSearch rejects it in an `ip` field.
      if (validIp(ip)) put(out, 'source.ip', ip);
      else put(out, 'source.address', ip);
      if (hasPort) put(out, 'source.port', Number(addr.slice(lc + 1)));
      rest = ci === 0 ? rest.slice(end + 1).trimStart() : rest;
    }
  }
  const code = /^(AH\d{5}): /.exec(rest) ?? /\b(AH\d{5}): /.exec(rest.slice(0, 200));
  if (code) put(out, 'error.code', code[1]);
  const ref = rest.lastIndexOf(', referer: ');
  if (ref >= 0) {
    put(out, 'http.request.referrer', rest.slice(ref + 11));
    rest = rest.slice(0, ref);
  }
  out.message = rest;
  put(out, 'app.format', 'apache-error');
  return out as Fields;
}

/** The PRI of a syslog line → ECS `log.syslog.*` (priority, facility and severity codes) and `log.level`. */
function putPriority(out: Json, p: number): void {
  put(out, 'log.syslog.priority', p);
  put(out, 'log.syslog.facility.code', p >> 3);
  put(out, 'log.syslog.severity.code', p & 7);
  put(out, 'log.level', levelFromSyslogSeverity(p & 7));
}

function syslog5424(line: string, m: RegExpExecArray): Fields {
  const out: Json = {};
  const [, pri, ts, host, appName, procId, msgId] = m;
  const p = Number(pri);
  putPriority(out, p);
  const iso = ts !== '-' ? isoFromTimeValue(ts) : undefined;
  if (iso) out['@timestamp'] = iso;
  else if (ts !== '-') badTime(out);
  if (host !== '-') put(out, 'host.hostname', host);
  if (appName !== '-') put(out, 'process.name', appName);
  if (procId !== '-') {
    const pid = int(procId);
    if (pid !== undefined) put(out, 'process.pid', pid);
  }
  if (msgId !== '-') put(out, 'log.syslog.msgid', msgId);
  let rest = line.slice(m[0].length);
  // Structured data: `-` or one or more `[id k="v" ...]` blocks (`\]` escapes inside values).
  if (rest.startsWith('-')) rest = rest.slice(1);
  else {
    let i = 0;
    while (rest[i] === '[') {
      let j = i + 1;
      let inQuote = false;
      for (; j < rest.length; j++) {
        const c = rest[j];
        if (c === '\\') j++;
        else if (c === '"') inQuote = !inQuote;
        else if (c === ']' && !inQuote) break;
      }
      i = j + 1;
    }
    if (i > 0) put(out, 'app.fields', { structured_data: rest.slice(0, i) });
    rest = rest.slice(i);
  }
  out.message = rest.replace(/^ /, '').replace(/^\uFEFF/, '');
  put(out, 'app.format', 'syslog');
  return out as Fields;
}

/**
 * The year of a date without one (RFC 3164): a fixed year, or a reference time (the envelope's event
 * time, else the time the pipeline received the batch).
 */
export type YearHint = number | { referenceMs: number };

/**
 * The time of an RFC 3164 date. With a reference time, the year is the reference's, one less when that
 * would put the line more than a day after the reference (a December line read in January).
 */
function syslogTime(hint: YearHint, mon: string, day: number, hms: string): string | undefined {
  if (typeof hint === 'number') return isoFromParts(hint, mon, day, hms);
  const year = new Date(hint.referenceMs).getUTCFullYear();
  const iso = isoFromParts(year, mon, day, hms);
  if (iso !== undefined && Date.parse(iso) <= hint.referenceMs + 86_400_000) return iso;
  // Ahead of the reference, or a day this year lacks (Feb 29 read the year after a leap year): last year's.
  return isoFromParts(year - 1, mon, day, hms) ?? iso;
}

function syslog3164(line: string, m: RegExpExecArray, year: YearHint | undefined): Fields | undefined {
  const [, pri, mon, day, hms, host] = m;
  if (monthIndex(mon) === undefined) return undefined;
  const out: Json = {};
  if (pri !== undefined) {
    const p = Number(pri);
    putPriority(out, p);
  }
  // RFC 3164 has no year: inferred from the envelope's time or the ingest time (`syslogTime`).
  if (year !== undefined) {
    const iso = syslogTime(year, mon, +day, hms);
    if (iso) out['@timestamp'] = iso;
    else badTime(out);
  }
  put(out, 'host.hostname', host);
  let rest = line.slice(m[0].length);
  const sp = rest.indexOf(' ');
  const tag = sp > 0 ? rest.slice(0, sp) : rest;
  const tm = /^([^\s[:]+)(?:\[(\d+)\])?:$/.exec(tag);
  if (tm) {
    put(out, 'process.name', tm[1]);
    if (tm[2]) put(out, 'process.pid', Number(tm[2]));
    rest = sp > 0 ? rest.slice(sp + 1) : '';
  }
  out.message = rest;
  put(out, 'app.format', 'syslog');
  return out as Fields;
}

/**
 * Level, `[thread]` and `logger -` after a timestamp: `ERROR [main] com.x.Y - msg`,
 * `| ERROR | com.x.Y - msg`, `INFO: msg`, `[WARN] msg`, `<reqid> INFO  Handler - msg`.
 */
function headerAfterTime(rest: string, out: Json): { message: string; requestId?: string } {
  let r = rest;
  let requestId: string | undefined;
  // A Lambda request id between the time and the level (log4j2 Lambda appender layout).
  const sp0 = r.indexOf(' ');
  if (sp0 >= 32 && sp0 <= 40 && /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/.test(r.slice(0, sp0))) {
    requestId = r.slice(0, sp0);
    r = r.slice(sp0 + 1).trimStart();
  }
  let word = '';
  let consumed = 0;
  if (r[0] === '[') {
    const end = r.indexOf(']');
    if (end > 0 && end < 12) {
      word = r.slice(1, end);
      consumed = end + 1;
    }
  } else {
    let end = 0;
    while (end < r.length && end < 12 && /[A-Za-z]/.test(r[end])) end++;
    word = r.slice(0, end);
    consumed = end;
    if (r[consumed] === ':') consumed++;
  }
  const level = word ? levelFromName(word) : undefined;
  if (!level) return { message: rest.trim() === '' ? rest : r, requestId };
  put(out, 'log.level', level);
  r = r.slice(consumed).replace(/^[\s|]+/, '');
  if (r[0] === '[') {
    const end = r.indexOf('] ');
    if (end > 0 && end < 128) {
      put(out, 'app.thread', r.slice(1, end));
      r = r.slice(end + 2).trimStart();
    }
  }
  const dash = r.indexOf(' - ');
  if (dash > 0 && dash < 200 && !r.slice(0, dash).includes(' ')) {
    put(out, 'log.logger', r.slice(0, dash));
    r = r.slice(dash + 3);
  }
  return { message: r, requestId };
}

/**
 * Parses one text line (no JSON) into fields: access/error/syslog/timestamped formats, else just
 * `message`. `year` is the year to assume for syslog lines without one.
 * @example parseTextLine('2024-01-02 03:04:05,123 ERROR [main] com.acme.Billing - charge failed').fields
 * // → @timestamp 2024-01-02T03:04:05.123Z, log.level error, app.thread main, log.logger com.acme.Billing
 */
export function parseTextLine(line: string, year?: YearHint): TextResult {
  const r = parseTextHeader(line, year);
  // A header with nothing after it (`… HostConfig.deployDirectory `) keeps the whole line as message.
  if (typeof r.fields.message === 'string' && !r.fields.message.trim()) r.fields.message = line;
  return r;
}

function parseTextHeader(line: string, year?: YearHint): TextResult {
  const c = line.charCodeAt(0);
  // Digits first: timestamped lines and access lines from IPv4 clients are the common case.
  if (c >= 48 && c <= 57) {
    const ts = TS_PREFIX.exec(line);
    if (ts) {
      const out: Json = {};
      const iso = isoFromLogTime(ts[1].replace(/ ([+-]\d{4})$/, '$1'));
      if (iso) out['@timestamp'] = iso;
      const h = headerAfterTime(line.slice(ts[0].length), out);
      out.message = h.message;
      put(out, 'app.format', 'text');
      if (!out.log && !iso) return { fields: { message: line, app: { format: 'plain' }, tags: [INVALID_TIMESTAMP_TAG] } };
      if (!iso) badTime(out);
      return { fields: out as Fields, requestId: h.requestId };
    }
    const go = GO_TS.exec(line);
    if (go) {
      const out: Json = {};
      const iso = isoFromLogTime(`${go[1]}-${go[2]}-${go[3]}T${go[4]}`);
      if (iso) out['@timestamp'] = iso;
      else badTime(out);
      const h = headerAfterTime(line.slice(go[0].length), out);
      out.message = h.message;
      put(out, 'app.format', 'text');
      return { fields: out as Fields, requestId: h.requestId };
    }
    const cat = CATALINA_TS.exec(line);
    if (cat) {
      const out: Json = {};
      const iso = isoFromParts(+cat[3], cat[2], +cat[1], cat[4]);
      if (iso) out['@timestamp'] = iso;
      else badTime(out);
      const h = headerAfterTime(line.slice(cat[0].length), out);
      out.message = h.message;
      put(out, 'app.format', 'java');
      // Catalina: `INFO [thread] logger.Class.method message`: the first token is the logger.
      if (out.log && !(out.log as Json).logger) {
        const sp = h.message.indexOf(' ');
        const tok = sp > 0 ? h.message.slice(0, sp) : h.message;
        if (tok.includes('.') && /^[\w$.]+$/.test(tok)) {
          put(out, 'log.logger', tok);
          out.message = sp > 0 ? h.message.slice(sp + 1) : '';
        }
      }
      return { fields: out as Fields, requestId: h.requestId };
    }
    if (line.length < 8192) {
      const acc = accessLine(line, true);
      if (acc) return { fields: acc };
    }
  } else if (c !== 60 && c !== 91 && line.length < 8192 && line.includes('] "')) {
    // Access lines from IPv6 (`::1`), host-name or quoted X-Forwarded-For clients, or with a virtual host first.
    const acc = accessLine(line, false);
    if (acc) return { fields: acc };
  }
  if (c === 60 /* < */) {
    const m5 = SYSLOG_5424.exec(line);
    if (m5) return { fields: syslog5424(line, m5) };
    const m3 = SYSLOG_3164.exec(line);
    if (m3) {
      const f = syslog3164(line, m3, year);
      if (f) return { fields: f };
    }
  }
  if (c === 91 /* [ */) {
    const pretty = pinoPrettyLine(line);
    if (pretty) return { fields: pretty };
    const ae = APACHE_ERR.exec(line);
    if (ae && monthIndex(ae[2]) !== undefined) return { fields: apacheErrorLine(line, ae) };
    // `[LEVEL] message` or `[LEVEL] 2024-...` (Python logging defaults, many CLIs).
    const end = line.indexOf(']');
    const level = end > 1 && end < 12 ? levelFromName(line.slice(1, end)) : undefined;
    if (level) {
      const out: Json = { log: { level } };
      let rest = line.slice(end + 1).replace(/^[\s:]+/, '');
      const ts = TS_PREFIX.exec(rest);
      if (ts) {
        const iso = isoFromLogTime(ts[1].replace(/ ([+-]\d{4})$/, '$1'));
        if (iso) out['@timestamp'] = iso;
        else badTime(out);
        rest = rest.slice(ts[0].length);
      }
      out.message = rest;
      put(out, 'app.format', 'text');
      return { fields: out as Fields };
    }
    // `[component] <timestamped line>` (Lambda extensions prefix their name): the name is the logger.
    const close = line.indexOf('] ');
    if (close > 1 && close < 100 && !line.startsWith('[client ')) {
      const inner = parseTextLine(line.slice(close + 2), year);
      if (inner.fields.app?.format !== 'plain') {
        const f = inner.fields as Json;
        if (!(f.log as Json | undefined)?.logger) put(f, 'log.logger', line.slice(1, close));
        return inner;
      }
    }
  }
  if (c >= 65 && c <= 90 /* A-Z */) {
    const m3 = SYSLOG_3164.exec(line);
    if (m3) {
      const f = syslog3164(line, m3, year);
      if (f) return { fields: f };
    }
    const jul = JUL_TS.exec(line.length < 512 ? line : '');
    if (jul && monthIndex(jul[1]) !== undefined) {
      const out: Json = {};
      let h = +jul[4] % 12;
      if (jul[7] === 'PM') h += 12;
      const iso = isoFromParts(+jul[3], jul[1], +jul[2], `${h}:${jul[5]}:${jul[6]}`);
      if (iso) out['@timestamp'] = iso;
      else badTime(out);
      put(out, 'log.logger', jul[8]);
      if (jul[9]) put(out, 'log.origin.function', jul[9]);
      out.message = line;
      put(out, 'app.format', 'java');
      return { fields: out as Fields };
    }
    // `ERROR: message`, `WARN message`, `INFO - message`.
    let end = 0;
    while (end < 12 && end < line.length && line.charCodeAt(end) >= 65 && line.charCodeAt(end) <= 90) end++;
    const level = end >= 3 && (line[end] === ':' || line[end] === ' ') ? levelFromName(line.slice(0, end)) : undefined;
    if (level) {
      const out: Json = { log: { level } };
      out.message = line.slice(end).replace(/^[:\s-]+/, '');
      put(out, 'app.format', 'text');
      return { fields: out as Fields };
    }
  }
  return { fields: { message: line, app: { format: 'plain' } } };
}

// ---------------------------------------------------------------------------------------------
// Grouping and the batch parser

/** JUL (`Jul 30, 2020 3:00:21 PM logger method`) puts the level on the next line: `INFO: text`. */
const JUL_LEVEL_LINE = /^(SEVERE|WARNING|INFO|CONFIG|FINEST|FINER|FINE): /;
function julContinuation(line: string, first: string): boolean {
  return JUL_LEVEL_LINE.test(line) && JUL_TS.test(first.length < 512 ? first : '');
}

/**
 * Applies continuation text (stack traces, pretty-printed bodies) to the fields of the line that
 * started the event: a stack trace goes to `error.stack_trace` (+ `error.type`/`error.message`),
 * anything else is appended to `message`.
 */
export function applyContinuation(fields: Fields, firstMessage: string, rest: string): void {
  const f = fields as Json;
  if (!rest) return;
  if (hasStackTrace('\n' + rest) || hasStackTrace(firstMessage + '\n' + rest)) {
    const err = (isObj(f.error) ? f.error : (f.error = {})) as Json;
    // `console.error(err)` prints `Error: boom` then frames: the header belongs to the trace too.
    const headed = isExceptionHeader(firstMessage) && !rest.startsWith('Traceback (');
    err.stack_trace ??= headed ? `${firstMessage}\n${rest}` : rest;
    const ex = exceptionOf(headed ? `${firstMessage}\n${rest}` : rest);
    if (ex.type) err.type ??= ex.type;
    if (ex.message) err.message ??= ex.message;
    return;
  }
  const jl = JUL_LEVEL_LINE.exec(rest);
  if (jl) {
    put(f, 'log.level', levelFromName(jl[1]) as Level);
    f.message = rest.slice(jl[1].length + 2);
    return;
  }
  f.message = `${typeof f.message === 'string' ? f.message : firstMessage}\n${rest}`;
}

/**
 * pino-pretty's first line: `[time] LEVEL (name/pid on host): message`, the parenthesis optional,
 * the time epoch milliseconds (`translateTime` off, the default), `yyyy-mm-dd HH:MM:ss.l [+zzzz]`, or
 * a time of day alone (then the event's own time stands). https://github.com/pinojs/pino-pretty#options
 */
const PINO_PRETTY = /^\[([0-9][0-9:. +TZ-]{7,40})\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL|USERLVL)(?: \(([^()]{0,256})\))?: ?(.*)$/;
/** A property line under it: four spaces, `key: value`. */
const PINO_PROPERTY = /^ {4}([^\s:"][^:]{0,127}): ?(.*)$/;

function pinoPrettyLine(line: string): Fields | undefined {
  const m = PINO_PRETTY.exec(line.length < 65536 ? line : '');
  if (!m) return undefined;
  const [, time, level, origin, message] = m;
  const out: Json = {};
  const iso = /^\d{10,13}$/.test(time) ? isoFromEpoch(+time) : /^\d{4}-\d{2}-\d{2}/.test(time) ? isoFromLogTime(time.replace(' ', 'T').replace(/ ([+-]\d{4})$/, '$1')) : undefined;
  if (iso) out['@timestamp'] = iso;
  put(out, 'log.level', levelFromName(level) ?? (level === 'USERLVL' ? undefined : level.toLowerCase()));
  if (origin) {
    // `name/pid on host`, `pid on host`, `name/pid`, `pid`.
    const on = origin.lastIndexOf(' on ');
    const who = on >= 0 ? origin.slice(0, on) : origin;
    if (on >= 0) put(out, 'host.name', origin.slice(on + 4));
    const slash = who.lastIndexOf('/');
    const pid = slash >= 0 ? who.slice(slash + 1) : who;
    if (/^\d{1,10}$/.test(pid)) put(out, 'process.pid', Number(pid));
    if (slash > 0) put(out, 'log.logger', who.slice(0, slash));
  }
  out.message = message;
  put(out, 'app.format', 'pino');
  return out as Fields;
}

/**
 * pino-pretty's property lines (`    key: value`, a JSON value that may span the following, deeper
 * indented lines) → `app.fields`, bounded like a JSON record's; `err`/`error` objects → `error.*`.
 * Lines that are no property stay in the message.
 */
function applyPinoProperties(f: Json, rest: string): void {
  const lines = rest.split('\n');
  const props: Json = {};
  const other: string[] = [];
  for (let i = 0; i < lines.length; ) {
    const m = PINO_PROPERTY.exec(lines[i]);
    if (!m) {
      other.push(lines[i++]);
      continue;
    }
    let j = i + 1;
    while (j < lines.length && /^ {5,}\S|^ {4}[}\]]/.test(lines[j])) j++;
    const text = [m[2], ...lines.slice(i + 1, j).map((l) => l.slice(4))].join('\n');
    let value: unknown = text;
    try {
      value = text.length <= MAX_JSON_TEXT ? JSON.parse(text) : text;
    } catch {
      /* not JSON (an error with its stack printed as text): kept as the text */
    }
    setOwn(props, m[1], value);
    i = j;
  }
  for (const key of ['err', 'error']) {
    const e = props[key];
    if (isObj(e) && (typeof e.message === 'string' || typeof e.stack === 'string')) {
      if (typeof e.type === 'string') put(f, 'error.type', e.type);
      if (typeof e.message === 'string') put(f, 'error.message', e.message);
      if (typeof e.stack === 'string') put(f, 'error.stack_trace', e.stack);
      delete props[key];
    } else if (typeof e === 'string' && hasStackTrace('\n' + e.replace(/^\{\n?/, ''))) {
      const ex = exceptionOf(e);
      put(f, 'error.stack_trace', e);
      if (ex.type) put(f, 'error.type', ex.type);
      if (ex.message) put(f, 'error.message', ex.message);
      delete props[key];
    }
  }
  const { fields, dropped } = boundedFields(props);
  if (fields) put(f, 'app.fields', fields);
  if (dropped) put(f, 'app.fields_dropped', dropped);
  if (other.length) f.message = `${typeof f.message === 'string' ? f.message : ''}\n${other.join('\n')}`;
}

/** Fields of one application log event (text or JSON, possibly with continuation lines). */
export function parseAppText(text: string, year?: YearHint): TextResult {
  const nl = text.indexOf('\n');
  const first = nl >= 0 ? text.slice(0, nl) : text;
  const rest = nl >= 0 ? text.slice(nl + 1) : '';
  const c = first.trimStart()[0];
  if (c === '{') {
    const obj = parseJsonObject(text);
    if (obj) {
      const fields = mapJsonRecord(obj);
      if (fields.message === undefined) fields.message = text; // a record without a message stays searchable
      return { fields };
    }
  }
  const r = parseTextLine(first, year);
  if (rest && r.fields.app?.format === 'pino') applyPinoProperties(r.fields as Json, rest);
  else applyContinuation(r.fields, typeof r.fields.message === 'string' ? r.fields.message : first, rest);
  return r;
}

/** The reference time of a date without a year: the envelope's event time, else the ingest time (`ParseContext.now`). */
export const yearOf = (e: RawEvent | undefined, ctx?: ParseContext): YearHint | undefined => {
  const t = e?.timestamp !== undefined && isoFromEpoch(e.timestamp) ? e.timestamp : ctx?.now;
  return t !== undefined && isoFromEpoch(t) ? { referenceMs: t } : undefined;
};

/** Strips the one trailing newline (and `\r`) CloudWatch keeps at the end of many messages. */
export function trimEventText(message: string): string {
  let end = message.length;
  while (end > 0 && (message.charCodeAt(end - 1) === 10 || message.charCodeAt(end - 1) === 13)) end--;
  const t = end === message.length ? message : message.slice(0, end);
  // Old Node.js runtimes framed multi-line messages with `\r` so CloudWatch kept them as one event.
  return t.includes('\r') ? t.replace(/\r\n?/g, '\n') : t;
}

export const appParser: Parser = {
  source: 'app',
  parse(events, ctx) {
    const texts = events.map((e) => trimEventText(e.message));
    const out: Outcome[] = [];
    for (const group of groupLines(texts, { extra: julContinuation })) {
      const i = group[0];
      if (!texts[i].trim()) {
        out.push({ kind: 'drop', index: i, reason: 'blank' });
        continue;
      }
      const text = group.length === 1 ? texts[i] : group.map((k) => texts[k]).join('\n');
      out.push({ kind: 'document', fields: parseAppText(text, yearOf(events[i], ctx)).fields, indices: group });
    }
    return out;
  },
};

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 'app',
  dataset: DATASETS.app,
  title: 'Application logs: JSON loggers, text lines with time and level, syslog, access/error logs, stack traces',
  docs: [
    'https://getpino.io/#/docs/api',
    'https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/',
    'https://www.elastic.co/guide/en/ecs-logging/overview/current/intro.html',
    'https://www.rfc-editor.org/rfc/rfc5424',
    'https://httpd.apache.org/docs/2.4/logs.html',
    'https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format',
  ],
  examples: [
    {
      title: 'A pino JSON line: numeric level, epoch-millisecond time',
      input: '{"level":30,"time":1531171074631,"msg":"hello world","pid":657,"hostname":"Davids-MBP-3.fritz.box"}',
      fields: {
        '@timestamp': '2018-07-09T21:17:54.631Z',
        message: 'hello world',
        log: { level: 'info' },
        process: { pid: 657 },
        host: { hostname: 'Davids-MBP-3.fritz.box' },
        app: { format: 'pino' },
      },
    },
    {
      title: 'An Apache/nginx combined access log line',
      input: '192.0.2.10 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
      fields: {
        '@timestamp': '2000-10-10T20:55:36.000Z',
        source: { ip: '192.0.2.10' },
        http: { request: { method: 'GET', referrer: 'http://www.example.com/start.html' }, response: { status_code: 200, bytes: 2326 } },
        url: { original: '/apache_pb.gif' },
        app: { format: 'access' },
      },
    },
    {
      title: 'An RFC 5424 syslog line',
      input: "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8",
      fields: {
        '@timestamp': '2003-10-11T22:14:15.003Z',
        message: "'su root' failed for lonvick on /dev/pts/8",
        log: { level: 'critical', syslog: { priority: 34, facility: { code: 4 }, severity: { code: 2 }, msgid: 'ID47' } },
        host: { hostname: 'mymachine.example.com' },
        process: { name: 'su' },
        app: { format: 'syslog' },
      },
    },
    {
      title: 'A Java stack trace delivered as three events becomes one document',
      input: ['Exception in thread "main" java.lang.IllegalStateException: boom', '\tat com.example.App.run(App.java:42)', '\tat com.example.App.main(App.java:10)'],
      fields: {
        message: 'Exception in thread "main" java.lang.IllegalStateException: boom',
        error: { stack_trace: '\tat com.example.App.run(App.java:42)\n\tat com.example.App.main(App.java:10)' },
      },
    },
  ],
};
