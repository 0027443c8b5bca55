/**
 * SQL over the archive (issue #17 §5): the Glue table's layout and generated columns, proven with a real
 * SQL engine. `npm start`'s pipeline writes its archive (archive only, no OpenSearch); DuckDB reads it
 * the way Athena reads the Glue table — the columns of `schemas/generated/glue-table.json` (the same file
 * deploy/glue.yml takes its columns from), partitions from the `source=/account=/region=/year=/...` path —
 * and every `sql` block of deploy/README.md "SQL over the archive" runs as written. Each result is checked
 * against the archive read directly (gunzip + JSON.parse) and against the local run's own summary.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runDemo, type DemoResult } from '../../lib/local/run';
import type { GlueColumn } from '../../schemas/codegen';
import { toGlueTable } from '../../schemas/codegen';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '../..');
const glue = JSON.parse(readFileSync(path.join(ROOT, 'schemas/generated/glue-table.json'), 'utf8')) as { columns: GlueColumn[]; sources: string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- archive documents are JSON
type Doc = Record<string, any>;
interface Row {
  doc: Doc;
  part: Record<'source' | 'account' | 'region' | 'year' | 'month' | 'day' | 'hour', string>;
}

let dir: string;
let demo: DemoResult;
let rows: Row[];
let db: DuckDBConnection;

/** A Hive/Glue type (`struct<a:string,b:array<bigint>>`) as a DuckDB type. */
function duckType(hive: string): string {
  let i = 0;
  const parse = (): string => {
    const m = /^[a-z]+/.exec(hive.slice(i));
    if (!m) throw new Error(`bad type at ${i}: ${hive.slice(i, i + 40)}`);
    i += m[0].length;
    if (m[0] === 'array') {
      i++; // <
      const inner = parse();
      i++; // >
      return `${inner}[]`;
    }
    if (m[0] === 'struct') {
      i++; // <
      const fields: string[] = [];
      for (;;) {
        const name = /^[^:]+/.exec(hive.slice(i))![0];
        i += name.length + 1;
        fields.push(`"${name}" ${parse()}`);
        if (hive[i++] === '>') break;
      }
      return `STRUCT(${fields.join(', ')})`;
    }
    const scalar: Record<string, string> = { string: 'VARCHAR', bigint: 'BIGINT', int: 'INTEGER', float: 'FLOAT', double: 'DOUBLE', boolean: 'BOOLEAN' };
    if (!scalar[m[0]]) throw new Error(`unknown Hive type ${m[0]}`);
    return scalar[m[0]];
  };
  const out = parse();
  if (i !== hive.length) throw new Error(`trailing text in ${hive}`);
  return out;
}

