/**
 * CloudTrail records → ECS documents, one record per document, from either delivery: a CloudWatch
 * Logs event (the message is one record) or an S3 log file (the envelope layer expands
 * `{"Records":[...]}` into one event per record).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 *
 * Cost: exactly one `JSON.parse` per record; free-form objects are referenced, not copied (only an
 * object over the indexing budget gets a bounded pruned copy, see `schemas/sources/cloudtrail.ts`).
 *
 * `user.*` by identity type (the "who did it" an analyst filters on):
 * - Root: `user.name` = userName if logged, else `root`; `user.id` = principalId.
 * - IAMUser, SAMLUser, WebIdentityUser, Directory, Unknown: `user.name` = userName.
 * - AssumedRole / Role: `user.name` = the role session name (last ARN segment, often the human's
 *   SSO e-mail), `user.roles` = [issuer role name]; the issuer stays in `session_context.session_issuer`.
 * - FederatedUser: `user.name` = the federated user name (last ARN segment).
 * - AWSService: `user.name` = invokedBy (`ssm.amazonaws.com`): the service is the actor.
 * - AWSAccount: no name; `user.id` = principalId, `user.domain` = the calling account.
 * - IdentityCenterUser: `user.id` = onBehalfOf.userId (CloudTrail logs no user name).
 * `user.domain` is always userIdentity.accountId.
 */
import { isIP } from 'node:net';
import { deeperThan, jsonText, MAX_JSON_CONTAINERS, MAX_JSON_DEPTH, tooManyContainers } from './json';
import { EVENT_TIME_WINDOW, EVENT_YEAR_MAX, EVENT_YEAR_MIN, isoFromString, outsideEventWindow } from './time';
import { DATASETS, lineParser, ParseError, skip, type Fields, type LineResult, type Parser, type ParserMeta } from './types';

