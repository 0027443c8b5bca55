/**
 * ECS validation of every document Tributary produces (#17 item 3): every golden expected document
 * (`test/fixtures/**\/*.expected.json`) and every document of the demo samples (`samples/generate.ts`
 * through the real transformer and S3-ingest cores, as `npm start` delivers them) must have
 * - `event.kind`, `event.category`, `event.type` and `event.outcome` among ECS's allowed values, and each
 *   `event.type` expected for at least one of the document's categories (ECS 8.x categorization:
 *   https://www.elastic.co/guide/en/ecs/current/ecs-allowed-values-event-category.html, the "Expected
 *   event types for category …" of each category, and ecs-allowed-values-event-kind / -event-type /
 *   -event-outcome.html);
 * - every value of a field mapped as `ip` a valid IP by `node:net` `isIP` (OpenSearch rejects anything
 *   else, sending the whole document to the dead letters);
 * - every value of a field mapped as `date` a valid ISO 8601 time (no day that does not exist) inside a
 *   sane window (1990 .. 2100, the parsers' event-time window; `event.ingested` and `event.created` are
 *   the pipeline clock and fall in the same window).
 * Pipeline failure documents (`event.kind: pipeline_error`, an ECS kind as well) are allowed explicitly.
 * The last tests feed deliberately bad documents to the same checks to prove they fail.
 */
import { isIP } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { deliverFirehose, deliverS3 } from '../../lib/local/deliver';
import { DEMO_START, demoSamples } from '../../lib/local/samples';
import { LocalStore } from '../../lib/io/store';

type Doc = Record<string, unknown>;

/** ECS 8.x `event.kind` allowed values (ecs-allowed-values-event-kind.html); `pipeline_error` is ECS's too, and Tributary's failure documents. */
const KINDS = new Set(['alert', 'asset', 'enrichment', 'event', 'metric', 'state', 'pipeline_error', 'signal']);
/** ECS 8.x `event.outcome` allowed values (ecs-allowed-values-event-outcome.html). */
const OUTCOMES = new Set(['failure', 'success', 'unknown']);
/**
 * ECS 8.x `event.category` allowed values with each one's expected `event.type` values
 * (ecs-allowed-values-event-category.html, "Expected event types for category <name>").
 */
export const ECS_CATEGORY_TYPES: Readonly<Record<string, readonly string[]>> = {
  api: ['access', 'admin', 'allowed', 'change', 'creation', 'deletion', 'denied', 'end', 'info', 'start', 'user'],
  authentication: ['start', 'end', 'info'],
  configuration: ['access', 'change', 'creation', 'deletion', 'info'],
  database: ['access', 'change', 'info', 'error'],
  driver: ['change', 'end', 'info', 'start'],
  email: ['info'],
  file: ['access', 'change', 'creation', 'deletion', 'info'],
  host: ['access', 'change', 'end', 'info', 'start'],
  iam: ['admin', 'change', 'creation', 'deletion', 'group', 'info', 'user'],
  intrusion_detection: ['allowed', 'denied', 'info'],
  library: ['start'],
  malware: ['info'],
  network: ['access', 'allowed', 'connection', 'denied', 'end', 'info', 'protocol', 'start'],
  package: ['access', 'change', 'deletion', 'info', 'installation', 'start'],
  process: ['access', 'change', 'end', 'info', 'start'],
  registry: ['access', 'change', 'creation', 'deletion'],
  session: ['start', 'end', 'info'],
  threat: ['indicator'],
  vulnerability: ['info'],
  web: ['access', 'error', 'info'],
};
/** ECS 8.x `event.type` allowed values (ecs-allowed-values-event-type.html). */
const TYPES = new Set(['access', 'admin', 'allowed', 'change', 'connection', 'creation', 'deletion', 'denied', 'device', 'end', 'error', 'group', 'indicator', 'info', 'installation', 'protocol', 'start', 'user']);

