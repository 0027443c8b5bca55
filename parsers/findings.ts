/**
 * Shared by the finding parsers (`securityhub.ts`, `guardduty.ts`): reading one finding record out of
 * its wrappers, bounded. A finding arrives
 * - in an EventBridge event (`{version, id, "detail-type", source, account, time, region, resources,
 *   detail}`): Security Hub puts one ASFF finding in `detail.findings[]`, GuardDuty the finding in
 *   `detail` (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html);
 * - bare, one per line (GuardDuty's S3 export, a finding put into the stream or a log group as is);
 * - in an export holding many: `{"Findings":[...]}` (the `GetFindings` output shape) or a JSON array.
 *   `splitFindings` makes those one event per finding before parsing (`Parser.split`).
 */
import { tooManyContainers } from './json';
import { ParseError, type RawEvent } from './types';

import { eventBridge, isObj, type Obj, str, strings as nonEmptyStrings } from './aws-json';

export { str };

/** A finite number field (numbers in strings included, as some exports write them), or undefined. */
export function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Strings of an array field (at most `max`), or undefined when there are none. */
export function strings(v: unknown, max = 100): string[] | undefined {
  const out = nonEmptyStrings(v, max);
  return out.length ? out : undefined;
}

/** Objects of an array field, or an empty list. */
export const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/**
 * Parses a record's JSON text into an object, bounded (`MAX_JSON_CONTAINERS`), or a `ParseError`.
 * @example parseObject('{"a":1}') // { a: 1 }
 */
export function parseObject(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return new ParseError('a finding record is JSON, this is not', 'not_json');
  if (tooManyContainers(t)) return new ParseError('record holds too many JSON objects and arrays to parse safely', 'too_many_containers');
  try {
    return JSON.parse(t) as unknown;
  } catch (e) {
    return new ParseError(`record is not valid JSON: ${(e as Error).message}`, 'not_json');
  }
}

/**
 * The findings an export or array holds, when the record is one: `{"Findings":[...]}` or `[...]`.
 * A Security Hub EventBridge event with several `detail.findings` counts too (AWS sends one per event,
 * a hand-made event may carry more).
 */
function exportedFindings(parsed: unknown): { items: unknown[]; wrap: (item: unknown) => unknown } | undefined {
  if (Array.isArray(parsed)) return { items: parsed, wrap: (x) => x };
  if (!isObj(parsed)) return undefined;
  if (Array.isArray(parsed.Findings)) return { items: parsed.Findings, wrap: (x) => x };
  if (Array.isArray(parsed.findings) && !('detail' in parsed)) return { items: parsed.findings, wrap: (x) => x };
  const detail = parsed.detail;
  if (eventBridge(parsed) && isObj(detail) && Array.isArray(detail.findings) && detail.findings.length > 1)
    return { items: detail.findings, wrap: (x) => ({ ...parsed, detail: { ...detail, findings: [x] } }) };
  return undefined;
}

/**
 * `Parser.split` of a finding parser: one event per finding of an export, an array or a
 * multi-finding EventBridge event (each keyed `<key>#finding=<n>`, so failures keep distinct ids;
 * documents take their id from the finding itself). Split only when EVERY entry is a finding of the
 * parser (`isFinding`): anything else stays one event, so it fails whole with its original text.
 * Whatever it parsed goes on as `RawEvent.parsed`.
 * @example splitFindings(isAsffFinding)({ message: '{"Findings":[{…},{…}]}', key: 'k' })?.map((e) => e.key) // ['k#finding=0', 'k#finding=1']
 */
export function splitFindings(isFinding: (o: Obj) => boolean): (event: RawEvent) => RawEvent[] | undefined {
  return (event) => {
    const t = event.message.trimStart();
    // Cheap test first: only JSON arrays and objects naming a findings list can hold several.
    if (!t.startsWith('[') && !(t.startsWith('{') && /"(?:Findings|findings)"\s*:/.test(t.slice(0, 1 << 20)))) return undefined;
    const parsed = parseObject(t);
    if (parsed instanceof ParseError) return undefined;
    // Not several findings (most often one EventBridge event of one finding): the event as it is,
    // with the value parsed here, so the parser does not parse it a second time (`RawEvent.parsed`).
    const whole = [{ ...event, parsed }];
    const found = exportedFindings(parsed);
    if (!found || found.items.length === 0) return whole;
    if (!found.items.every((item) => isObj(item) && isFinding(item))) return whole;
    if (found.items.length === 1 && isObj(parsed) && 'detail' in parsed) return whole;
    return found.items.map((item, i) => {
      const value = found.wrap(item);
      const e: RawEvent = { message: JSON.stringify(value) ?? 'null', key: `${event.key}#finding=${i}`, parsed: value };
      if (event.timestamp !== undefined) e.timestamp = event.timestamp;
      if (event.extractedFields) e.extractedFields = event.extractedFields;
      return e;
    });
  };
}

/**
 * The 0–100 `event.severity` of a severity label (ASFF's documented normalized values), and the
 * label of a 0–100 value (ASFF's bands). See `schemas/sources/securityhub.ts`.
 * @example labelOfNormalized(72) // 'HIGH'
 */
export function labelOfNormalized(n: number): string {
  if (n >= 90) return 'CRITICAL';
  if (n >= 70) return 'HIGH';
  if (n >= 40) return 'MEDIUM';
  if (n >= 1) return 'LOW';
  return 'INFORMATIONAL';
}

export const NORMALIZED_OF_LABEL: Readonly<Record<string, number>> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 40, HIGH: 70, CRITICAL: 90 };

/** An account id, only when it is 12 digits (a claim the pipeline checks against the delivery). */
export const accountId = (v: unknown): string | undefined => (typeof v === 'string' && /^\d{12}$/.test(v) ? v : undefined);

/** A region name, only when it looks like one. */
export const regionName = (v: unknown): string | undefined => (typeof v === 'string' && /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/.test(v) ? v : undefined);
