/**
 * Small helpers shared by the parsers of JSON-per-line AWS logs (WAF, Route 53 Resolver, Network
 * Firewall): one bounded `JSON.parse` per line, and readers that treat every key as optional and
 * `-`, `""` and `null` as absent (AWS writes all three for "no value").
 */
import { isIP } from 'node:net';
import { MAX_JSON_CONTAINERS, tooManyContainers } from './json';
import { ParseError } from './types';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The JSON object of one log line, or a `ParseError` saying why not (`what` names the format in the
 * message). Structure bombs are refused before parsing (`MAX_JSON_CONTAINERS`).
 * @example parseJsonObject('{"a":1}', 'WAF log record') // { a: 1 }
 */
export function parseJsonObject(line: string, what: string): Obj | ParseError {
  const text = line.trim();
  if (text[0] !== '{') return new ParseError(`not a ${what}: not a JSON object`, 'invalid_record');
  if (tooManyContainers(text)) return new ParseError(`${what} with more than ${MAX_JSON_CONTAINERS} JSON objects and arrays`, 'too_large');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return new ParseError(`invalid JSON: ${(e as Error).message}`, 'invalid_json');
  }
  return isObj(v) ? v : new ParseError(`not a ${what}: not a JSON object`, 'invalid_record');
}

/** Longest text kept from one free-text value (a URI, a header); keyword fields index up to 1024 anyway. */
export const MAX_TEXT = 8192;

/**
 * A string value, clipped to `max` characters; undefined for non-strings and for `-`, `""`.
 * @example str('-') // undefined
 */
export function str(v: unknown, max = MAX_TEXT): string | undefined {
  if (typeof v !== 'string' || v === '' || v === '-') return undefined;
  return v.length > max ? v.slice(0, max) : v;
}

/**
 * A finite number from a JSON number or a decimal string (Route 53 writes ports as strings).
 * @example num('56067') // 56067
 */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^-?\d{1,15}(\.\d{1,9})?$/.test(v)) return Number(v);
  return undefined;
}

/** A whole number in [min, max], from a number or a digit string. */
export function int(v: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const n = num(v);
  return n !== undefined && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

/** A port number (0-65535). */
export const port = (v: unknown): number | undefined => int(v, 0, 65535);

/**
 * An IP address as OpenSearch's `ip` type accepts it (no zone index), else undefined.
 * @example ip('2001:db8::1') // '2001:db8::1'
 */
export function ip(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= 45 && isIP(v) !== 0 ? v : undefined;
}

/** `ipv4` / `ipv6` of an address (ECS `network.type`). */
export function ipType(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** IANA numbers of the transports these logs name. */
export const IANA: Readonly<Record<string, string>> = { tcp: '6', udp: '17', icmp: '1', 'ipv6-icmp': '58', sctp: '132' };

/** The first `max` elements of a JSON array (anything else: none). */
export function items(v: unknown, max: number): unknown[] {
  return Array.isArray(v) ? v.slice(0, max) : [];
}

/** Adds values to a list without duplicates, up to `max` entries. */
export function pushUnique(list: string[], v: string | undefined, max = 100): void {
  if (v !== undefined && list.length < max && !list.includes(v)) list.push(v);
}