/** The window every date must fall in: the parsers' event-time window (parsers/time.ts). */
const DATE_MIN = Date.UTC(1990, 0, 1);
const DATE_MAX = Date.UTC(2100, 0, 1);
/** ISO 8601 as Tributary writes it (and `strict_date_optional_time` reads it): date, time, fraction, zone. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

interface Mapping {
  type?: string;
  properties?: Record<string, Mapping>;
}

/** Dotted paths of the fields mapped as `ip` and as `date`/`date_nanos`, over every index template. */
function typedPaths(): { ip: Set<string>; date: Set<string> } {
  const ip = new Set<string>();
  const date = new Set<string>();
  const walk = (props: Record<string, Mapping>, prefix: string) => {
    for (const [k, v] of Object.entries(props)) {
      const p = prefix + k;
      if (v.properties) walk(v.properties, p + '.');
      else if (v.type === 'ip') ip.add(p);
      else if (v.type === 'date' || v.type === 'date_nanos') date.add(p);
    }
  };
  const mappings = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'schemas', 'generated', 'mappings.json'), 'utf8')) as Record<string, Mapping>;
  for (const m of Object.values(mappings)) if (m.properties) walk(m.properties, '');
  return { ip, date };
}
const FIELDS = typedPaths();

/** Every leaf value of a document with its dotted path (array elements keep the path of the array). */
function* leaves(v: unknown, p = ''): Generator<[string, unknown]> {
  if (Array.isArray(v)) for (const x of v) yield* leaves(x, p);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) yield* leaves(x, p ? `${p}.${k}` : k);
  else yield [p, v];
}

function validDate(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const m = ISO.exec(v);
  if (!m) return false;
  // `Date.parse` rolls a day that does not exist over (2026-02-30 → March 2): the calendar date must exist.
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d || +m[4] > 23 || +m[5] > 59 || +m[6] > 59) return false;
  const t = Date.parse(v);
  return t >= DATE_MIN && t < DATE_MAX;
}

const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The ECS problems of one document (empty when it is valid).
 * @example ecsProblems({ event: { kind: 'event', category: ['web'], type: ['denied'] } }) // ['event.type denied is not expected for event.category web']
 */
export function ecsProblems(doc: Doc): string[] {
  const out: string[] = [];
  const event = (doc.event ?? {}) as Doc;
  if (event.kind === undefined) out.push('event.kind missing');
  else if (!KINDS.has(event.kind as string)) out.push(`event.kind ${String(event.kind)} is not an ECS kind`);
  if (event.outcome !== undefined && !OUTCOMES.has(event.outcome as string)) out.push(`event.outcome ${String(event.outcome)} is not an ECS outcome`);
  const categories = asArray(event.category);
  const types = asArray(event.type);
  for (const c of categories) if (!ECS_CATEGORY_TYPES[c as string]) out.push(`event.category ${String(c)} is not an ECS category`);
  for (const t of types) {
    if (!TYPES.has(t as string)) out.push(`event.type ${String(t)} is not an ECS type`);
    else if (categories.length && !categories.some((c) => ECS_CATEGORY_TYPES[c as string]?.includes(t as string)))
      out.push(`event.type ${String(t)} is not expected for event.category ${categories.join(',')}`);
  }
  // A categorized event says what kind of thing happened; a type without category says nothing ECS can use.
  if (event.kind !== 'pipeline_error' && types.length && !categories.length) out.push('event.type without event.category');
  if (event.kind !== 'pipeline_error' && categories.length && !types.length) out.push(`event.category ${categories.join(',')} without event.type`);
  for (const [p, v] of leaves(doc)) {
    if (FIELDS.ip.has(p) && (typeof v !== 'string' || isIP(v) === 0)) out.push(`${p} ${JSON.stringify(v)} is not an IP`);
    if (FIELDS.date.has(p) && !validDate(v)) out.push(`${p} ${JSON.stringify(v)} is not a date in 1990..2100`);
  }
  return out;
}

const FIXTURES = path.join(__dirname, '..', 'fixtures');

function goldenDocuments(): Array<[string, Doc]> {
  const out: Array<[string, Doc]> = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.expected.json')) {
        const results = JSON.parse(readFileSync(p, 'utf8')) as Array<{ documents?: Doc[]; failures?: Doc[] }>;
        const label = path.relative(FIXTURES, p);
        for (const r of results) for (const d of [...(r.documents ?? []), ...(r.failures ?? [])]) out.push([label, d]);
      }
    }
  };
  walk(FIXTURES);
  return out;
}

function problemsOf(docs: Array<[string, Doc]>): string[] {
  const out: string[] = [];
  for (const [label, d] of docs) {
    for (const p of ecsProblems(d)) out.push(`${label} ${String((d.event as Doc | undefined)?.dataset)} ${String((d.event as Doc | undefined)?.id)}: ${p}`);
  }
  return out;
}