type Obj = Record<string, unknown>;
type CloudTrailFields = NonNullable<NonNullable<Fields['aws']>['cloudtrail']>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A 12-digit AWS account id, else undefined (`userIdentity.accountId` can be `ANONYMOUS_PRINCIPAL` or absent). */
const accountIdOf = (v: unknown): string | undefined => (typeof v === 'string' && /^\d{12}$/.test(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** CloudTrail writes booleans as JSON booleans in some fields and as "true"/"false" strings in others. */
const bool = (v: unknown): boolean | undefined =>
  typeof v === 'boolean' ? v : typeof v === 'string' ? (v.toLowerCase() === 'true' ? true : v.toLowerCase() === 'false' ? false : undefined) : undefined;
/** additionalEventData.MFAUsed / MobileVersion: "Yes", "YES", "No". */
const yesNo = (v: unknown): boolean | undefined => {
  if (typeof v !== 'string') return undefined;
  const l = v.toLowerCase();
  return l === 'yes' ? true : l === 'no' ? false : undefined;
};
/** Own-property write that stays data even for a `__proto__` key (JSON.parse makes those own keys). */
const put = (o: Obj, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

// ---------------------------------------------------------------------------------------------
// Bounded flat_object values

/** Indexing budget of one free-form object (see the schema file for why). */
export const FLAT_LIMITS = { depth: 10, leaves: 1000, stringChars: 4096, keyChars: 256 } as const;

/** Walks without copying; stops at the first breach. */
export function withinBudget(v: unknown, depth: number, budget: { leaves: number }): boolean {
  if (typeof v === 'string') {
    budget.leaves--;
    return v.length <= FLAT_LIMITS.stringChars && budget.leaves >= 0;
  }
  if (typeof v !== 'object' || v === null) {
    budget.leaves--;
    return budget.leaves >= 0;
  }
  if (depth >= FLAT_LIMITS.depth) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (!withinBudget(x, depth + 1, budget)) return false;
    return true;
  }
  for (const k in v) {
    if (k.length > FLAT_LIMITS.keyChars) return false;
    if (!withinBudget((v as Obj)[k], depth + 1, budget)) return false;
  }
  return true;
}

const clipString = (s: string) => (s.length > FLAT_LIMITS.stringChars ? s.slice(0, FLAT_LIMITS.stringChars) + '…' : s);

/** A copy bounded by the budget: deeper subtrees become clipped JSON text, surplus leaves are dropped. */
export function prune(v: unknown, depth: number, budget: { leaves: number }): unknown {
  if (typeof v === 'string') {
    budget.leaves--;
    return clipString(v);
  }
  if (typeof v !== 'object' || v === null) {
    budget.leaves--;
    return v;
  }
  if (depth >= FLAT_LIMITS.depth - 1) {
    budget.leaves--;
    // Iterative and clipped: a subtree nested thousands deep cannot overflow the stack here.
    return jsonText(v, FLAT_LIMITS.stringChars);
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      if (budget.leaves <= 0) break;
      out.push(prune(x, depth + 1, budget));
    }
    return out;
  }
  const out: Obj = {};
  for (const k in v) {
    if (budget.leaves <= 0) break;
    put(out, k.length > FLAT_LIMITS.keyChars ? k.slice(0, FLAT_LIMITS.keyChars) : k, prune((v as Obj)[k], depth + 1, budget));
  }
  return out;
}

type FreeForm = 'request_parameters' | 'response_elements' | 'additional_eventdata' | 'service_event_details' | 'edge_device_details' | 'other';

/**
 * Puts a free-form value in its flat_object field: as is when within budget, else pruned + full JSON.
 * A value nested deeper than `MAX_JSON_DEPTH` has no full JSON we could keep (serializing it would
 * exhaust the stack), so the record is a failure (its text is kept in the failure document).
 */
function putFlat(ct: CloudTrailFields, name: FreeForm, value: unknown): ParseError | undefined {
  if (value === null || value === undefined) return undefined;
  // flat_object needs an object; a scalar or array (rare, but the field is free-form) is wrapped.
  const obj: Obj = isObj(value) ? value : { value };
  if (withinBudget(obj, 0, { leaves: FLAT_LIMITS.leaves })) {
    ct[name] = obj;
    return undefined;
  }
  if (deeperThan(value, MAX_JSON_DEPTH))
    return new ParseError(`CloudTrail record with ${name} nested deeper than ${MAX_JSON_DEPTH} levels`, 'too_deep');
  ct[name] = prune(obj, 0, { leaves: FLAT_LIMITS.leaves }) as Obj;
  ct[`${name}_json`] = JSON.stringify(value);
  (ct.pruned_fields ??= []).push(name);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Classification (table-driven, prefix of the API name)

type Cat = NonNullable<NonNullable<Fields['event']>['category']>[number];
type Typ = NonNullable<NonNullable<Fields['event']>['type']>[number];

const READ_PREFIXES = ['Get', 'List', 'Describe', 'Head', 'Lookup', 'Search', 'Query', 'Scan', 'BatchGet', 'Select', 'Check', 'Validate', 'Preview', 'Estimate'];
// Only verbs that bring a resource into or out of existence; Start/Stop, Attach/Detach, Put... are changes.
const CREATE_PREFIXES = ['Create', 'Run', 'Launch', 'Allocate', 'Register', 'Import', 'Issue', 'Request', 'Copy', 'Upload'];
const DELETE_PREFIXES = ['Delete', 'Terminate', 'Deregister', 'Release', 'Purge', 'Destroy'];
const startsWithAny = (name: string, prefixes: readonly string[]) => prefixes.some((p) => name.startsWith(p));

/** sts calls that hand out credentials are sign-ins in all but name. */
const STS_AUTH = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'AssumeRoot', 'GetSessionToken', 'GetFederationToken', 'GetWebIdentityToken']);
const DENIED = /AccessDenied|Unauthorized|Forbidden|NotAuthorized|InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken/i;

function classify(name: string, source: string, eventType: string | undefined, readOnly: boolean | undefined, errorCode: string | undefined): { category: Cat[]; type: Typ[] } {
  let category: Cat[];
  let type: Typ[];
  if (eventType === 'AwsConsoleSignIn' || source === 'signin.amazonaws.com' || (source === 'sts.amazonaws.com' && STS_AUTH.has(name))) {
    category = ['authentication'];
    type = name === 'ConsoleLogin' || STS_AUTH.has(name) ? ['start'] : name === 'ExitRole' || name === 'Logout' ? ['end'] : ['info'];
  } else {
    const read = readOnly ?? startsWithAny(name, READ_PREFIXES);
    if (source === 'iam.amazonaws.com' || source === 'identitystore.amazonaws.com' || source === 'sso.amazonaws.com') {
      category = ['iam'];
      if (read) type = ['info'];
      else {
        type = [startsWithAny(name, ['Create']) ? 'creation' : startsWithAny(name, ['Delete']) ? 'deletion' : 'change'];
        if (name.includes('Group')) type.push('group');
        else if (name.includes('User') || name.includes('LoginProfile') || name.includes('AccessKey') || name.includes('MFADevice')) type.push('user');
        else if (name.includes('Role') || name.includes('Policy') || name.includes('PermissionSet')) type.push('admin');
      }
    } else if (read) {
      category = ['api'];
      type = ['access'];
    } else {
      category = ['configuration'];
      type = [startsWithAny(name, DELETE_PREFIXES) ? 'deletion' : startsWithAny(name, CREATE_PREFIXES) ? 'creation' : 'change'];
    }
  }
  // A refused call is `denied` (ECS expects it under api: every CloudTrail event is an API call); other
  // errors add no type (ECS has `error` only for database and web), `event.outcome` and `error.code` say it.
  if (errorCode && DENIED.test(errorCode)) {
    type.push('denied');
    if (!category.includes('api')) category.push('api');
  }
  return { category, type };
}

