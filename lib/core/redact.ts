/**
 * Secret redaction: applied to every finished document (`finish` and failure documents in
 * `pipeline.ts`) before it is archived or indexed, on every path (transformer, s3ingest, CLI, local
 * run, replay from raw). Pure, no I/O; bounded and linear in the size of the document.
 *
 * Rules find secrets three ways:
 * - **key names**: an object key (`aws.waf.request.headers.authorization`, `app.fields.db_password`,
 *   CloudTrail `responseElements.credentials.sessionToken`) whose string value is the secret;
 * - **`key=value` / `key: value` / `"key":"value"` in text**: the same key names inside a string
 *   (a Lambda line printing `AWS_SESSION_TOKEN=...`, a URL query `?password=...`, an API Gateway
 *   execution log's `{Authorization=Bearer ..., Cookie=...}`);
 * - **value patterns**: JWTs, PEM private key blocks, and configured patterns (compiled by the caller
 *   with a linear-time engine: `lib/io/redaction.ts` uses RE2JS), plus configured **field paths**.
 *
 * A secret is replaced by a marker that names the rule and, for high-entropy secrets, the first 10 hex
 * digits of its SHA-256 (`[REDACTED:aws-session-token#3f9a1c0b2d]`): the same token seen from two
 * addresses correlates, while the secret is not stored. Low-entropy secrets (passwords, Basic
 * credentials, `secret`) get no hash: an unsalted hash of a password is a dictionary lookup away. A
 * marker is never longer than the secret it replaces (falling back to `[REDACTED:<rule>]`,
 * `[REDACTED]`, `***`), so redaction never grows a document; `tributary.redacted` counts what was
 * replaced. AWS access key ids (`AKIA…`, `ASIA…`) are kept on purpose: CloudTrail logs them as the
 * identity of the caller, they are evidence and useless without the secret key.
 *
 * Never touched: `tributary.*`, `@timestamp`, `ecs`, `event.id`/`dataset`/`kind`/`ingested`/`created` (ids, partitions and
 * indices do not depend on redaction), and `event.original` unless `original` is set (the raw line is
 * evidence; the Firehose `raw/` backup keeps it anyway).
 */
import { hash } from 'node:crypto';

/** Finds the spans of one configured pattern in a text (a linear-time engine, compiled by the caller). */
export interface PatternMatcher {
  /** The pattern as configured (for messages and `describe`). */
  readonly source: string;
  /** Start/end offsets of every match (its first capture group when it has one), in order, not overlapping. */
  spans(text: string): Array<[number, number]>;
}

/** A configured rule: at least one of `fields`, `keys`, `pattern`. */
export interface RedactionRule {
  /** Shown in markers and in `tributary.redacted.rules`: `[a-z0-9][a-z0-9_-]{0,31}`. */
  name: string;
  /** Dotted document paths (`user.email`, `app.fields.customer.card`): every string under them is replaced whole. */
  fields?: readonly string[];
  /** Key names anywhere in the document and in `key=value` text (compared in lower case, without `-`, `_`, `.`). */
  keys?: readonly string[];
  /** Replaces each match (or its first capture group). */
  pattern?: PatternMatcher;
  /** Add a short SHA-256 of the secret to the marker (only for high-entropy secrets). Default false. */
  hash?: boolean;
}

export interface RedactionConfig {
  /** Apply the default rules (`DEFAULT_RULES`). Default true. */
  defaults?: boolean;
  /** Default rules switched off by name. */
  disable?: readonly string[];
  rules?: readonly RedactionRule[];
  /** Redact `event.original` too (default false: the raw line is evidence). */
  original?: boolean;
}

