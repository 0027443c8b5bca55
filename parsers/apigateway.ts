/**
 * API Gateway logs → ECS documents.
 *
 * - Access logs (REST, HTTP, WebSocket): one line per request in whatever `$context` template the
 *   user chose. JSON with any key naming (`requestId`, `request_id`, nested `identity.sourceIp`...),
 *   the console CLF, CSV and XML presets. Well-known variables map to ECS and `aws.apigateway.*`,
 *   the rest to the bounded `aws.apigateway.extra`. `-` means "no value".
 * - Execution logs (REST/WebSocket, log group `API-Gateway-Execution-Logs_<api-id>/<stage>`): lines
 *   `(<request-id>) <text>`. Lines of one request id in one batch become one document (the first
 *   line gives the id, the others are `merged`); api id and stage come from the log group name.
 *
 * Access or execution is decided per batch from the log group name, else per line from content.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html
 */
import { isIP } from 'node:net';
import { jsonText, MAX_JSON_CONTAINERS, tooManyContainers } from './json';
import { EVENT_TIME_WINDOW, isoFromMillis, utcMillis } from './time';
import { DATASETS, ParseError, isSkip, skip, type Fields, type LineResult, type Outcome, type ParseContext, type Parser, type ParserMeta, type RawEvent } from './types';

type Obj = Record<string, unknown>;
type ApiGwFields = NonNullable<NonNullable<Fields['aws']>['apigateway']>;

/** What an access line says, by meaning (filled from any template shape). A class: one stable shape, no dictionary-mode objects on the hot path. */
class Acc {
  requestId: string | undefined = undefined;
  extendedRequestId: string | undefined = undefined;
  apiId: string | undefined = undefined;
  apiName: string | undefined = undefined;
  stage: string | undefined = undefined;
  routeKey: string | undefined = undefined;
  resourcePath: string | undefined = undefined;
  resourceId: string | undefined = undefined;
  path: string | undefined = undefined;
  method: string | undefined = undefined;
  status: string | undefined = undefined;
  protocol: string | undefined = undefined;
  responseLength: string | undefined = undefined;
  requestTime: string | undefined = undefined;
  requestTimeEpoch: string | undefined = undefined;
  sourceIp: string | undefined = undefined;
  userAgent: string | undefined = undefined;
  domainName: string | undefined = undefined;
  domainPrefix: string | undefined = undefined;
  responseLatency: string | undefined = undefined;
  integrationStatus: string | undefined = undefined;
  integrationLatency: string | undefined = undefined;
  integrationError: string | undefined = undefined;
  integrationServiceStatus: string | undefined = undefined;
  integrationRequestId: string | undefined = undefined;
  errorMessage: string | undefined = undefined;
  responseType: string | undefined = undefined;
  accountId: string | undefined = undefined;
  region: string | undefined = undefined;
  xrayTraceId: string | undefined = undefined;
  connectionId: string | undefined = undefined;
  eventType: string | undefined = undefined;
  connectedAt: string | undefined = undefined;
  messageId: string | undefined = undefined;
  messageDirection: string | undefined = undefined;
  apiKeyId: string | undefined = undefined;
  authorizer: Record<string, string> = {};
  authorizerContext: Obj | undefined = undefined;
  authorize: Record<string, string> = {};
  authenticate: Record<string, string> = {};
  waf: Record<string, string> = {};
  identity: Record<string, string> = {};
  clientCert: Record<string, string> = {};
  extra: Obj | undefined = undefined;
  extraCount = 0;
  /** Keys left out of `extra` / `authorizer.context` by their bounds: counted, never silently lost. */
  extraDropped = 0;
  known = 0;
}

const newAcc = (): Acc => new Acc();

type Setter = (a: Acc, v: string) => void;
type ScalarKey = { [K in keyof Acc]: Acc[K] extends string | undefined ? K : never }[keyof Acc];
const set = (k: ScalarKey): Setter => (a, v) => {
  if (a[k] === undefined) a[k] = v;
};
const into = (group: 'authorizer' | 'authorize' | 'authenticate' | 'waf' | 'identity' | 'clientCert', k: string): Setter => (a, v) => {
  a[group][k] ??= v;
};

/**
 * Well-known `$context` variables by normalized key: lower case, no `_`, `-`, `.` or `$context`
 * prefix, so `requestId`, `request_id`, `context.requestId` and nested `{"identity":{"sourceIp"}}`
 * (`identitysourceip`) all hit one entry. Built once at module load.
 */