// ---------------------------------------------------------------------------------------------
// The record

const KNOWN = new Set([
  'eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent',
  'errorCode', 'errorMessage', 'requestParameters', 'responseElements', 'additionalEventData', 'requestID', 'eventID',
  'readOnly', 'resources', 'eventType', 'apiVersion', 'recipientAccountId', 'sharedEventID', 'vpcEndpointId',
  'vpcEndpointAccountId', 'serviceEventDetails', 'managementEvent', 'eventCategory', 'addendum',
  'sessionCredentialFromConsole', 'edgeDeviceDetails', 'tlsDetails', 'insightDetails',
]);

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const d2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
/**
 * eventTime is always `YYYY-MM-DDTHH:MM:SSZ`: checked and rewritten without Date (the hot path of
 * every record); anything else goes through the general parser.
 */
function eventTimeIso(s: string): string | undefined {
  if (s.length === 20 && s[4] === '-' && s[7] === '-' && s[10] === 'T' && s[13] === ':' && s[16] === ':' && s[19] === 'Z' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(s)) {
    const y = d2(s, 0) * 100 + d2(s, 2);
    const mo = d2(s, 5);
    const d = d2(s, 8);
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    if (y < EVENT_YEAR_MIN || y > EVENT_YEAR_MAX) return undefined; // the event time window of time.ts
    if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && !leap ? 28 : DAYS[mo - 1]) || d2(s, 11) > 23 || d2(s, 14) > 59 || d2(s, 17) > 59) return undefined;
    return `${s.slice(0, 19)}.000Z`;
  }
  return isoFromString(s);
}

/** CloudTrail session creationDate is ISO 8601, in basic notation in older samples (`20131102T010628Z`). */
function isoDate(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const basic = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (basic) return isoFromString(`${basic[1]}-${basic[2]}-${basic[3]}T${basic[4]}:${basic[5]}:${basic[6]}Z`);
  return /^\d{4}-\d{2}-\d{2}T/.test(s) ? eventTimeIso(s) : undefined;
}

const lastSegment = (arn: string | undefined) => (arn ? arn.slice(arn.lastIndexOf('/') + 1) || undefined : undefined);

