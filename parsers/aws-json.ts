/**
 * Helpers of the Inspector and Config parsers (pure, bounded): one JSON record parsed within the
 * container bound, the EventBridge and SNS envelopes that may wrap it, AWS timestamps in the forms
 * these services write them, and free-form objects bounded for `flat_object` fields.
 */
import { FLAT_LIMITS, prune, withinBudget } from './cloudtrail';
import { deeperThan, MAX_JSON_CONTAINERS, MAX_JSON_DEPTH, tooManyContainers } from './json';
import { isoFromSeconds, isoFromString } from './time';
import { isSkip, ParseError, skip, type Skip } from './types';

import { isObj, type Obj } from './json-line';

export { isObj, type Obj };
/** A non-empty string, else undefined. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** A finite number, else undefined. */
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** A string or a number as text (Config writes `configurationStateId` as either). */
export const text = (v: unknown): string | undefined => str(v) ?? (num(v) !== undefined ? String(v) : undefined);

/**
 * One JSON object record: a blank line is a `blank` drop, anything else that is not a JSON object
 * within `MAX_JSON_CONTAINERS` and `MAX_JSON_DEPTH` is a failure naming `what` it should have been.
 * @example parseObject('{"a":1}', 'an Inspector finding') // { a: 1 }
 */
export function parseObject(line: string, what: string): Obj | ParseError | Skip {
  const t = line.trim();
  if (!t) return skip('blank');
  if (t[0] !== '{') return new ParseError(`not ${what}: not a JSON object`, 'invalid_record');
  if (tooManyContainers(t)) return new ParseError(`${what} with more than ${MAX_JSON_CONTAINERS} JSON objects and arrays`, 'too_large');
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch (e) {
    return new ParseError(`invalid JSON: ${(e as Error).message}`, 'invalid_json');
  }
  if (!isObj(parsed)) return new ParseError(`not ${what}: not a JSON object`, 'invalid_record');
  // Everything below walks the record recursively; a record nested deeper cannot be kept whole.
  if (deeperThan(parsed, MAX_JSON_DEPTH)) return new ParseError(`${what} nested deeper than ${MAX_JSON_DEPTH} levels`, 'too_deep');
  return parsed;
}

/** The EventBridge envelope of an AWS service event (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events.html). */
export interface EventBridgeEvent {
  id?: string;
  detailType: string;
  source: string;
  account?: string;
  region?: string;
  time?: string;
  detail: Obj;
}

/**
 * The envelope fields when `o` is an EventBridge event (`detail-type`, `source`, an object `detail`).
 * @example eventBridge({ version: '0', 'detail-type': 'Inspector2 Finding', source: 'aws.inspector2', detail: {} })?.detailType // 'Inspector2 Finding'
 */
export function eventBridge(o: Obj): EventBridgeEvent | undefined {
  const detailType = str(o['detail-type']);
  const source = str(o.source);
  if (!detailType || !source || !isObj(o.detail)) return undefined;
  const e: EventBridgeEvent = { detailType, source, detail: o.detail };
  if (str(o.id)) e.id = o.id as string;
  if (typeof o.account === 'string' && /^\d{12}$/.test(o.account)) e.account = o.account;
  if (str(o.region)) e.region = o.region as string;
  if (str(o.time)) e.time = o.time as string;
  return e;
}

/**
 * The message of an SNS notification (`{"Type":"Notification","Message":"<JSON text>"}`, how Config's
 * delivery channel topic delivers to SQS, HTTPS or Firehose subscribers), parsed; undefined when `o`
 * is no SNS notification; a failure when its message is not a JSON object.
 */
export function snsMessage(o: Obj, what: string): Obj | ParseError | undefined {
  if (o.Type !== 'Notification' || typeof o.Message !== 'string' || !('TopicArn' in o || 'MessageId' in o)) return undefined;
  const inner = parseObject(o.Message, what);
  if (inner instanceof ParseError) return new ParseError(`SNS message: ${inner.message}`, inner.type);
  return isSkip(inner) ? new ParseError(`SNS notification with an empty message, not ${what}`, 'invalid_record') : inner;
}

const MONTHS: Record<string, number> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };
// EventBridge Inspector findings write times as `Jan 19, 2023, 10:46:15 PM` (observed in the AWS docs'
// examples and SIEM on Amazon OpenSearch Service); read as UTC, like every other AWS time without a zone.
const US_TIME = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}), (\d{1,2}):(\d{2}):(\d{2}) ([AP]M)$/;

/**
 * An AWS time as ISO with milliseconds: ISO 8601 strings, the `Jan 19, 2023, 10:46:15 PM` form of
 * Inspector's EventBridge events, and epoch seconds (the raw API's JSON timestamps); undefined
 * otherwise or outside the event time window.
 * @example awsTime('Jan 19, 2023, 10:46:15 PM') // '2023-01-19T22:46:15.000Z'
 * @example awsTime(1674168375) // '2023-01-19T22:46:15.000Z'
 */
export function awsTime(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? isoFromSeconds(v) : undefined;
  if (typeof v !== 'string' || v.length > 64) return undefined;
  const m = US_TIME.exec(v.trim());
  if (!m) return isoFromString(v);
  const mo = MONTHS[m[1]];
  let h = Number(m[4]);
  if (mo === undefined || h < 1 || h > 12) return undefined;
  if (m[7] === 'PM' && h !== 12) h += 12;
  if (m[7] === 'AM' && h === 12) h = 0;
  const p = (n: number | string) => String(n).padStart(2, '0');
  return isoFromString(`${m[3]}-${p(mo)}-${p(m[2])}T${p(h)}:${m[5]}:${m[6]}Z`);
}

/**
 * A free-form object bounded for a `flat_object` field (the CloudTrail budget: `FLAT_LIMITS`): as is
 * when within it, else a pruned copy and the full JSON. A scalar or array is wrapped as `{ value }`.
 * (The caller has already refused records nested deeper than `MAX_JSON_DEPTH`.)
 * @example boundedFlat({ a: 1 }) // { flat: { a: 1 } }
 */
export function boundedFlat(value: unknown): { flat: Obj; json?: string } | undefined {
  if (value === null || value === undefined) return undefined;
  const obj: Obj = isObj(value) ? value : { value };
  if (withinBudget(obj, 0, { leaves: FLAT_LIMITS.leaves })) return { flat: obj };
  return { flat: prune(obj, 0, { leaves: FLAT_LIMITS.leaves }) as Obj, json: JSON.stringify(value) };
}

/** Strings of an array (others skipped), at most `max`. */
export function strings(v: unknown, max = 100): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const x of v) {
    if (out.length >= max) break;
    if (typeof x === 'string' && x !== '') out.push(x);
  }
  return out;
}