describe('ECS validation', () => {
  test('every golden expected document', () => {
    const docs = goldenDocuments();
    expect(docs.length).toBeGreaterThan(400);
    expect(problemsOf(docs)).toEqual([]);
  });

  test('every document of the demo samples, delivered through the transformer and S3 ingest', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tributary-ecs-'));
    try {
      const archive = new LocalStore(path.join(dir, 'archive'), 'archive');
      const logs = new LocalStore(path.join(dir, 'logs'), 'tributary-demo-logs');
      const now = new Date(DEMO_START + 3_600_000);
      // A tenth of the demo: every generator and every source, a few thousand documents.
      const samples = demoSamples(0.1);
      const keys: string[] = [];
      for (const f of samples.firehose) keys.push(...(await deliverFirehose(f.event, archive, { now })).outputs);
      for (const o of samples.s3) keys.push(...(await deliverS3(o.key, o.body, logs, archive, { now })).outputs);
      const docs: Array<[string, Doc]> = [];
      const sources = new Set<string>();
      for (const key of keys) {
        const text = gunzipSync(readFileSync(path.join(archive.dir, ...key.split('/')))).toString('utf8');
        for (const line of text.split('\n')) if (line) docs.push([key.split('/')[1], JSON.parse(line) as Doc]);
        sources.add(key.split('/')[1]);
      }
      expect(sources.size).toBeGreaterThanOrEqual(16);
      expect(docs.length).toBeGreaterThan(1000);
      expect(problemsOf(docs)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the checks fail on bad documents', () => {
    const good: Doc = {
      '@timestamp': '2026-03-01T10:00:00.123Z',
      event: { kind: 'event', category: ['network'], type: ['connection', 'allowed'], outcome: 'success', start: '2026-03-01T09:59:59.000Z' },
      source: { ip: '10.0.0.1' },
      destination: { ip: '2001:db8::1' },
      related: { ip: ['10.0.0.1', '2001:db8::1'] },
    };
    expect(ecsProblems(good)).toEqual([]);
    const bad = (patch: (d: Doc) => void): string[] => {
      const d = JSON.parse(JSON.stringify(good)) as Doc;
      patch(d);
      return ecsProblems(d);
    };
    const ev = (d: Doc) => d.event as Doc;
    expect(bad((d) => (ev(d).kind = 'log'))).toEqual(['event.kind log is not an ECS kind']);
    expect(bad((d) => delete ev(d).kind)).toEqual(['event.kind missing']);
    expect(bad((d) => (ev(d).outcome = 'ok'))).toEqual(['event.outcome ok is not an ECS outcome']);
    expect(bad((d) => (ev(d).category = ['aws']))).toEqual(['event.category aws is not an ECS category', 'event.type connection is not expected for event.category aws', 'event.type allowed is not expected for event.category aws']);
    expect(bad((d) => (ev(d).type = ['denied', 'bogus']))).toEqual(['event.type bogus is not an ECS type']);
    expect(bad((d) => (ev(d).category = ['web']))).toEqual(['event.type connection is not expected for event.category web', 'event.type allowed is not expected for event.category web']);
    expect(bad((d) => delete ev(d).type)).toEqual(['event.category network without event.type']);
    expect(bad((d) => ((d.source as Doc).ip = '999.10.10.10'))).toEqual(['source.ip "999.10.10.10" is not an IP']);
    expect(bad((d) => ((d.related as Doc).ip = ['10.0.0.1', 'web-1']))).toEqual(['related.ip "web-1" is not an IP']);
    expect(bad((d) => (d['@timestamp'] = '2026-02-30T10:00:00.000Z'))).toEqual(['@timestamp "2026-02-30T10:00:00.000Z" is not a date in 1990..2100']);
    expect(bad((d) => (ev(d).start = '1970-01-01T00:00:00.000Z'))).toEqual(['event.start "1970-01-01T00:00:00.000Z" is not a date in 1990..2100']);
    expect(bad((d) => (ev(d).start = 'yesterday'))).toEqual(['event.start "yesterday" is not a date in 1990..2100']);
    // A failure document is ECS's own `pipeline_error` kind, uncategorized.
    expect(ecsProblems({ '@timestamp': '2026-03-01T10:00:00.000Z', event: { kind: 'pipeline_error', outcome: 'failure' } })).toEqual([]);
  });
});