function mapIdentity(ui: Obj, doc: Fields, ct: CloudTrailFields, related: Set<string>): boolean | undefined {
  const type = str(ui.type);
  const out: NonNullable<CloudTrailFields['user_identity']> = {};
  if (type) out.type = type;
  const principalId = str(ui.principalId);
  const arn = str(ui.arn);
  const accountId = str(ui.accountId);
  const userName = str(ui.userName);
  const invokedBy = str(ui.invokedBy);
  if (principalId) out.principal_id = principalId;
  if (arn) out.arn = arn;
  if (accountId) out.account_id = accountId;
  if (str(ui.accessKeyId)) out.access_key_id = ui.accessKeyId as string;
  if (userName) out.user_name = userName;
  if (invokedBy) out.invoked_by = invokedBy;
  if (str(ui.identityProvider)) out.identity_provider = ui.identityProvider as string;
  if (str(ui.credentialId)) out.credential_id = ui.credentialId as string;
  const obo = isObj(ui.onBehalfOf) ? ui.onBehalfOf : undefined;
  if (obo) {
    out.on_behalf_of = {};
    if (str(obo.userId)) out.on_behalf_of.user_id = obo.userId as string;
    if (str(obo.identityStoreArn)) out.on_behalf_of.identity_store_arn = obo.identityStoreArn as string;
  }
  let mfa: boolean | undefined;
  let issuerName: string | undefined;
  const sc = isObj(ui.sessionContext) ? ui.sessionContext : undefined;
  if (sc) {
    const s: NonNullable<typeof out.session_context> = {};
    const attrs = isObj(sc.attributes) ? sc.attributes : undefined;
    if (attrs) {
      mfa = bool(attrs.mfaAuthenticated);
      if (mfa !== undefined) s.mfa_authenticated = mfa;
      const created = isoDate(attrs.creationDate);
      if (created) s.creation_date = created;
    }
    if (str(sc.sourceIdentity)) s.source_identity = sc.sourceIdentity as string;
    if (str(sc.ec2RoleDelivery)) s.ec2_role_delivery = sc.ec2RoleDelivery as string;
    const si = isObj(sc.sessionIssuer) ? sc.sessionIssuer : undefined;
    if (si) {
      const i: NonNullable<typeof s.session_issuer> = {};
      if (str(si.type)) i.type = si.type as string;
      if (str(si.principalId)) i.principal_id = si.principalId as string;
      if (str(si.arn)) i.arn = si.arn as string;
      if (str(si.accountId)) i.account_id = si.accountId as string;
      if (str(si.userName)) i.user_name = issuerName = si.userName as string;
      if (Object.keys(i).length) s.session_issuer = i;
    }
    if (isObj(sc.webIdFederationData) && Object.keys(sc.webIdFederationData).length) {
      const w = sc.webIdFederationData;
      s.web_id_federation_data = withinBudget(w, 0, { leaves: FLAT_LIMITS.leaves }) ? w : (prune(w, 0, { leaves: FLAT_LIMITS.leaves }) as Obj);
    }
    if (Object.keys(s).length) out.session_context = s;
  }
  if (Object.keys(out).length) ct.user_identity = out;

  const user: NonNullable<Fields['user']> = {};
  if (principalId) user.id = principalId;
  if (accountId) user.domain = accountId;
  switch (type) {
    case 'Root':
      user.name = userName ?? 'root';
      break;
    case 'AssumedRole':
    case 'Role':
      user.name = (arn && arn.includes('assumed-role/') ? lastSegment(arn) : undefined) ?? principalId?.split(':')[1] ?? userName;
      if (issuerName) user.roles = [issuerName];
      break;
    case 'FederatedUser':
      user.name = lastSegment(arn) ?? principalId?.split(':')[1] ?? userName;
      break;
    case 'AWSService':
      user.name = invokedBy ?? userName;
      break;
    case 'IdentityCenterUser':
      if (out.on_behalf_of?.user_id) user.id = out.on_behalf_of.user_id;
      if (userName) user.name = userName;
      break;
    default:
      if (userName) user.name = userName;
  }
  // Failed sign-ins with an unknown user name log this placeholder: it names nobody.
  if (user.name === undefined || user.name === 'HIDDEN_DUE_TO_SECURITY_REASONS') delete user.name;
  if (user.name) related.add(user.name);
  if (issuerName) related.add(issuerName);
  if (Object.keys(user).length) doc.user = user;
  return mfa;
}

/** IAM calls name the user or group they act on: `user.target`, `group`, `user.changes`. */
function mapTargets(source: string, rp: Obj, doc: Fields, related: Set<string>): void {
  if (source !== 'iam.amazonaws.com') return;
  const target = str(rp.userName);
  if (target) {
    doc.user = { ...doc.user, target: { name: target } };
    related.add(target);
  }
  const newName = str(rp.newUserName);
  if (newName) {
    doc.user = { ...doc.user, changes: { name: newName } };
    related.add(newName);
  }
  if (str(rp.groupName)) doc.group = { name: rp.groupName as string };
}

function mapInsight(d: Obj, doc: Fields, ct: CloudTrailFields): void {
  const out: NonNullable<CloudTrailFields['insight_details']> = {};
  if (str(d.state)) out.state = d.state as string;
  if (str(d.eventSource)) out.event_source = d.eventSource as string;
  if (str(d.eventName)) out.event_name = d.eventName as string;
  if (str(d.insightType)) out.insight_type = d.insightType as string;
  if (str(d.errorCode)) out.error_code = d.errorCode as string;
  const ic = isObj(d.insightContext) ? d.insightContext : undefined;
  if (ic) {
    const st = isObj(ic.statistics) ? ic.statistics : undefined;
    if (st) {
      const b = isObj(st.baseline) ? num(st.baseline.average) : undefined;
      const i = isObj(st.insight) ? num(st.insight.average) : undefined;
      if (b !== undefined) out.baseline_average = b;
      if (i !== undefined) out.insight_average = i;
      const bd = num(st.baselineDuration);
      const id = num(st.insightDuration);
      if (bd !== undefined) out.baseline_duration = Math.round(bd);
      if (id !== undefined) out.insight_duration = Math.round(id);
    }
    out.insight_context = withinBudget(ic, 0, { leaves: FLAT_LIMITS.leaves }) ? ic : (prune(ic, 0, { leaves: FLAT_LIMITS.leaves }) as Obj);
  }
  ct.insight_details = out;
  const ev = doc.event!;
  ev.kind = 'alert';
  ev.category = ['api'];
  ev.type = ['info'];
  if (out.insight_type) ev.action = out.insight_type;
  if (out.event_source) ev.provider = out.event_source;
  if (out.state === 'Start') ev.start = doc['@timestamp'];
  else if (out.state === 'End') ev.end = doc['@timestamp'];
}

