/**
 * The golden fixture of the `cloudtrail-integrity-failed` detection
 * (`test/fixtures-detections/cloudtrail-integrity-failed.json`) is the output of the integrity use
 * case (`verifyDigestObject`) on CloudTrail files built to the documented format — never written by
 * hand. This test rebuilds every case and compares: exactly, except the values that depend on the
 * throwaway RSA key of the run (its fingerprint, the digests' SHA-256, and those values inside
 * messages). Regenerate after a deliberate change with `UPDATE_GOLDEN=1 npx jest integrity-detection-fixture`
 * and review the diff; test/integration/detections.test.ts runs the detection on it in OpenSearch.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { TributaryDocument } from '../../schemas/generated/document';
import { verifyDigestObject } from '../../lib/integrity';
import { FilePublicKeys } from '../../lib/io/cloudtrail';
import { LocalStore } from '../../lib/io/store';
import { deliver, type Digest, logFile, signDigest, TRAIL, testKey, trailFiles } from '../helpers/cloudtrail-digest';
import { expectValid } from '../helpers/schema';

const FIXTURE = path.join(__dirname, '..', 'fixtures-detections', 'cloudtrail-integrity-failed.json');
const REFERENCE = '2026-03-01T12:10:00.000Z';
const key = testKey();
const forger = testKey();
const publicKeys = new FilePublicKeys([key.record]);

interface Case {
  name: string;
  docs: TributaryDocument[];
}

/** A trail bucket of `hours` hours; `change` tampers with it; the digests `verify` picks are checked at `at`. */
async function run(hours: number, change: (bucket: LocalStore, f: ReturnType<typeof trailFiles>) => Promise<Digest[] | void>, at: string, verify?: (ds: Digest[]) => Digest[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'integrity-fx-'));
  try {
    const bucket = new LocalStore(dir, TRAIL.bucket);
    const files = trailFiles(TRAIL, key, hours, 2);
    await deliver(bucket, [...files.logs.flat(), ...files.digests]);
    const digests = (await change(bucket, files)) ?? files.digests;
    const docs: TributaryDocument[] = [];
    for (const d of verify ? verify(digests) : digests)
      docs.push(...(await verifyDigestObject({ store: bucket, key: d.key, version: 'etag-1' }, { publicKeys, storeOf: () => undefined, now: () => new Date(at) })).documents);
    return docs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const minutesBefore = (m: number) => new Date(Date.parse(REFERENCE) - m * 60_000).toISOString();
const rewrite = async (bucket: LocalStore, f: ReturnType<typeof trailFiles>) => {
  const l = f.logs[0][0];
  const doc = JSON.parse(l.plain.toString());
  doc.Records[0].sourceIPAddress = '198.51.100.7';
  await bucket.put(l.key, gzipSync(JSON.stringify(doc)));
};

async function build() {
  const fires: Case[] = [
    { name: 'log-file-rewritten', docs: await run(1, rewrite, minutesBefore(1)) },
    {
      name: 'log-file-deleted',
      docs: await run(1, async (bucket, f) => rmSync(path.join(bucket.dir, ...f.logs[0][1].key.split('/'))), minutesBefore(2)),
    },
    {
      name: 'digest-not-signed-by-cloudtrail',
      // Someone rewrote the digest to match an edited log file and signed it with their own key.
      docs: await run(
        1,
        async (bucket, f) => {
          const l = f.logs[0][0];
          const doc = JSON.parse(l.plain.toString());
          doc.Records[0].sourceIPAddress = '198.51.100.7';
          const plain = Buffer.from(JSON.stringify(doc));
          await bucket.put(l.key, gzipSync(plain));
          const json = structuredClone(f.digests[0].json) as { logFiles: { hashValue: string }[] };
          json.logFiles[0].hashValue = createHash('sha256').update(plain).digest('hex');
          await deliver(bucket, [signDigest(json, { ...key, privateKey: forger.privateKey })]);
        },
        minutesBefore(1),
      ),
    },
    {
      name: 'previous-digest-replaced',
      docs: await run(
        2,
        async (bucket, f) => {
          const edited = { ...f.digests[0].json, logFiles: [] };
          await bucket.put(f.digests[0].key, gzipSync(JSON.stringify(edited)), { metadata: f.digests[0].metadata });
        },
        minutesBefore(1),
        (ds) => [ds[1]],
      ),
    },
  ];
  const quiet: Case[] = [
    { name: 'intact-trail', docs: await run(2, async () => undefined, minutesBefore(1)) },
    {
      name: 'log-file-in-unreadable-bucket-is-unverified',
      docs: await run(
        1,
        async (bucket, f) => {
          const elsewhere = logFile({ ...TRAIL, bucket: 'other-account-trail' }, new Date('2026-03-01T10:45:00Z'), 1, 7);
          const json = structuredClone(f.digests[0].json) as { logFiles: object[] };
          json.logFiles.push({ s3Bucket: 'other-account-trail', s3Object: elsewhere.key, hashValue: 'ab'.repeat(32), hashAlgorithm: 'SHA-256', newestEventTime: elsewhere.newest, oldestEventTime: elsewhere.oldest });
          const d = signDigest(json, key);
          await deliver(bucket, [d]);
          return [d];
        },
        minutesBefore(1),
      ),
    },
    { name: 'failure-verified-before-the-window', docs: await run(1, rewrite, minutesBefore(30)) },
  ];
  return {
    detection: 'cloudtrail-integrity-failed',
    reference_time: REFERENCE,
    description:
      'Output of lib/integrity.ts on CloudTrail files built to the documented format (test/unit/integrity-detection-fixture.test.ts). ' +
      'A rewritten or deleted log file, a digest signed by another key and a replaced previous digest fire; an intact trail, a file that ' +
      'could not be read (unverified) and a failure verified before the window do not.',
    fires,
    quiet,
  };
}

/**
 * The same document with the values the run's RSA key decides replaced by their shape: 32-hex
 * fingerprints, and every 64-hex hash that is not a log file's (digests contain fingerprints and
 * signatures, so their hashes change with the key; log files do not).
 */
function masked(x: unknown): unknown {
  return JSON.parse(
    JSON.stringify(x)
      .replace(/\b[0-9a-f]{64}\b/g, (h) => (LOG_HASHES.has(h) ? h : '<digest-sha256>'))
      .replace(/\b[0-9a-f]{32}\b/g, '<fingerprint>'),
  );
}
const LOG_HASHES = new Set<string>();
const collectLogHashes = (docs: TributaryDocument[]) => {
  for (const d of docs) for (const h of [d.tributary?.integrity?.log_file?.expected_hash, d.tributary?.integrity?.log_file?.actual_hash]) if (h) LOG_HASHES.add(h);
};

it('the cloudtrail-integrity-failed fixture is what the integrity use case produces', async () => {
  const fx = await build();
  const all = [...fx.fires, ...fx.quiet].flatMap((c) => c.docs);
  for (const d of all) expectValid(d);
  collectLogHashes(all);
  // What makes the cases what they claim to be.
  const failed = (c: Case) => c.docs.filter((d) => d.tributary?.integrity?.status === 'failed').length;
  for (const c of fx.fires) expect({ case: c.name, failed: failed(c) > 0 }).toEqual({ case: c.name, failed: true });
  expect(fx.quiet.map((c) => [c.name, failed(c)])).toEqual([
    ['intact-trail', 0],
    ['log-file-in-unreadable-bucket-is-unverified', 0],
    ['failure-verified-before-the-window', 1],
  ]);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(FIXTURE)) {
    if (process.env.CI) throw new Error(`missing ${FIXTURE}: run UPDATE_GOLDEN=1 locally and review it`);
    writeFileSync(FIXTURE, JSON.stringify(fx, null, 2) + '\n');
  }
  const committed = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  collectLogHashes([...committed.fires, ...committed.quiet].flatMap((c: Case) => c.docs));
  expect(masked(committed)).toEqual(masked(fx));
});