/** The `sql` blocks of deploy/README.md's "SQL over the archive" section. */
function readmeQueries(): string[] {
  const readme = readFileSync(path.join(ROOT, 'deploy/README.md'), 'utf8');
  const start = readme.indexOf('## SQL over the archive');
  const end = readme.indexOf('\n## ', start + 1);
  return [...readme.slice(start, end).matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
}

function walk(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
}

async function query(sql: string): Promise<Array<Record<string, unknown>>> {
  return (await db.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tributary-sql-'));
  // archive only: no OpenSearch URL, nothing started (root without .cache/services.env)
  demo = await runDemo({ dir, root: dir, startServices: false, out: () => {}, progress: false });
  const normalized = path.join(dir, 'archive', 'normalized');
  rows = walk(normalized)
    .filter((f) => f.endsWith('.ndjson.gz'))
    .flatMap((f) => {
      const part = Object.fromEntries([...path.relative(normalized, f).matchAll(/([a-z]+)=([^/]+)\//g)].map((m) => [m[1], m[2]])) as Row['part'];
      return gunzipSync(readFileSync(f))
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => ({ doc: JSON.parse(l) as Doc, part }));
    });
  const columns = glue.columns.map((c) => `'${c.Name === 'timestamp' ? '@timestamp' : c.Name}': '${duckType(c.Type)}'`).join(', ');
  const instance = await DuckDBInstance.create(':memory:');
  db = await instance.connect();
  // The Glue table, for DuckDB: the generated columns (JSON keys not declared are ignored, as by the
  // OpenX SerDe), `@timestamp` renamed as the SerDe's mapping.timestamp does, partitions from the path.
  // DuckDB's own Hive partitioning is off: it would add the path's `source=` as a text column `source`
  // over ECS `source.*`, the clash the Glue table avoids by naming that partition `log_source`.
  const part = (k: string) => `regexp_extract(filename, '/${k}=([^/]+)/', 1)`;
  await db.run('CREATE SCHEMA tributary_prod');
  await db.run(`CREATE VIEW tributary_prod.normalized AS
    SELECT * EXCLUDE ("@timestamp", filename), "@timestamp" AS "timestamp",
      ${part('source')} AS log_source, ${part('account')} AS account, ${part('region')} AS region,
      CAST(${part('year')} AS INTEGER) AS year, CAST(${part('month')} AS INTEGER) AS month,
      CAST(${part('day')} AS INTEGER) AS day, CAST(${part('hour')} AS INTEGER) AS hour
    FROM read_json('${normalized}/*/*/*/*/*/*/*/*.ndjson.gz', format = 'newline_delimited', columns = {${columns}}, filename = true, hive_partitioning = false)`);
}, 300_000);

afterAll(() => {
  db?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

it('the generated columns are what npm run generate writes, and cover every field of every archived document', () => {
  expect(glue).toEqual(toGlueTable());
  expect(rows.length).toBeGreaterThan(5000);
  const names = new Set(glue.columns.map((c) => (c.Name === 'timestamp' ? '@timestamp' : c.Name)));
  const undeclared = new Set(rows.flatMap((r) => Object.keys(r.doc).filter((k) => !names.has(k))));
  expect([...undeclared]).toEqual([]);
  // the source enum of the partition projection: every source the archive has
  for (const s of new Set(rows.map((r) => r.part.source))) expect(glue.sources.split(',')).toContain(s);
});

it('DuckDB reads every archived document through the Glue columns, nested values included', async () => {
  const [all] = await query('SELECT count(*) AS n, count(cloud.account.id) AS accounts, count("timestamp") AS times FROM tributary_prod.normalized');
  expect(all.n).toBe(BigInt(rows.length));
  expect(all.times).toBe(BigInt(rows.length));
  expect(all.accounts).toBe(BigInt(rows.filter((r) => r.doc.cloud?.account?.id !== undefined).length));
  // a struct inside a struct and an array, both as the documents hold them
  const [ct] = await query(`SELECT count(*) AS n FROM tributary_prod.normalized WHERE log_source = 'cloudtrail' AND contains(event.category, 'iam')`);
  expect(ct.n).toBe(BigInt(rows.filter((r) => r.part.source === 'cloudtrail' && (r.doc.event.category ?? []).includes('iam')).length));
});

describe("deploy/README.md's queries, run as written", () => {
  const queries = readmeQueries();
  const on = (r: Row, y: number, m: number, d?: number) => Number(r.part.year) === y && Number(r.part.month) === m && (d === undefined || Number(r.part.day) === d);
  const count = <K extends string>(list: Row[], key: (r: Row) => K) => list.reduce((acc, r) => acc.set(key(r), (acc.get(key(r)) ?? 0) + 1), new Map<K, number>());

  it('there are five, each names the table and filters on year and month', () => {
    expect(queries).toHaveLength(5);
    for (const q of queries) expect(q).toMatch(/FROM tributary_prod\.normalized[\s\S]*year = \d+ AND month = \d+/);
  });

  it('who failed to do what, on one day', async () => {
    const got = await query(queries[0]);
    const want = rows.filter((r) => r.part.source === 'cloudtrail' && on(r, 2026, 3, 1) && r.doc.event.outcome === 'failure');
    expect(want.length).toBeGreaterThan(0);
    expect(got).toHaveLength(Math.min(100, want.length));
    const newest = want.map((r) => r.doc['@timestamp'] as string).sort().reverse();
    expect(got.map((r) => r.timestamp)).toEqual(newest.slice(0, 100));
  });

  it('console sign-ins without MFA, by account and user', async () => {
    const got = await query(queries[1]);
    const want = count(
      rows.filter((r) => r.part.source === 'cloudtrail' && on(r, 2026, 3) && r.doc.event.action === 'ConsoleLogin' && r.doc.aws?.cloudtrail?.mfa_used === false),
      (r) => `${r.part.account} ${r.doc.user?.name}`,
    );
    expect(want.size).toBeGreaterThan(0);
    expect(new Map(got.map((r) => [`${r.account} ${r.name}`, Number(r.sign_ins)]))).toEqual(want);
  });

  it('rejected flows by account and destination port', async () => {
    const got = await query(queries[2]);
    const want = count(
      rows.filter((r) => r.part.source === 'vpcflow' && on(r, 2026, 3) && r.doc.event.action === 'reject'),
      (r) => `${r.part.account} ${r.doc.destination?.port}`,
    );
    const top = [...want.values()].sort((a, b) => b - a).slice(0, 20);
    expect(top.length).toBeGreaterThan(0);
    expect(got.map((r) => Number(r.flows))).toEqual(top);
    for (const r of got) expect(want.get(`${r.account} ${r.port}`)).toBe(Number(r.flows));
  });

  it('what every account sent, by source: equal to the local run\'s own reconciled summary', async () => {
    const got = await query(queries[3]);
    const day = rows.filter((r) => on(r, 2026, 3, 1));
    expect(day).toHaveLength(rows.length); // the local run's samples are all from that day
    const want = count(day, (r) => `${r.part.source} ${r.part.account}`);
    expect(new Map(got.map((r) => [`${r.log_source} ${r.account}`, Number(r.events)]))).toEqual(want);
    // per source, SQL over the archive adds up to what the pipeline said it archived
    const bySource = count(day, (r) => r.part.source as string);
    const failedBySource = count(day.filter((r) => r.doc.event.kind === 'pipeline_error'), (r) => r.part.source as string);
    for (const s of new Set(demo.rows.map((r) => r.source))) {
      const summary = demo.rows.filter((r) => r.source === s).reduce((a, r) => ({ documents: a.documents + r.documents + r.failed, failed: a.failed + r.failed }), { documents: 0, failed: 0 });
      if (!summary.documents) continue;
      expect(`${s} ${bySource.get(s)}`).toBe(`${s} ${summary.documents}`);
      expect(`${s} ${failedBySource.get(s) ?? 0}`).toBe(`${s} ${summary.failed}`);
      const sqlSum = got.filter((r) => r.log_source === s).reduce((a, r) => a + Number(r.failed), 0);
      expect(`${s} ${sqlSum}`).toBe(`${s} ${summary.failed}`);
    }
  });

  it('documents whose content claimed another account', async () => {
    const got = await query(queries[4]);
    const want = count(
      rows.filter((r) => on(r, 2026, 3) && r.doc.tributary?.attribution === 'mismatch'),
      (r) => `${r.part.account} ${r.doc.tributary.claimed?.account} ${r.part.source}`,
    );
    expect(new Map(got.map((r) => [`${r.account} ${r.claimed} ${r.log_source}`, Number(r.documents)]))).toEqual(want);
  });
});