/**
 * One CloudTrail record (JSON text) → document fields, or a ParseError naming the problem. `parsed`
 * is the record already parsed, when the caller has it (`RawEvent.parsed`, `JSON.parse(line)` of
 * the same text): it is used instead of parsing the text again; the checks on the text still apply.
 * @example parseCloudTrailRecord('{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDACKCEVSQ6C2EXAMPLE","arn":"arn:aws:iam::111122223333:user/anaya","accountId":"111122223333","userName":"anaya"},"eventTime":"2022-11-10T16:24:34Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"Yes"},"eventID":"fed06f42-cb12-4764-8c69-121063dc79b9","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}')
 */
export function parseCloudTrailRecord(line: string, parsed?: unknown): LineResult {
  const text = line.trim();
  if (!text) return skip('blank');
  if (text[0] !== '{') return new ParseError('not a CloudTrail record: not a JSON object', 'invalid_record');
  // Parse memory follows the number of containers: 1 MiB of `[[[[…` is not parsed at all.
  if (tooManyContainers(text)) return new ParseError(`CloudTrail record with more than ${MAX_JSON_CONTAINERS} JSON objects and arrays`, 'too_large');
  if (parsed === undefined) {
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return new ParseError(`invalid JSON: ${(e as Error).message}`, 'invalid_json');
    }
  }
  if (!isObj(parsed)) return new ParseError('not a CloudTrail record: not a JSON object', 'invalid_record');
  let r: Obj = parsed;
  if (Array.isArray(r.Records)) {
    // A whole log file sent as one message: fine when it holds one record, ambiguous otherwise.
    if (r.Records.length !== 1)
      return new ParseError(`message is a CloudTrail file with ${r.Records.length} records; expand "Records" into one event per record`, 'invalid_record');
    if (!isObj(r.Records[0])) return new ParseError('not a CloudTrail record: Records[0] is not an object', 'invalid_record');
    r = r.Records[0];
  }
  // Digest files share the bucket; they are integrity proofs, not events.
  if ('digestStartTime' in r && 'digestEndTime' in r) return skip('skipped');
  const insight = isObj(r.insightDetails) ? r.insightDetails : undefined;
  if (!('eventVersion' in r) && !('eventSource' in r) && !('userIdentity' in r) && !insight)
    return new ParseError('not a CloudTrail record: no eventVersion, eventSource, userIdentity or insightDetails', 'invalid_record');
  const eventTime = str(r.eventTime);
  if (!eventTime) return new ParseError('CloudTrail record without eventTime', 'invalid_record');
  const ts = eventTimeIso(eventTime);
  if (!ts) {
    const why = outsideEventWindow(eventTime) ? `an eventTime outside the event time window ${EVENT_TIME_WINDOW}` : 'an invalid eventTime';
    return new ParseError(`CloudTrail record with ${why}: ${JSON.stringify(eventTime.slice(0, 64))}`, 'invalid_record');
  }
  const eventName = str(r.eventName);
  if (!eventName && !insight) return new ParseError('CloudTrail record without eventName', 'invalid_record');

  const ct: CloudTrailFields = {};
  const event: NonNullable<Fields['event']> = {};
  const doc: Fields = { '@timestamp': ts, event, aws: { cloudtrail: ct } };
  const related = new Set<string>();

  if (str(r.eventID)) event.id = r.eventID as string;
  const source = str(r.eventSource) ?? '';
  if (eventName) event.action = eventName;
  if (source) event.provider = source;
  if (str(r.eventVersion)) ct.event_version = r.eventVersion as string;
  const eventType = str(r.eventType);
  if (eventType) ct.event_type = eventType;
  if (str(r.eventCategory)) ct.event_category = r.eventCategory as string;
  const readOnly = bool(r.readOnly);
  if (readOnly !== undefined) ct.read_only = readOnly;
  const mgmt = bool(r.managementEvent);
  if (mgmt !== undefined) ct.management_event = mgmt;
  if (str(r.apiVersion)) ct.api_version = r.apiVersion as string;
  if (str(r.requestID)) ct.request_id = r.requestID as string;
  if (str(r.sharedEventID)) ct.shared_event_id = r.sharedEventID as string;
  if (str(r.vpcEndpointId)) ct.vpc_endpoint_id = r.vpcEndpointId as string;
  if (str(r.vpcEndpointAccountId)) ct.vpc_endpoint_account_id = r.vpcEndpointAccountId as string;
  const recipient = str(r.recipientAccountId);
  if (recipient) ct.recipient_account_id = recipient;
  const fromConsole = bool(r.sessionCredentialFromConsole);
  if (fromConsole !== undefined) ct.session_credential_from_console = fromConsole;

  const cloud: NonNullable<Fields['cloud']> = { provider: 'aws' };
  // The account whose trail recorded the event; records without `recipientAccountId` (some console
  // sign-ins) name only the caller's `userIdentity.accountId`, the account signed in to. Either is a
  // content claim: the pipeline believes it only as lib/core/attribution.ts allows.
  const claimed = recipient ?? (isObj(r.userIdentity) ? accountIdOf(r.userIdentity.accountId) : undefined);
  if (claimed) cloud.account = { id: claimed };
  if (str(r.awsRegion)) cloud.region = r.awsRegion as string;
  doc.cloud = cloud;

  const ip = str(r.sourceIPAddress);
  if (ip) {
    const src: NonNullable<Fields['source']> = { address: ip };
    if (isIP(ip)) src.ip = ip; else if (ip.includes('.') && !ip.includes(' ')) src.domain = ip;
    doc.source = src;
  }
  if (str(r.userAgent)) doc.user_agent = { original: r.userAgent as string };

  const errorCode = str(r.errorCode);
  const errorMessage = str(r.errorMessage);
  if (errorCode || errorMessage) {
    doc.error = {};
    if (errorCode) {
      doc.error.code = errorCode;
      ct.error_code = errorCode;
    }
    if (errorMessage) doc.error.message = errorMessage;
  }

  let mfa: boolean | undefined;
  if (isObj(r.userIdentity)) mfa = mapIdentity(r.userIdentity, doc, ct, related);

  const rp = r.requestParameters;
  const re = r.responseElements;
  const aed = r.additionalEventData;
  const tooDeep =
    putFlat(ct, 'request_parameters', rp) ??
    putFlat(ct, 'response_elements', re) ??
    putFlat(ct, 'additional_eventdata', aed) ??
    putFlat(ct, 'service_event_details', r.serviceEventDetails) ??
    putFlat(ct, 'edge_device_details', r.edgeDeviceDetails);
  if (tooDeep) return tooDeep;
  if (isObj(rp)) mapTargets(source, rp, doc, related);

  // Sign-in events report their result in responseElements.<eventName> ("Success"/"Failure").
  // Identity Center sign-in service events report it in serviceEventDetails.<eventName> instead.
  let signinResult: string | undefined;
  if (isObj(re) && eventName && typeof re[eventName] === 'string') signinResult = re[eventName] as string;
  else if (isObj(r.serviceEventDetails) && eventName && typeof r.serviceEventDetails[eventName] === 'string')
    signinResult = r.serviceEventDetails[eventName] as string;
  if (isObj(aed)) {
    const cl: NonNullable<CloudTrailFields['console_login']> = {};
    if (str(aed.LoginTo)) cl.login_to = aed.LoginTo as string;
    const mobile = yesNo(aed.MobileVersion);
    if (mobile !== undefined) cl.mobile_version = mobile;
    const used = yesNo(aed.MFAUsed);
    if (used !== undefined) {
      cl.mfa_used = used;
      mfa = (mfa ?? false) || used;
    }
    if (str(aed.MFAIdentifier)) cl.mfa_identifier = aed.MFAIdentifier as string;
    if (str(aed.MfaType)) cl.mfa_type = aed.MfaType as string;
    if (Object.keys(cl).length) ct.console_login = cl;
  }
  if (mfa !== undefined) ct.mfa_used = mfa;

  if (isObj(r.tlsDetails)) {
    const t = r.tlsDetails;
    const tls: NonNullable<Fields['tls']> = {};
    const v = str(t.tlsVersion);
    if (v) {
      const m = /^(TLS|SSL)v?(\d+(?:\.\d+)?)$/i.exec(v);
      if (m) {
        tls.version = m[2];
        tls.version_protocol = m[1].toLowerCase();
      } else tls.version = v;
    }
    if (str(t.cipherSuite)) tls.cipher = t.cipherSuite as string;
    if (str(t.clientProvidedHostHeader)) {
      tls.client = { server_name: t.clientProvidedHostHeader as string };
      ct.tls_details = { client_provided_host_header: t.clientProvidedHostHeader as string };
    }
    if (Object.keys(tls).length) doc.tls = tls;
  }

  if (Array.isArray(r.resources) && r.resources.length) {
    const arns: string[] = [];
    const accounts: string[] = [];
    const types: string[] = [];
    for (const res of r.resources) {
      if (!isObj(res)) continue;
      if (str(res.ARN)) arns.push(res.ARN as string);
      if (str(res.accountId)) accounts.push(res.accountId as string);
      if (str(res.type)) types.push(res.type as string);
    }
    const out: NonNullable<CloudTrailFields['resources']> = {};
    if (arns.length) out.arn = arns;
    if (accounts.length) out.account_id = accounts;
    if (types.length) out.type = types;
    if (Object.keys(out).length) ct.resources = out;
  }

  if (isObj(r.addendum)) {
    const a = r.addendum;
    const out: NonNullable<CloudTrailFields['addendum']> = {};
    if (str(a.reason)) out.reason = a.reason as string;
    if (str(a.updatedFields)) out.updated_fields = a.updatedFields as string;
    if (str(a.originalRequestID)) out.original_request_id = a.originalRequestID as string;
    if (str(a.originalEventID)) out.original_event_id = a.originalEventID as string;
    if (Object.keys(out).length) ct.addendum = out;
  }

  // Keys newer record versions add: kept, bounded, never mapped dynamically.
  let other: Obj | undefined;
  for (const k in r) if (!KNOWN.has(k)) put((other ??= {}), k, r[k]);
  const otherTooDeep = other && putFlat(ct, 'other', other);
  if (otherTooDeep) return otherTooDeep;

  if (insight) mapInsight(insight, doc, ct);
  else {
    const { category, type } = classify(eventName!, source, eventType, readOnly, errorCode);
    event.category = category;
    event.type = type;
    if (errorCode || signinResult === 'Failure') event.outcome = 'failure';
    else if (signinResult === 'Success' || eventType !== 'AwsServiceEvent') event.outcome = 'success';
    else event.outcome = 'unknown';
  }
  if (related.size || doc.source?.ip) {
    doc.related = {};
    if (doc.source?.ip) doc.related.ip = [doc.source.ip];
    if (related.size) doc.related.user = [...related];
  }
  return doc;
}