/** What the default rules find, by name, and whether their marker carries a hash. */
export const DEFAULT_RULES: Readonly<Record<string, { hash: boolean; what: string }>> = {
  'aws-secret-key': { hash: true, what: 'AWS secret access keys (`AWS_SECRET_ACCESS_KEY`, `aws_secret_access_key`, `SecretAccessKey`)' },
  'aws-session-token': { hash: true, what: 'AWS session tokens (`AWS_SESSION_TOKEN`, `aws_session_token`, `SessionToken`, `X-Amz-Security-Token`)' },
  authorization: { hash: true, what: '`Authorization` / `Proxy-Authorization` values after the scheme (no hash for `Basic`); SigV4 headers keep all but `Signature`' },
  cookie: { hash: true, what: 'each cookie value of `Cookie`, the first pair of `Set-Cookie` (names and attributes kept)' },
  password: { hash: false, what: '`password`, `passwd`, `pwd`, `passphrase` and keys ending in them (`db_password`)' },
  secret: { hash: false, what: '`secret`, `client_secret`, `secret_key` and keys ending in `secret`' },
  token: { hash: true, what: '`token`, `access_token`, `refresh_token`, `id_token`, `auth_token`, `api_token`, `bearer_token` (not pagination tokens such as `nextToken`)' },
  'api-key': { hash: true, what: '`api_key`, `apikey`, `x-api-key` and keys ending in `api_key`' },
  'url-signature': { hash: true, what: '`X-Amz-Signature` of presigned URLs and SigV2 `Signature` (a bearer credential until it expires); `X-Amz-Credential` is kept' },
  'private-key': { hash: true, what: 'PEM `-----BEGIN ... PRIVATE KEY-----` blocks (to the END line, or to the end of the text when cut)' },
  jwt: { hash: true, what: 'JSON Web Tokens (`eyJ….eyJ….…`)' },
};

/** Normalized key names (lower case, letters and digits only) → default rule. */
const EXACT_KEYS: ReadonlyMap<string, string> = new Map([
  ...['awssecretaccesskey', 'secretaccesskey', 'awssecretkey'].map((k) => [k, 'aws-secret-key'] as const),
  ...['awssessiontoken', 'sessiontoken', 'awssecuritytoken', 'securitytoken', 'xamzsecuritytoken'].map((k) => [k, 'aws-session-token'] as const),
  ...['authorization', 'proxyauthorization'].map((k) => [k, 'authorization'] as const),
  ...['cookie', 'setcookie'].map((k) => [k, 'cookie'] as const),
  ...['password', 'passwd', 'pwd', 'passphrase'].map((k) => [k, 'password'] as const),
  ...['secret', 'clientsecret', 'secretkey'].map((k) => [k, 'secret'] as const),
  ...['token', 'accesstoken', 'refreshtoken', 'idtoken', 'authtoken', 'apitoken', 'bearertoken', 'xauthtoken'].map((k) => [k, 'token'] as const),
  ...['apikey', 'xapikey'].map((k) => [k, 'api-key'] as const),
  ...['xamzsignature', 'signature'].map((k) => [k, 'url-signature'] as const),
]);

/** Normalized key → default rule, by suffix (`db_password`, `jwtSecret`); `token` only by exact name: `nextToken` is no secret. */
function suffixRule(n: string): string | undefined {
  if (n.endsWith('password') || n.endsWith('passwd') || n.endsWith('passphrase')) return 'password';
  if (n.endsWith('secretaccesskey')) return 'aws-secret-key';
  if (n.endsWith('sessiontoken') || n.endsWith('securitytoken')) return 'aws-session-token';
  if (n.endsWith('secret') || n.endsWith('secretkey')) return 'secret';
  if (n.endsWith('apikey')) return 'api-key';
  return undefined;
}

/** Keys longer than this are not classified (no real secret's name is that long; bounds the work per key). */
const MAX_KEY = 128;
/** Classifications cached per redactor (keys repeat across documents); cleared when full. */
const MAX_CACHE = 4096;

/** What every default text rule needs first: a key's separator, a JWT's `eyJ` or a PEM block's dashes. */
const NEEDS = /[=:]|eyJ|-----/;

/**
 * The first test of every string, the only work done on most of them (addresses, ids, names): every
 * default text rule needs a separator (`=`, `:`), a JWT's `eyJ` or a PEM block's dashes, and then
 * one of the trigger words. One native search for the first of those (it was a `charCodeAt` loop:
 * most strings are slices of a log line, where that loop is slower; 4-5% of `tributary normalize` on
 * ALB logs); the trigger words are looked for only after a separator.
 */
function mayHoldSecret(s: string): boolean {
  if (s.length < 4) return false;
  const i = s.search(NEEDS);
  if (i < 0) return false;
  const c = s.charCodeAt(i);
  return c === 0x3d || c === 0x3a ? TRIGGER.test(s) : true;
}