const KEYS: Record<string, Setter> = Object.assign(Object.create(null) as Record<string, Setter>, {
  requestid: set('requestId'),
  extendedrequestid: set('extendedRequestId'),
  apiid: set('apiId'),
  apiname: set('apiName'),
  stage: set('stage'),
  routekey: set('routeKey'),
  resourcepath: set('resourcePath'),
  resourceid: set('resourceId'),
  path: set('path'),
  requestpath: set('path'),
  httpmethod: set('method'),
  method: set('method'),
  status: set('status'),
  statuscode: set('status'),
  httpstatus: set('status'),
  protocol: set('protocol'),
  responselength: set('responseLength'),
  requesttime: set('requestTime'),
  requesttimeepoch: set('requestTimeEpoch'),
  ip: set('sourceIp'),
  sourceip: set('sourceIp'),
  clientip: set('sourceIp'),
  identitysourceip: set('sourceIp'),
  useragent: set('userAgent'),
  identityuseragent: set('userAgent'),
  domainname: set('domainName'),
  domainprefix: set('domainPrefix'),
  responselatency: set('responseLatency'),
  integrationstatus: set('integrationStatus'),
  integrationintegrationstatus: set('integrationStatus'),
  integrationlatency: set('integrationLatency'),
  integrationerrormessage: set('integrationError'),
  integrationerror: set('integrationError'),
  integrationrequestid: set('integrationRequestId'),
  awsendpointrequestid: set('integrationRequestId'),
  errormessage: set('errorMessage'),
  errormessagestring: set('errorMessage'),
  errorresponsetype: set('responseType'),
  responsetype: set('responseType'),
  accountid: set('accountId'),
  region: set('region'),
  xraytraceid: set('xrayTraceId'),
  connectionid: set('connectionId'),
  eventtype: set('eventType'),
  connectedat: set('connectedAt'),
  messageid: set('messageId'),
  messagedirection: set('messageDirection'),
  apikeyid: set('apiKeyId'),
  identityapikeyid: set('apiKeyId'),
  principalid: into('authorizer', 'principal_id'),
  authorizerprincipalid: into('authorizer', 'principal_id'),
  authorizerstatus: into('authorizer', 'status'),
  authorizerlatency: into('authorizer', 'latency'),
  authorizererror: into('authorizer', 'error'),
  authorizerrequestid: into('authorizer', 'request_id'),
  authorizerintegrationstatus: into('authorizer', 'integration_status'),
  authorizerintegrationlatency: into('authorizer', 'integration_latency'),
  authorizestatus: into('authorize', 'status'),
  authorizelatency: into('authorize', 'latency'),
  authorizeerror: into('authorize', 'error'),
  authenticatestatus: into('authenticate', 'status'),
  authenticatelatency: into('authenticate', 'latency'),
  authenticateerror: into('authenticate', 'error'),
  wafresponsecode: into('waf', 'response_code'),
  wafstatus: into('waf', 'status'),
  wafstatuscode: into('waf', 'status'),
  waflatency: into('waf', 'latency'),
  waferror: into('waf', 'error'),
  webaclarn: into('waf', 'web_acl_arn'),
  caller: into('identity', 'caller'),
  identitycaller: into('identity', 'caller'),
  user: into('identity', 'user'),
  identityuser: into('identity', 'user'),
  userarn: into('identity', 'user_arn'),
  identityuserarn: into('identity', 'user_arn'),
  identityaccountid: into('identity', 'account_id'),
  cognitoidentityid: into('identity', 'cognito_identity_id'),
  identitycognitoidentityid: into('identity', 'cognito_identity_id'),
  cognitoidentitypoolid: into('identity', 'cognito_identity_pool_id'),
  identitycognitoidentitypoolid: into('identity', 'cognito_identity_pool_id'),
  cognitoauthenticationtype: into('identity', 'cognito_authentication_type'),
  identitycognitoauthenticationtype: into('identity', 'cognito_authentication_type'),
  cognitoauthenticationprovider: into('identity', 'cognito_authentication_provider'),
  identitycognitoauthenticationprovider: into('identity', 'cognito_authentication_provider'),
  principalorgid: into('identity', 'principal_org_id'),
  identityprincipalorgid: into('identity', 'principal_org_id'),
  identityvpceid: into('identity', 'vpce_id'),
  vpceid: into('identity', 'vpce_id'),
  identityclientcertsubjectdn: into('clientCert', 'subject_dn'),
  identityclientcertissuerdn: into('clientCert', 'issuer_dn'),
  identityclientcertserialnumber: into('clientCert', 'serial_number'),
  clientcertsubjectdn: into('clientCert', 'subject_dn'),
  clientcertissuerdn: into('clientCert', 'issuer_dn'),
  clientcertserialnumber: into('clientCert', 'serial_number'),
});