/**
 * The CloudTrail parser: every event is one record.
 * @example cloudtrailParser.parse([{ message: '{"eventVersion":"1.08","eventTime":"2022-11-10T16:24:34Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","userIdentity":{"type":"Root"}}', key: 'k' }], {})
 */
export const cloudtrailParser: Parser = lineParser('cloudtrail', (line, _ctx, event) => parseCloudTrailRecord(line, event.parsed));

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 'cloudtrail',
  dataset: DATASETS.cloudtrail,
  title: 'AWS CloudTrail records (management, data and Insights events; S3 files and CloudWatch Logs)',
  docs: [
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html',
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html',
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html',
  ],
  examples: [
    {
      title: 'Console sign-in of an IAM user',
      input: JSON.stringify({
        eventVersion: '1.05',
        userIdentity: { type: 'IAMUser', principalId: 'AIDACKCEVSQ6C2EXAMPLE', arn: 'arn:aws:iam::111122223333:user/anaya', accountId: '111122223333', userName: 'anaya' },
        eventTime: '2018-08-29T16:24:34Z',
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        awsRegion: 'us-east-2',
        sourceIPAddress: '192.0.2.0',
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/68.0.3440.106 Safari/537.36',
        requestParameters: null,
        responseElements: { ConsoleLogin: 'Success' },
        additionalEventData: { LoginTo: 'https://console.aws.amazon.com/sns', MobileVersion: 'No', MFAUsed: 'No' },
        eventID: 'fd7f4f4d-5cb4-4c4e-9d4e-EXAMPLE11111',
        eventType: 'AwsConsoleSignIn',
        recipientAccountId: '111122223333',
      }),
      context: { logGroup: 'aws-cloudtrail-logs-111122223333-0a1b2c3d' },
      fields: {
        '@timestamp': '2018-08-29T16:24:34.000Z',
        event: { id: 'fd7f4f4d-5cb4-4c4e-9d4e-EXAMPLE11111', action: 'ConsoleLogin', provider: 'signin.amazonaws.com', category: ['authentication'], outcome: 'success' },
        user: { name: 'anaya', id: 'AIDACKCEVSQ6C2EXAMPLE', domain: '111122223333' },
        source: { ip: '192.0.2.0' },
        cloud: { account: { id: '111122223333' }, region: 'us-east-2' },
        aws: { cloudtrail: { mfa_used: false, console_login: { mfa_used: false } } },
      },
    },
    {
      title: 'IAM API call: CreateUser by an IAM user with an access key',
      input: JSON.stringify({
        eventVersion: '1.08',
        userIdentity: { type: 'IAMUser', principalId: 'AIDA6ON6E4XEGITEXAMPLE', arn: 'arn:aws:iam::888888888888:user/Mateo', accountId: '888888888888', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'Mateo' },
        eventTime: '2023-07-19T21:11:57Z',
        eventSource: 'iam.amazonaws.com',
        eventName: 'CreateUser',
        awsRegion: 'us-east-1',
        sourceIPAddress: '192.0.2.0',
        userAgent: 'aws-cli/2.13.5',
        requestParameters: { userName: 'Richard' },
        responseElements: { user: { path: '/', arn: 'arn:aws:iam::888888888888:user/Richard', userId: 'AIDA6ON6E4XEP7EXAMPLE', createDate: 'Jul 19, 2023 9:11:57 PM', userName: 'Richard' } },
        requestID: '2d528c76-329e-410b-9516-EXAMPLE565dc',
        eventID: 'ba0801a1-87ec-4d26-be87-EXAMPLE75bbb',
        readOnly: false,
        eventType: 'AwsApiCall',
        managementEvent: true,
        recipientAccountId: '888888888888',
        eventCategory: 'Management',
      }),
      fields: {
        event: { action: 'CreateUser', category: ['iam'], type: ['creation', 'user'], outcome: 'success' },
        user: { name: 'Mateo', target: { name: 'Richard' } },
        related: { user: ['Mateo', 'Richard'] },
        aws: { cloudtrail: { request_parameters: { userName: 'Richard' }, user_identity: { access_key_id: 'AKIAIOSFODNN7EXAMPLE' } } },
      },
    },
    {
      title: 'An AccessDenied call by an assumed role: outcome failure, error and role',
      input: JSON.stringify({
        eventVersion: '1.08',
        userIdentity: {
          type: 'AssumedRole',
          principalId: 'AROAEXAMPLEDEVROLE01:dev-session',
          arn: 'arn:aws:sts::111122223333:assumed-role/DevRole/dev-session',
          accountId: '111122223333',
          accessKeyId: 'ASIAEXAMPLEDEV00001',
          sessionContext: {
            sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEDEVROLE01', arn: 'arn:aws:iam::111122223333:role/DevRole', accountId: '111122223333', userName: 'DevRole' },
            attributes: { creationDate: '2026-03-06T08:00:00Z', mfaAuthenticated: 'false' },
          },
        },
        eventTime: '2026-03-06T08:10:00Z',
        eventSource: 'iam.amazonaws.com',
        eventName: 'AttachRolePolicy',
        awsRegion: 'us-east-1',
        sourceIPAddress: '192.0.2.33',
        userAgent: 'aws-cli/2.15.0',
        errorCode: 'AccessDenied',
        errorMessage: 'User: arn:aws:sts::111122223333:assumed-role/DevRole/dev-session is not authorized to perform: iam:AttachRolePolicy',
        requestParameters: null,
        responseElements: null,
        eventID: 'd0d0d0d0-7777-4a7a-8b8b-000000000001',
        eventType: 'AwsApiCall',
        recipientAccountId: '111122223333',
      }),
      fields: {
        event: { action: 'AttachRolePolicy', outcome: 'failure', type: ['change', 'admin', 'denied'] },
        error: { code: 'AccessDenied' },
        user: { name: 'dev-session', roles: ['DevRole'] },
        aws: { cloudtrail: { error_code: 'AccessDenied', user_identity: { session_context: { session_issuer: { user_name: 'DevRole' } } } } },
      },
    },
    {
      title: 'A truncated record is a failure that keeps the text',
      input: '{"eventVersion":"1.08","eventTime":',
      failure: { type: 'invalid_json' },
    },
  ],
};