/**
 * Every default text rule needs one of these words (key names contain `pass`/`pwd`/`secret`/`token`/
 * `key`/`auth`/`cookie`/`signature`; JWTs `eyJ`; PEM blocks `PRIVATE`). Configured key names need not.
 */
const TRIGGER = /pass|pwd|secret|token|key|auth|cookie|signature|eyJ|PRIVATE/i;

/**
 * A key followed by its separator, in text. Linear: the look-behind lets a key start only at the start
 * of a word, the key is at most 64 characters of one class, the separator has no nested quantifier;
 * the value is read by hand (`valueEnd`), never by a pattern.
 */
const KEY_IN_TEXT = /(?<![A-Za-z0-9_-])-{0,2}([A-Za-z][A-Za-z0-9_-]{0,63})(\\?["']?)[ \t]*[:=][ \t]*/g;
/** A JWT: three base64url parts, the first two JSON objects (`eyJ` = `{"`). Starts only at a word start: linear. */
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
/** Where an unquoted value ends. */
const TERMINATORS = new Set([...' \t\r\n&"\',;}])<>\\']);
/** Where an unquoted cookie header value ends (its pairs are separated by `;`). */
const COOKIE_TERMINATORS = new Set([...'\r\n"\'},\\']);
/** Unquoted values that are not secrets (`"password": null`, `isSecret=true`). */
const LITERALS = new Set(['null', 'true', 'false', 'undefined', 'none', 'nil', '-']);
const PEM_BEGIN = '-----BEGIN ';
const PEM_END = '-----END ';

/** Deeper objects are not visited (parsers bound JSON nesting at 256 levels: none is that deep). */
const MAX_DEPTH = 1000;
/** `event.*` fields never rewritten (ids, index and partition inputs); `event.original` unless configured. */
const SKIP_EVENT = new Set(['id', 'dataset', 'kind', 'ingested', 'created']);

/** Paths a field rule may not name: they decide ids, indices and partitions, or are pipeline metadata. */
export const PROTECTED_PATHS: readonly string[] = ['@timestamp', 'event.id', 'event.dataset', 'event.kind', 'cloud.account.id', 'cloud.region', 'tributary', 'ecs'];

interface Tally {
  count: number;
  rules: string[];
}

interface FieldTrie {
  rule?: ResolvedRule;
  children: Map<string, FieldTrie>;
}

interface ResolvedRule {
  name: string;
  hash: boolean;
}

/** Compiled rules; create once (`createRedactor`) and reuse: it caches key classifications. */
export interface Redactor {
  /** Redacts the document in place (returns it); adds `tributary.redacted` when anything was replaced. */
  redact<T extends object>(doc: T): T;
  /** What is configured, for logs: rule names only, never patterns' matches. */
  describe(): { defaults: string[]; rules: string[]; original: boolean };
  /** Identifies the configuration (rules, patterns, paths, `original`): a checkpoint of other settings is not continued. */
  readonly id: string;
}

/** Normalized key name: lower case, letters and digits only. */
function normalizeKey(key: string): string {
  let out = '';
  for (const ch of key.toLowerCase()) if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) out += ch;
  return out;
}

/** Where the markers of a text are (`[REDACTED…]`), in order; linear. */
function markerRanges(s: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let from = 0;
  for (;;) {
    const a = s.indexOf('[REDACTED', from);
    if (a < 0) return out;
    const b = s.indexOf(']', a);
    if (b < 0) return out;
    out.push([a, b + 1]);
    from = b + 1;
  }
}

/** A `{name, value}` pair's name and the key of its value, when both are strings. */
function namedValue(obj: Record<string, unknown>): { name: string; valueKey: string } | undefined {
  const name = typeof obj.name === 'string' ? obj.name : typeof obj.Name === 'string' ? obj.Name : undefined;
  if (name === undefined) return undefined;
  const valueKey = typeof obj.value === 'string' ? 'value' : typeof obj.Value === 'string' ? 'Value' : undefined;
  return valueKey ? { name, valueKey } : undefined;
}

/** The longest informative marker that is not longer than the secret. */
function marker(rule: ResolvedRule, secret: string): string {
  const n = secret.length;
  if (rule.hash) {
    // `#`, not `:`: a marker must not read as `key: value` to the next pass (idempotence).
    const full = `[REDACTED:${rule.name}#${hash('sha256', secret, 'hex').slice(0, 10)}]`;
    if (full.length <= n) return full;
  }
  const named = `[REDACTED:${rule.name}]`;
  if (named.length <= n) return named;
  if (n >= 10) return '[REDACTED]';
  return n >= 3 ? '***' : '*'.repeat(n);
}

/** Already redacted or masked by the application: not counted again (redaction is idempotent). */
function isMasked(v: string): boolean {
  if (v.startsWith('[REDACTED')) return true;
  for (let i = 0; i < v.length; i++) if (v[i] !== '*') return false;
  return true;
}

/**
 * Compiles a redactor. The default rules apply unless `defaults: false`; `disable` switches single
 * ones off. Validation of configured rules is the caller's (`parseRedactionConfig`).
 * @example createRedactor({}).redact({ message: 'export AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD' }).message
 * // 'export AWS_SESSION_TOKEN=[REDACTED:aws-session-token#…]'
 */
export function createRedactor(config: RedactionConfig = {}): Redactor {
  const disabled = new Set(config.disable ?? []);
  const defaults = config.defaults === false ? [] : Object.keys(DEFAULT_RULES).filter((n) => !disabled.has(n));
  const enabled = new Map<string, ResolvedRule>(defaults.map((n) => [n, { name: n, hash: DEFAULT_RULES[n].hash }]));
  const userKeys = new Map<string, ResolvedRule>();
  const patterns: Array<{ rule: ResolvedRule; matcher: PatternMatcher }> = [];
  const trie: FieldTrie = { children: new Map() };
  let hasFields = false;
  for (const r of config.rules ?? []) {
    const rule: ResolvedRule = { name: r.name, hash: r.hash === true };
    for (const k of r.keys ?? []) userKeys.set(normalizeKey(k), rule);
    if (r.pattern) patterns.push({ rule, matcher: r.pattern });
    for (const path of r.fields ?? []) {
      let node = trie;
      for (const seg of path.split('.')) {
        let next = node.children.get(seg);
        if (!next) node.children.set(seg, (next = { children: new Map() }));
        node = next;
      }
      node.rule = rule;
      hasFields = true;
    }
  }
  const original = config.original === true;
  const jwt = enabled.get('jwt');
  const pem = enabled.get('private-key');
  const keyRules = defaults.some((n) => n !== 'jwt' && n !== 'private-key') || userKeys.size > 0;

  const cache = new Map<string, ResolvedRule | null>();
  /** The rule a key name stands for, if any. */
  const classify = (key: string): ResolvedRule | undefined => {
    if (key.length > MAX_KEY) return undefined;
    const hit = cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    if (cache.size >= MAX_CACHE) cache.clear();
    const n = normalizeKey(key);
    let rule = userKeys.get(n);
    // `PWD` is the working directory in an environment dump, not a password.
    if (!rule && key !== 'PWD') {
      const name = EXACT_KEYS.get(n) ?? suffixRule(n);
      if (name) rule = enabled.get(name);
    }
    cache.set(key, rule ?? null);
    return rule;
  };

  const note = (t: Tally, rule: ResolvedRule) => {
    t.count++;
    if (!t.rules.includes(rule.name)) t.rules.push(rule.name);
  };
  /** The whole value is the secret. */
  const whole = (v: string, rule: ResolvedRule, t: Tally): string => {
    if (!v || isMasked(v)) return v;
    note(t, rule);
    return marker(rule, v);
  };
  /** `<scheme> <credentials>`: the scheme stays (Bearer, Basic, ...); SigV4 keeps all but its `Signature`. */
  const authorization = (v: string, rule: ResolvedRule, t: Tally): string => {
    let i = 0;
    while (i < v.length && i <= 32 && /[A-Za-z0-9._-]/.test(v[i])) i++;
    let j = i;
    while (j < v.length && (v[j] === ' ' || v[j] === '\t')) j++;
    if (i === 0 || j === i || j >= v.length) return whole(v, rule, t);
    const scheme = v.slice(0, i);
    const lower = scheme.toLowerCase();
    // The credential scope names the access key id (evidence); the signature is per request.
    if (lower.startsWith('aws4-') || lower === 'aws') return text(v, t);
    const secret = v.slice(j);
    if (isMasked(secret)) return v;
    const r = lower === 'basic' ? { name: rule.name, hash: false } : rule;
    note(t, rule);
    return v.slice(0, j) + marker(r, secret);
  };
  /** `a=1; b=2`: each value (or, for `Set-Cookie`, the first pair's: the rest are attributes). */
  const cookie = (v: string, rule: ResolvedRule, t: Tally, firstOnly: boolean): string => {
    const parts = v.split(';');
    for (let p = 0; p < parts.length && (!firstOnly || p === 0); p++) {
      const part = parts[p];
      const eq = part.indexOf('=');
      const value = eq < 0 ? part.trim() : part.slice(eq + 1);
      if (!value.trim() || isMasked(value.trim())) continue;
      note(t, rule);
      parts[p] = eq < 0 ? part.replace(value, marker(rule, value)) : part.slice(0, eq + 1) + marker(rule, value);
    }
    return parts.join(';');
  };
  /** A value found under a key name (structured or in text). */
  const byKey = (key: string, v: string, rule: ResolvedRule, t: Tally): string => {
    if (rule.name === 'authorization' && enabled.get('authorization') === rule) return authorization(v, rule, t);
    if (rule.name === 'cookie' && enabled.get('cookie') === rule) return cookie(v, rule, t, normalizeKey(key) === 'setcookie');
    return whole(v, rule, t);
  };

  /** Where the value that starts at `i` ends, and whether it was quoted (`i` past any opening quote). */
  const valueEnd = (s: string, i: number, quote: string, escaped: boolean, stops: Set<string>): number => {
    let k = i;
    if (quote && escaped) {
      // `\"key\":\"value\"` (JSON inside a JSON string): the value ends at the next `\"`.
      while (k < s.length && s[k] !== quote && s[k] !== '\n') k++;
      return k > i && s[k - 1] === '\\' ? k - 1 : k;
    }
    if (quote) {
      // Escaped characters (`\"`) belong to the value.
      while (k < s.length && s[k] !== quote && s[k] !== '\n') k += s[k] === '\\' ? 2 : 1;
      return Math.min(k, s.length);
    }
    // Cookie values hold no blanks (RFC 6265): a blank ends the header unless it follows the `;` between pairs.
    const cookie = stops === COOKIE_TERMINATORS;
    while (k < s.length && !stops.has(s[k]) && !(cookie && (s[k] === ' ' || s[k] === '\t') && s[k - 1] !== ';')) k++;
    return k;
  };

  /** `key=value` forms in a string. */
  const keyValues = (s: string, t: Tally): string => {
    KEY_IN_TEXT.lastIndex = 0;
    let out = '';
    let last = 0;
    let m: RegExpExecArray | null;
    while ((m = KEY_IN_TEXT.exec(s)) !== null) {
      const rule = classify(m[1]);
      if (!rule) continue;
      let i = KEY_IN_TEXT.lastIndex;
      let escaped = false;
      if (s[i] === '\\' && (s[i + 1] === '"' || s[i + 1] === "'")) {
        escaped = true;
        i++;
      }
      const quote = s[i] === '"' || s[i] === "'" ? s[i] : '';
      if (quote) i++;
      const isAuth = rule.name === 'authorization' && enabled.get('authorization') === rule;
      const isCookie = rule.name === 'cookie' && enabled.get('cookie') === rule;
      let end: number;
      if (!quote && isAuth) {
        // `Bearer <token>`: the scheme word, blanks, then the token.
        end = valueEnd(s, i, '', false, TERMINATORS);
        let k = end;
        while (k < s.length && s[k] === ' ') k++;
        if (k > end && k < s.length && end - i <= 32 && !TERMINATORS.has(s[k])) end = valueEnd(s, k, '', false, TERMINATORS);
      } else end = valueEnd(s, i, quote, escaped, isCookie ? COOKIE_TERMINATORS : TERMINATORS);
      const value = s.slice(i, end);
      // byKey may scan the value as text (SigV4 headers), which uses this same pattern: resume here after it.
      const resume = Math.max(end, KEY_IN_TEXT.lastIndex);
      KEY_IN_TEXT.lastIndex = resume;
      if (!value || (!quote && LITERALS.has(value.toLowerCase()))) continue;
      const replaced = byKey(m[1], value, rule, t);
      KEY_IN_TEXT.lastIndex = resume;
      if (replaced === value) continue;
      out += s.slice(last, i) + replaced;
      last = end;
    }
    return last === 0 ? s : out + s.slice(last);
  };

  /** PEM private key blocks, by `indexOf` (no pattern over the block): to the END line, or to the end of the text. */
  const privateKeys = (s: string, rule: ResolvedRule, t: Tally): string => {
    let out = '';
    let last = 0;
    let from = 0;
    for (;;) {
      const b = s.indexOf(PEM_BEGIN, from);
      if (b < 0) break;
      const head = s.indexOf('-----', b + PEM_BEGIN.length);
      // Only `... PRIVATE KEY-----` labels, within one short line.
      if (head < 0 || head - b > 80 || !s.slice(b, head).endsWith('PRIVATE KEY')) {
        from = b + PEM_BEGIN.length;
        continue;
      }
      const bodyStart = head + 5;
      const endAt = s.indexOf(PEM_END, bodyStart);
      const bodyEnd = endAt < 0 ? s.length : endAt;
      const body = s.slice(bodyStart, bodyEnd);
      if (body.trim() && !isMasked(body.trim())) {
        note(t, rule);
        out += s.slice(last, bodyStart) + marker(rule, body);
        last = bodyEnd;
      }
      if (endAt < 0) break;
      from = endAt + PEM_END.length;
    }
    return last === 0 ? s : out + s.slice(last);
  };

  const jwts = (s: string, rule: ResolvedRule, t: Tally): string =>
    s.replace(JWT, (token) => {
      note(t, rule);
      return marker(rule, token);
    });

  // Configured key names may hold none of the default trigger words: then every string with a separator is read.
  const anyKey = userKeys.size > 0;
  /** Every rule that applies to free text. */
  const text = (s: string, t: Tally): string => {
    if (anyKey ? s.length >= 3 : mayHoldSecret(s)) {
      if (keyRules) s = keyValues(s, t);
      if (jwt && s.includes('eyJ')) s = jwts(s, jwt, t);
      if (pem && s.includes(PEM_BEGIN)) s = privateKeys(s, pem, t);
    }
    if (!patterns.length) return s;
    for (const { rule, matcher } of patterns) {
      const spans = matcher.spans(s);
      if (!spans.length) continue;
      const markers = markerRanges(s);
      let m = 0;
      let out = '';
      let last = 0;
      for (const [a, b] of spans) {
        if (a < last || b <= a || b > s.length) continue;
        // Never inside a marker an earlier rule wrote (its hash is no secret).
        while (m < markers.length && markers[m][1] <= a) m++;
        if (m < markers.length && markers[m][0] < b) continue;
        const secret = s.slice(a, b);
        if (isMasked(secret)) continue;
        note(t, rule);
        out += s.slice(last, a) + marker(rule, secret);
        last = b;
      }
      if (last) s = out + s.slice(last);
    }
    return s;
  };

  /** Every string under a field rule's path is replaced whole. */
  const wholeTree = (v: unknown, rule: ResolvedRule, t: Tally): unknown => {
    if (typeof v === 'string') return whole(v, rule, t);
    const stack: unknown[] = [v];
    while (stack.length) {
      const o = stack.pop();
      if (o === null || typeof o !== 'object') continue;
      const obj = o as Record<string, unknown>;
      for (const k of Object.keys(obj)) {
        const x = obj[k];
        if (typeof x === 'string') obj[k] = whole(x, rule, t);
        else if (x !== null && typeof x === 'object') stack.push(x);
      }
    }
    return v;
  };

  /** A string under `rule` (its key's, or an array's key's), then the text rules. */
  const visitString = (v: string, rule: ResolvedRule | undefined, ruleKey: string, t: Tally): string => {
    const r = rule ? byKey(ruleKey, v, rule, t) : v;
    return r === v ? text(v, t) : r;
  };
  /** Array items inherit their key's rule (`"cookie": ["a=1", "b=2"]`) and field path. */
  const walkArray = (arr: unknown[], rule: ResolvedRule | undefined, ruleKey: string, node: FieldTrie | undefined, t: Tally, depth: number): void => {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (typeof v === 'string') {
        const r = visitString(v, rule, ruleKey, t);
        if (r !== v) arr[i] = r;
      } else if (v !== null && typeof v === 'object') {
        if (Array.isArray(v)) walkArray(v, rule, ruleKey, node, t, depth + 1);
        else if (depth < MAX_DEPTH) walkObject(v as Record<string, unknown>, node, 2, t, depth + 1, true);
      }
    }
  };
  /**
   * One object; `level` 0 is the document, 1 its `event`, 2 anything else. Recursive: documents are
   * bounded in depth by the parsers (JSON nesting, `lib/core/limits.ts`), and `MAX_DEPTH` bounds it here.
   */
  const walkObject = (obj: Record<string, unknown>, node: FieldTrie | undefined, level: 0 | 1 | 2, t: Tally, depth: number, inArray = false): void => {
    // `[{"name": "Authorization", "value": "Bearer ..."}]` (header lists): the name decides the value's rule.
    // Only items of arrays are looked at: reading absent properties of every object is not free.
    const pair = inArray ? namedValue(obj) : undefined;
    const pairRule = pair ? classify(pair.name) : undefined;
    // `for…in` (no key array per object): documents are plain JSON objects, no inherited keys.
    for (const k in obj) {
      if (level === 0 && (k === 'tributary' || k === '@timestamp' || k === 'ecs')) continue;
      if (level === 1 && (SKIP_EVENT.has(k) || (k === 'original' && !original))) continue;
      const v = obj[k];
      if (pairRule && k === pair!.valueKey) {
        const r = byKey(pair!.name, v as string, pairRule, t);
        obj[k] = r === v ? text(r, t) : r;
        continue;
      }
      const child = node?.children.get(k);
      if (child?.rule) {
        obj[k] = wholeTree(v, child.rule, t);
        continue;
      }
      if (typeof v === 'string') {
        const r = visitString(v, classify(k), k, t);
        // Written only when changed: most strings are not.
        if (r !== v) obj[k] = r;
      } else if (v !== null && typeof v === 'object') {
        if (Array.isArray(v)) walkArray(v, classify(k), k, child, t, depth + 1);
        else if (depth < MAX_DEPTH) walkObject(v as Record<string, unknown>, child, level === 0 && k === 'event' ? 1 : 2, t, depth + 1);
      }
    }
  };

  return {
    redact<T extends object>(doc: T): T {
      // No rule at all (`defaults: false`, no rules): nothing to walk.
      if (!defaults.length && !config.rules?.length) return doc;
      const t: Tally = { count: 0, rules: [] };
      walkObject(doc as Record<string, unknown>, hasFields ? trie : undefined, 0, t, 0);
      if (t.count) {
        const d = doc as { tributary?: Record<string, unknown> };
        d.tributary = { ...d.tributary, redacted: { count: t.count, rules: t.rules } };
      }
      return doc;
    },
    describe: () => ({ defaults, rules: (config.rules ?? []).map((r) => r.name), original }),
    id: JSON.stringify({
      defaults,
      rules: (config.rules ?? []).map((r) => ({ name: r.name, fields: r.fields, keys: r.keys, pattern: r.pattern?.source, hash: r.hash === true })),
      original,
    }),
  };
}