const MAX_EXTRA = 64;
const MAX_VALUE = 1024;
const MAX_DEPTH = 4;

/** Lower-cases and drops separators; strips a `$context`/`context` prefix. Cached: key sets repeat. */
const normCache = new Map<string, string>();
function norm(key: string): string {
  let n = normCache.get(key);
  if (n === undefined) {
    n = key.toLowerCase().replace(/[^a-z0-9]/g, '');
    if (n.startsWith('context')) n = n.slice(7);
    if (normCache.size < 4096) normCache.set(key, n);
  }
  return n;
}

/** Own-property write that stays data even for a `__proto__` key. */
const put = (o: Obj, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
const isAbsent = (v: string) => v === '-' || v === '';

function putExtra(a: Acc, path: string, v: string) {
  if (a.extraCount >= MAX_EXTRA) {
    a.extraDropped++;
    return;
  }
  a.extraCount++;
  put((a.extra ??= {}), path, v.length > MAX_VALUE ? v.slice(0, MAX_VALUE) + '…' : v);
}

/** Accepts one key/value of any template shape. `path` is the original dotted key, `n` its normalized form. */
function accept(a: Acc, path: string, n: string, value: unknown, depth: number): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object') {
    if (Array.isArray(value) || depth >= MAX_DEPTH) {
      // Clipped JSON text (putExtra keeps MAX_VALUE chars); iterative, so any nesting is safe.
      putExtra(a, path, jsonText(value, MAX_VALUE));
      return;
    }
    for (const k in value as Obj) accept(a, `${path}.${k}`, n + norm(k), (value as Obj)[k], depth + 1);
    return;
  }
  const v = typeof value === 'string' ? value : String(value);
  if (isAbsent(v)) return;
  // `$context.integration.status` (the Lambda service's status) normalizes like
  // `$context.integrationStatus` (the function's status): only the key path tells them apart.
  if (n === 'integrationstatus' && path.endsWith('.status')) {
    a.integrationServiceStatus ??= v;
    a.known++;
    return;
  }
  const setter = KEYS[n];
  if (setter) {
    setter(a, v);
    a.known++;
    return;
  }
  if (n.startsWith('authorizer')) {
    // Lambda/Cognito authorizer context and claims: user-defined keys, bounded in a flat_object.
    const rest = path.slice(path.toLowerCase().indexOf('authorizer') + 10).replace(/^[._]/, '') || 'value';
    const ctx = (a.authorizerContext ??= {});
    if (Object.keys(ctx).length < MAX_EXTRA) put(ctx, rest, v.length > MAX_VALUE ? v.slice(0, MAX_VALUE) + '…' : v);
    else a.extraDropped++;
    return;
  }
  putExtra(a, path, v);
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const CLF_TIME = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** Whether a string has the shape of `$context.requestTime` (detects the CLF and CSV presets). */
const clfShaped = (s: string): boolean => {
  const m = CLF_TIME.exec(s);
  return m !== null && MONTHS[m[2]] !== undefined;
};

/** `$context.requestTime` (`08/Mar/2024:10:15:32 +0000`) → ISO; undefined when invalid or outside the event time window. */
export function clfTime(s: string): string | undefined {
  const m = CLF_TIME.exec(s);
  if (!m || MONTHS[m[2]] === undefined) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  return isoFromMillis(utcMillis(+m[3], MONTHS[m[2]], +m[1], +m[4], +m[5], +m[6]) - offset);
}