/** The default rules, `event.original` left alone: what every path applies unless configured otherwise. */
export const DEFAULT_REDACTOR: Redactor = createRedactor();

const RULE_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const RULE_PROPS = new Set(['name', 'fields', 'keys', 'pattern', 'hash']);
const CONFIG_PROPS = new Set(['defaults', 'disable', 'rules']);

/**
 * Validates configured rules (`REDACTION_RULES`, `--redact-rules FILE`): `{"defaults": true,
 * "disable": ["cookie"], "rules": [{"name": "ssn", "pattern": "\\b\\d{3}-\\d{2}-\\d{4}\\b"}, {"name":
 * "email", "fields": ["user.email"]}, {"name": "internal-token", "keys": ["x-internal-token"], "hash":
 * true}]}`, or just the array of rules. `compile` turns a pattern into a matcher with a linear-time
 * engine, or returns why it cannot. Returns the config, or every problem found (never a partial config).
 * @example parseRedactionConfig({ rules: [{ name: 'email', fields: ['user.email'] }] }, () => 'no patterns here')
 * // { config: { defaults: true, disable: [], rules: [{ name: 'email', fields: ['user.email'], hash: false }] } }
 */
export function parseRedactionConfig(
  value: unknown,
  compile: (source: string) => PatternMatcher | string,
): { config: RedactionConfig; problems?: undefined } | { config?: undefined; problems: string[] } {
  const problems: string[] = [];
  const obj = Array.isArray(value) ? { rules: value } : value;
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return { problems: ['must be a JSON object {"defaults", "disable", "rules"} or an array of rules'] };
  const o = obj as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!CONFIG_PROPS.has(k)) problems.push(`unknown property "${k.slice(0, 40)}" (allowed: ${[...CONFIG_PROPS].join(', ')})`);
  if (o.defaults !== undefined && typeof o.defaults !== 'boolean') problems.push('"defaults" must be true or false');
  const disable: string[] = [];
  if (o.disable !== undefined) {
    if (!Array.isArray(o.disable) || !o.disable.every((d) => typeof d === 'string')) problems.push('"disable" must be an array of default rule names');
    else
      for (const d of o.disable as string[]) {
        if (DEFAULT_RULES[d] === undefined) problems.push(`"disable": "${d.slice(0, 40)}" is not a default rule (${Object.keys(DEFAULT_RULES).join(', ')})`);
        else disable.push(d);
      }
  }
  const rules: RedactionRule[] = [];
  const names = new Set(Object.keys(DEFAULT_RULES));
  const list = o.rules === undefined ? [] : o.rules;
  if (!Array.isArray(list)) problems.push('"rules" must be an array');
  else
    list.forEach((r: unknown, i) => {
      const at = `rules[${i}]`;
      if (r === null || typeof r !== 'object' || Array.isArray(r)) {
        problems.push(`${at} must be an object {"name", "fields" | "keys" | "pattern", "hash"}`);
        return;
      }
      const rule = r as Record<string, unknown>;
      for (const k of Object.keys(rule)) if (!RULE_PROPS.has(k)) problems.push(`${at}: unknown property "${k.slice(0, 40)}" (allowed: ${[...RULE_PROPS].join(', ')})`);
      const name = rule.name;
      if (typeof name !== 'string' || !RULE_NAME.test(name)) problems.push(`${at}: "name" must match ${RULE_NAME.source}`);
      else if (names.has(name)) problems.push(`${at}: the name "${name}" is already taken${DEFAULT_RULES[name] ? ' by a default rule' : ''}`);
      else names.add(name);
      const strings = (k: string): string[] | undefined => {
        const v = rule[k];
        if (v === undefined) return undefined;
        if (!Array.isArray(v) || !v.length || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 256)) {
          problems.push(`${at}: "${k}" must be a non-empty array of non-empty strings`);
          return undefined;
        }
        return v as string[];
      };
      const fields = strings('fields');
      for (const f of fields ?? []) {
        if (f.split('.').some((seg) => !seg)) problems.push(`${at}: field path "${f.slice(0, 80)}" has an empty segment`);
        const hit = PROTECTED_PATHS.find((p) => f === p || f.startsWith(p + '.'));
        if (hit) problems.push(`${at}: field path "${f.slice(0, 80)}" is not redactable (${hit} decides ids, indices or partitions, or is pipeline metadata)`);
      }
      const keys = strings('keys');
      for (const k of keys ?? []) if (!normalizeKey(k)) problems.push(`${at}: key "${k.slice(0, 80)}" has no letter or digit`);
      let pattern: PatternMatcher | undefined;
      if (rule.pattern !== undefined) {
        if (typeof rule.pattern !== 'string' || !rule.pattern || rule.pattern.length > 1024) problems.push(`${at}: "pattern" must be a non-empty string of at most 1024 characters`);
        else {
          const compiled = compile(rule.pattern);
          if (typeof compiled === 'string') problems.push(`${at}: "pattern" ${compiled}`);
          else pattern = compiled;
        }
      }
      if (rule.hash !== undefined && typeof rule.hash !== 'boolean') problems.push(`${at}: "hash" must be true or false`);
      if (fields === undefined && keys === undefined && rule.pattern === undefined) problems.push(`${at}: needs "fields", "keys" or "pattern"`);
      if (typeof name === 'string')
        rules.push({ name, hash: rule.hash === true, ...(fields ? { fields } : {}), ...(keys ? { keys } : {}), ...(pattern ? { pattern } : {}) });
    });
  if (problems.length) return { problems };
  return { config: { defaults: o.defaults !== false, disable, rules } };
}