/** Epoch in ms (REST `requestTimeEpoch`), tolerating seconds. */
function epochTime(s: string): string | undefined {
  if (!/^\d{9,13}(\.\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return isoFromMillis(n < 1e11 ? n * 1000 : n);
}

const int = (s: string | undefined): number | undefined => {
  if (s === undefined || !/^-?\d{1,15}(\.\d+)?$/.test(s)) return undefined;
  return Math.round(Number(s));
};

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY', 'CONNECT', 'TRACE']);

function accessDoc(a: Acc): Fields | ParseError {
  if (!a.known) return new ParseError('no API Gateway $context variable recognised in this line', 'invalid_record');
  const gw: ApiGwFields = { log_type: 'access' };
  const doc: Fields = { aws: { apigateway: gw } };
  const event: NonNullable<Fields['event']> = { kind: 'event', category: ['web'], type: ['access'] };
  doc.event = event;

  // A custom (JSON/XML) format need not log the request time, and an invalid one is omitted like any
  // other invalid field: the envelope time is used. The CLF and CSV presets always log it (see parseClf).
  const ts = (a.requestTimeEpoch && epochTime(a.requestTimeEpoch)) || (a.requestTime && clfTime(a.requestTime));
  if (ts) doc['@timestamp'] = ts;

  if (a.requestId) gw.request_id = a.requestId;
  if (a.extendedRequestId) gw.extended_request_id = a.extendedRequestId;
  if (a.apiId) gw.api_id = a.apiId;
  if (a.apiName) gw.api_name = a.apiName;
  if (a.stage) gw.stage = a.stage;
  if (a.routeKey) gw.route_key = a.routeKey;
  if (a.resourcePath) gw.resource_path = a.resourcePath;
  if (a.resourceId) gw.resource_id = a.resourceId;
  if (a.domainName) gw.domain_name = a.domainName;
  if (a.domainPrefix) gw.domain_prefix = a.domainPrefix;
  if (a.responseType) gw.response_type = a.responseType;
  if (a.integrationStatus) gw.integration_status = a.integrationStatus;
  if (a.integrationError) gw.integration_error = a.integrationError;
  if (a.integrationServiceStatus) gw.integration_service_status = a.integrationServiceStatus;
  if (a.integrationRequestId) gw.integration_request_id = a.integrationRequestId;
  if (a.xrayTraceId) gw.xray_trace_id = a.xrayTraceId;
  if (a.connectionId) gw.connection_id = a.connectionId;
  if (a.eventType) gw.event_type = a.eventType;
  if (a.messageId) gw.message_id = a.messageId;
  if (a.messageDirection) gw.message_direction = a.messageDirection;
  if (a.apiKeyId) gw.api_key_id = a.apiKeyId;
  const connectedAt = a.connectedAt && epochTime(a.connectedAt);
  if (connectedAt) gw.connected_at = connectedAt;
  const rl = int(a.responseLatency);
  if (rl !== undefined) {
    gw.response_latency = rl;
    if (rl >= 0) event.duration = rl * 1_000_000;
  }
  const il = int(a.integrationLatency);
  if (il !== undefined) gw.integration_latency = il;

  const auth: NonNullable<ApiGwFields['authorizer']> = {};
  for (const [k, v] of Object.entries(a.authorizer)) {
    if (k === 'latency' || k === 'integration_latency') {
      const n = int(v);
      if (n !== undefined) auth[k] = n;
    } else (auth as Record<string, string>)[k] = v;
  }
  if (a.authorizerContext) auth.context = a.authorizerContext;
  if (Object.keys(auth).length) gw.authorizer = auth;
  for (const step of ['authorize', 'authenticate'] as const) {
    const src = a[step];
    if (!src.status && !src.latency && !src.error) continue;
    const out: NonNullable<ApiGwFields['authorize']> = {};
    if (src.status) out.status = src.status;
    if (src.error) out.error = src.error;
    const n = int(src.latency);
    if (n !== undefined) out.latency = n;
    gw[step] = out;
  }
  if (a.waf.response_code) gw.waf_response_code = a.waf.response_code;
  if (a.waf.status) gw.waf_status = a.waf.status;
  if (a.waf.error) gw.waf_error = a.waf.error;
  if (a.waf.web_acl_arn) gw.web_acl_arn = a.waf.web_acl_arn;
  const wl = int(a.waf.latency);
  if (wl !== undefined) gw.waf_latency = wl;
  const identity: NonNullable<ApiGwFields['identity']> = { ...a.identity };
  if (Object.keys(a.clientCert).length) identity.client_cert = { ...a.clientCert };
  if (Object.keys(identity).length) gw.identity = identity;
  if (a.extra) gw.extra = a.extra;
  if (a.extraDropped) gw.extra_dropped = a.extraDropped;

  // ECS
  let method = a.method?.toUpperCase();
  if (!method && a.routeKey) {
    const sp = a.routeKey.indexOf(' ');
    if (sp > 0 && METHODS.has(a.routeKey.slice(0, sp))) method = a.routeKey.slice(0, sp);
  }
  const status = int(a.status);
  const bytes = int(a.responseLength);
  if (method || a.requestId) {
    doc.http = { request: {} };
    if (method) doc.http.request!.method = method;
    if (a.requestId) doc.http.request!.id = a.requestId;
  }
  if ((status !== undefined && status >= 100 && status <= 599) || bytes !== undefined) {
    doc.http ??= {};
    doc.http.response = {};
    if (status !== undefined && status >= 100 && status <= 599) doc.http.response.status_code = status;
    if (bytes !== undefined && bytes >= 0) doc.http.response.bytes = bytes;
  }
  if (a.protocol) {
    const m = /^HTTP\/(\d(?:\.\d)?)$/i.exec(a.protocol);
    doc.http ??= {};
    if (m) doc.http.version = m[1];
    doc.network = { protocol: a.connectionId || a.eventType ? 'websocket' : m ? 'http' : a.protocol.toLowerCase() };
  } else if (a.connectionId) doc.network = { protocol: 'websocket' };
  // The real path when logged; the REST resource path is a template, used only without `{}`.
  const path = a.path ?? (a.resourcePath && !a.resourcePath.includes('{') ? a.resourcePath : undefined);
  if (path || a.domainName) {
    doc.url = {};
    if (path) doc.url.path = path;
    if (a.domainName) doc.url.domain = a.domainName;
  }
  if (a.sourceIp) {
    doc.source = { address: a.sourceIp };
    if (isIP(a.sourceIp)) {
      doc.source.ip = a.sourceIp;
      doc.related = { ip: [a.sourceIp] };
    }
    // The caller of the API is the client of the request (ECS client/server), as for ELB and CloudFront.
    doc.client = { ...doc.source };
  }
  if (a.userAgent) doc.user_agent = { original: a.userAgent };
  const userId = a.identity.user ?? a.authorizer.principal_id;
  const ctx = a.authorizerContext;
  const userName = ctx && (str(ctx['claims.username']) ?? str(ctx['claims.cognito:username']));
  const email = ctx && str(ctx['claims.email']);
  if (userId || userName || email) {
    doc.user = {};
    if (userId) doc.user.id = userId;
    if (userName) doc.user.name = userName;
    if (email) doc.user.email = email;
    doc.related = { ...doc.related, user: [...new Set([userName, userId].filter((x): x is string => !!x))] };
  }
  if (a.xrayTraceId) {
    const id = xrayId(a.xrayTraceId);
    if (id) doc.trace = { id };
  }
  if (a.errorMessage || a.responseType) {
    doc.error = {};
    if (a.errorMessage) doc.error.message = a.errorMessage.replace(/^"(.*)"$/s, '$1');
    if (a.responseType) doc.error.code = a.responseType;
  }
  if (a.accountId && /^\d{12}$/.test(a.accountId)) doc.cloud = { account: { id: a.accountId } };
  const region = a.region ?? (a.domainName ? /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(a.domainName)?.[1] : undefined);
  if (region) doc.cloud = { ...doc.cloud, region };
  if (status !== undefined && status >= 100 && status <= 599) {
    event.outcome = status >= 400 ? 'failure' : 'success';
    if (status >= 400) event.type!.push('error');
  }
  return doc;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1` → `1-5759e988-bd862e3fe1be46a994272793`. */
function xrayId(s: string): string | undefined {
  const root = s.startsWith('Root=') ? s.slice(5) : s;
  const end = root.indexOf(';');
  const id = end < 0 ? root : root.slice(0, end);
  return id || undefined;
}

// ---------------------------------------------------------------------------------------------
// Access line shapes

function parseJsonAccess(line: string): LineResult {
  if (tooManyContainers(line)) return new ParseError(`access log JSON with more than ${MAX_JSON_CONTAINERS} objects and arrays`, 'too_large');
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (e) {
    return new ParseError(`invalid JSON: ${(e as Error).message}`, 'invalid_json');
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return new ParseError('access log JSON is not an object', 'invalid_record');
  const a = newAcc();
  for (const k in obj as Obj) accept(a, k, norm(k), (obj as Obj)[k], 0);
  return accessDoc(a);
}

/**
 * The console CLF presets: REST `ip caller user [time] "method resourcePath protocol" status length
 * requestId extendedRequestId`, HTTP `ip - - [time] "method routeKey protocol" status length requestId`
 * (the route key itself is `GET /pets`, so the quoted part has four words).
 */
function parseClf(line: string): LineResult | undefined {
  const lb = line.indexOf(' [');
  const rb = lb < 0 ? -1 : line.indexOf('] "', lb);
  const q2 = rb < 0 ? -1 : line.indexOf('"', rb + 3);
  if (q2 < 0) return undefined;
  const head = line.slice(0, lb).split(' ');
  const time = line.slice(lb + 2, rb);
  const tail = line.slice(q2 + 1).trim().split(/ +/);
  if (!clfShaped(time) || tail.length < 3 || head.length > 3) return undefined;
  if (!clfTime(time)) return badRequestTime(time);
  const a = newAcc();
  a.known = 1;
  const give = (setter: Setter, v: string | undefined) => v !== undefined && !isAbsent(v) && setter(a, v);
  give(KEYS.sourceip, head[0]);
  give(KEYS.caller, head[1]);
  give(KEYS.user, head[2]);
  a.requestTime = line.slice(lb + 2, rb);
  const req = line.slice(rb + 3, q2).split(' ');
  give(KEYS.httpmethod, req[0]);
  if (req.length >= 4 && METHODS.has(req[1])) {
    const route = req.slice(2, -1).join(' ');
    give(KEYS.routekey, `${req[1]} ${route}`);
    if (!route.includes('{')) give(KEYS.path, route);
  } else if (req.length >= 3) {
    const p = req.slice(1, -1).join(' ');
    if (p.startsWith('$')) give(KEYS.routekey, p);
    else give(KEYS.resourcepath, p);
  }
  if (req.length >= 2) give(KEYS.protocol, req[req.length - 1]);
  give(KEYS.status, tail[0]);
  give(KEYS.responselength, tail[1]);
  give(KEYS.requestid, tail[2]);
  give(KEYS.extendedrequestid, tail[3]);
  return accessDoc(a);
}

/** The presets always log the request time: one that is not a time (or outside the window) fails the line. */
const badRequestTime = (time: string) =>
  new ParseError(`requestTime is not a time in ${EVENT_TIME_WINDOW}: ${JSON.stringify(time.slice(0, 64))}`, 'invalid_record');

/** The CSV presets: REST (11 columns) and HTTP API (8 columns). */
const CSV_REST = ['sourceip', 'caller', 'user', 'requesttime', 'httpmethod', 'resourcepath', 'protocol', 'status', 'responselength', 'requestid', 'extendedrequestid'];
const CSV_HTTP = ['sourceip', 'requesttime', 'httpmethod', 'routekey', 'protocol', 'status', 'responselength', 'requestid'];
function parseCsv(line: string): LineResult | undefined {
  const cols = line.split(',');
  const layout = cols.length === CSV_REST.length ? CSV_REST : cols.length === CSV_HTTP.length ? CSV_HTTP : undefined;
  const time = layout && cols[layout.indexOf('requesttime')].trim();
  if (!layout || !time || !clfShaped(time)) return undefined;
  if (!clfTime(time)) return badRequestTime(time);
  const a = newAcc();
  layout.forEach((k, i) => {
    const v = cols[i].trim();
    if (!isAbsent(v)) KEYS[k](a, v);
  });
  a.known = layout.length;
  return accessDoc(a);
}

/** The XML presets: `<request id="..."> <ip>...</ip> ... </request>`. */
function parseXml(line: string): LineResult {
  const a = newAcc();
  const id = /^<request id="([^"]*)">/.exec(line);
  if (id && !isAbsent(id[1])) {
    KEYS.requestid(a, id[1]);
    a.known++;
  }
  const re = /<([A-Za-z][\w.]*)>([^<]*)<\/\1>/g;
  for (let m = re.exec(line); m; m = re.exec(line)) accept(a, m[1], norm(m[1]), m[2], 0);
  return accessDoc(a);
}

/**
 * One access-log line of any preset or JSON template → document fields.
 * @example parseAccessLine('{ "requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "ip": "203.0.113.7", "requestTime":"08/Mar/2024:10:15:32 +0000", "httpMethod":"GET", "resourcePath":"/pets", "status":"200", "protocol":"HTTP/1.1", "responseLength":"42" }')
 */
export function parseAccessLine(line: string): LineResult {
  const t = line.trim();
  if (!t) return skip('blank');
  // API Gateway substitutes every variable, so a `$context.` left in the text is a template (documentation).
  if (t.includes('$context.')) return new ParseError('a $context access log format template, not a log line', 'invalid_record');
  if (t[0] === '{') return parseJsonAccess(t);
  if (t.startsWith('<request')) return parseXml(t);
  const clf = parseClf(t);
  if (clf) return clf;
  const csv = t.includes(',') ? parseCsv(t) : undefined;
  if (csv) return csv;
  return new ParseError('not an API Gateway access log line (JSON, CLF, CSV or XML template)', 'invalid_record');
}

// ---------------------------------------------------------------------------------------------
// Execution logs

const EXEC_GROUP = /^API-Gateway-Execution-Logs_([^/]+)\/(.+)$/;

/** `(id) text` → [id, text]; the id is one token in parentheses. */
function execPrefix(line: string): [string, string] | undefined {
  if (line[0] !== '(') return undefined;
  const close = line.indexOf(')');
  if (close < 2 || close > 130) return undefined;
  const id = line.slice(1, close);
  if (!/^[\w-]+$/.test(id)) return undefined;
  return [id, line.slice(close + 1).replace(/^ /, '')];
}

interface ExecGroup {
  id: string;
  indices: number[];
  texts: string[];
}

/** Builds one execution document from the lines of one request. Texts are not a stable contract: unknown ones stay in `message`. */
function executionDoc(g: ExecGroup, api: RegExpExecArray | null): Fields {
  const gw: ApiGwFields = { log_type: 'execution', request_id: g.id };
  if (api) {
    gw.api_id = api[1];
    gw.stage = api[2];
  }
  const event: NonNullable<Fields['event']> = { kind: 'event', category: ['web'], type: ['info'] };
  const doc: Fields = { message: g.texts.join('\n'), event, aws: { apigateway: gw }, http: { request: { id: g.id } } };
  let failed = false;
  let status: number | undefined;
  let completed = false;
  for (const t of g.texts) {
    let m: RegExpExecArray | null;
    if (t.startsWith('HTTP Method: ') && (m = /^HTTP Method: (\S+?),? Resource Path: (\S*)/.exec(t))) {
      doc.http!.request!.method = m[1].toUpperCase();
      gw.resource_path = m[2];
    } else if (t.startsWith('Method completed with status: ') && (m = /^Method completed with status: (\d{3})/.exec(t))) {
      status = Number(m[1]);
    } else if (t.startsWith('Received response. Status: ') && (m = /^Received response\. Status: (\d{3}), Integration latency: (\d+) ms/.exec(t))) {
      gw.integration_status = m[1];
      gw.integration_latency = Number(m[2]);
    } else if (t.startsWith('Execution failed due to ')) {
      failed = true;
      doc.error = { message: t.slice('Execution failed due to '.length).trim() };
    } else if (t.startsWith('Lambda execution failed with status ')) {
      failed = true;
      doc.error = { message: t };
    } else if (t.startsWith('Gateway response type: ') && (m = /^Gateway response type: (\S+) with status code: (\d{3})/.exec(t))) {
      gw.response_type = m[1];
      doc.error = { ...doc.error, code: m[1] };
      status ??= Number(m[2]);
    } else if (t.startsWith('Extended Request Id: ')) {
      gw.extended_request_id = t.slice('Extended Request Id: '.length).trim();
    } else if (t.startsWith('Endpoint request URI: ')) {
      gw.endpoint_request_uri = t.slice('Endpoint request URI: '.length).trim();
    } else if (t.startsWith('X-ray Tracing ID : ')) {
      const id = t.slice('X-ray Tracing ID : '.length).trim();
      if (id) doc.trace = { id };
    } else if (t.startsWith('AWS Integration Endpoint RequestId : ')) {
      gw.integration_request_id = t.slice('AWS Integration Endpoint RequestId : '.length).trim();
    } else if (t.startsWith('Successfully completed execution')) {
      completed = true;
    }
  }
  if (status !== undefined) doc.http!.response = { status_code: status };
  if (failed || (status !== undefined && status >= 400)) {
    event.outcome = 'failure';
    event.type!.push('error');
  } else if (status !== undefined || completed) event.outcome = 'success';
  return doc;
}

function outcomeOf(r: LineResult, index: number): Outcome {
  if (r === null) return { kind: 'drop', index, reason: 'skipped' };
  if (r instanceof ParseError) return { kind: 'failure', index, message: r.message, type: r.type };
  if (isSkip(r)) return { kind: 'drop', index, reason: r.skip };
  return { kind: 'document', fields: r, indices: [index] };
}

/**
 * The API Gateway parser (batch: execution lines of one request are grouped).
 * @example apigatewayParser.parse([{ message: '(8d4f1b2c-0c2a-4f7e-9d55-0a3b0e8f0001) HTTP Method: GET, Resource Path: /pets', key: 'k1' }, { message: '(8d4f1b2c-0c2a-4f7e-9d55-0a3b0e8f0001) Method completed with status: 200', key: 'k2' }], { logGroup: 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod' })
 */
export const apigatewayParser: Parser = {
  source: 'apigateway',
  parse(events: readonly RawEvent[], ctx: ParseContext): Outcome[] {
    const api = ctx.logGroup ? EXEC_GROUP.exec(ctx.logGroup) : null;
    const outcomes: Outcome[] = [];
    const groups = new Map<string, ExecGroup>();
    events.forEach((e, index) => {
      const line = typeof e.message === 'string' ? e.message : '';
      if (!line.trim()) {
        outcomes.push({ kind: 'drop', index, reason: 'blank' });
        return;
      }
      const exec = execPrefix(line);
      if (exec) {
        const g = groups.get(exec[0]);
        if (g) {
          g.indices.push(index);
          g.texts.push(exec[1]);
        } else groups.set(exec[0], { id: exec[0], indices: [index], texts: [exec[1]] });
      } else if (api) {
        // An execution log line without a request id still says something about this API: keep it.
        const gw: ApiGwFields = { log_type: 'execution', api_id: api[1], stage: api[2] };
        outcomes.push({ kind: 'document', fields: { message: line, event: { kind: 'event', category: ['web'], type: ['info'] }, aws: { apigateway: gw } }, indices: [index] });
      } else {
        outcomes.push(outcomeOf(parseAccessLine(line), index));
      }
    });
    for (const g of groups.values()) outcomes.push({ kind: 'document', fields: executionDoc(g, api), indices: g.indices });
    return outcomes;
  },
};

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 'apigateway',
  dataset: DATASETS.apigateway,
  title: 'Amazon API Gateway access logs (REST, HTTP, WebSocket; JSON, CLF, CSV, XML) and execution logs',
  docs: [
    'https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html',
    'https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html',
    'https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html',
    'https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html',
  ],
  examples: [
    {
      title: 'REST API access log in the JSON format of the console',
      input:
        '{ "requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "ip": "192.0.2.7", "caller":"-", "user":"-", "requestTime":"08/Mar/2026:10:15:32 +0000", ' +
        '"httpMethod":"GET", "resourcePath":"/pets", "status":"200", "protocol":"HTTP/1.1", "responseLength":"42" }',
      context: { logGroup: '/aws/apigateway/petstore-access' },
      fields: {
        '@timestamp': '2026-03-08T10:15:32.000Z',
        event: { category: ['web'], type: ['access'], outcome: 'success' },
        source: { ip: '192.0.2.7' },
        http: { request: { method: 'GET', id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' }, response: { status_code: 200, bytes: 42 } },
        url: { path: '/pets' },
        aws: { apigateway: { log_type: 'access', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', resource_path: '/pets' } },
      },
    },
    {
      title: 'Access log in the Common Log Format of the console',
      input: '192.0.2.7 - - [08/Mar/2026:10:15:32 +0000] "GET /pets HTTP/1.1" 200 42 c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      context: { logGroup: '/aws/apigateway/petstore-access' },
      fields: {
        '@timestamp': '2026-03-08T10:15:32.000Z',
        source: { ip: '192.0.2.7' },
        http: { request: { method: 'GET' }, response: { status_code: 200 } },
        aws: { apigateway: { log_type: 'access', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' } },
      },
    },
    {
      title: 'Execution log lines of one request become one document (API and stage from the log group)',
      input: [
        '(c6af9ac6-7b61-11e6-9a41-93e8deadbeef) Extended Request Id: Bk9zQFo8IAMFtkA=',
        '(c6af9ac6-7b61-11e6-9a41-93e8deadbeef) HTTP Method: GET, Resource Path: /pets',
        '(c6af9ac6-7b61-11e6-9a41-93e8deadbeef) Method completed with status: 200',
      ],
      context: { logGroup: 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod' },
      fields: {
        event: { outcome: 'success' },
        http: { request: { method: 'GET' }, response: { status_code: 200 } },
        aws: { apigateway: { log_type: 'execution', api_id: 'a1b2c3d4e5', stage: 'prod', extended_request_id: 'Bk9zQFo8IAMFtkA=', resource_path: '/pets' } },
      },
    },
  ],
};
