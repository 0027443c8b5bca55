/**
 * Where CloudTrail's public keys come from, for digest validation (`lib/integrity.ts`):
 * - `CloudTrailPublicKeys`: the CloudTrail `ListPublicKeys` API of the digest's region (CloudTrail
 *   signs with one key pair per region), through the AWS SDK. Endpoint, region and credentials come
 *   from the standard SDK environment like every client here (`AWS_ENDPOINT_URL_CLOUDTRAIL` or
 *   `AWS_ENDPOINT_URL`, `AWS_REGION`), so there is no test-only path. Needs `cloudtrail:ListPublicKeys`.
 * - `FilePublicKeys`: a key file (`parsePublicKeyFile`: the output of
 *   `aws cloudtrail list-public-keys`, or `{"keys": [{fingerprint, key, validityStart, validityEnd}]}`)
 *   for offline or air-gapped validation and tests.
 */
import { readFileSync } from 'node:fs';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { parsePublicKeyFile, type PublicKeyRecord } from '../core/cloudtrail-digest';

// The SDK module, loaded by the first key lookup (see lib/io/lazy.ts): most digests find their key in the cache.
const cloudTrailSdk = (): typeof import('@aws-sdk/client-cloudtrail') => require('@aws-sdk/client-cloudtrail');

/** What a digest needs a key for: its region, period and the fingerprint it names. */
export interface PublicKeyQuery {
  /** The digest's region (from its key); undefined falls back to the SDK's default region. */
  region?: string;
  start: Date;
  end: Date;
  fingerprint: string;
}

/** A source of CloudTrail public keys; the caller picks the key by fingerprint (`authenticateDigest`). */
export interface PublicKeySource {
  /** Candidate keys for a digest. Rejects on I/O errors (the caller retries), never on "not found". */
  keys(query: PublicKeyQuery): Promise<PublicKeyRecord[]>;
}

/**
 * A CloudTrail client for one region (endpoint and credentials from the SDK environment).
 * @example createCloudTrailClient('eu-west-1').send(new ListPublicKeysCommand({}))
 */
export const createCloudTrailClient = (region?: string): CloudTrailClient => new (cloudTrailSdk().CloudTrailClient)(region ? { region } : {});

/** At most this many `ListPublicKeys` pages per query (a region has a handful of keys). */
const MAX_PAGES = 100;

/**
 * `ListPublicKeys` of the digest's region for the digest's period, cached per region for the life of
 * the process: keys rotate rarely, and every digest of a region names the same few. A fingerprint the
 * cache does not know triggers one new call (a rotated key), so a stale cache never fails a digest.
 */
export class CloudTrailPublicKeys implements PublicKeySource {
  private readonly cache = new Map<string, PublicKeyRecord[]>();
  private readonly clients = new Map<string, CloudTrailClient>();

  /** @example new CloudTrailPublicKeys().keys({ region: 'us-east-1', start, end, fingerprint: '31e8b5433410dfb61a9dc45cc65b22ff' }) */
  constructor(private readonly clientFor: (region?: string) => CloudTrailClient = createCloudTrailClient) {}

  async keys(q: PublicKeyQuery): Promise<PublicKeyRecord[]> {
    const region = q.region ?? '';
    const cached = this.cache.get(region) ?? [];
    const fp = q.fingerprint.toLowerCase();
    const known = (k: PublicKeyRecord) =>
      k.fingerprint === fp &&
      !(k.validityStart && Date.parse(k.validityStart) > q.end.getTime()) &&
      !(k.validityEnd && Date.parse(k.validityEnd) < q.start.getTime());
    if (cached.some(known)) return cached;
    let client = this.clients.get(region);
    if (!client) this.clients.set(region, (client = this.clientFor(q.region)));
    const fetched: PublicKeyRecord[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await client.send(new (cloudTrailSdk().ListPublicKeysCommand)({ StartTime: q.start, EndTime: q.end, NextToken: token }));
      for (const k of res.PublicKeyList ?? []) {
        if (!k.Fingerprint || !k.Value) continue;
        const rec: PublicKeyRecord = { fingerprint: k.Fingerprint.toLowerCase(), value: k.Value };
        if (k.ValidityStartTime) rec.validityStart = k.ValidityStartTime.toISOString();
        if (k.ValidityEndTime) rec.validityEnd = k.ValidityEndTime.toISOString();
        if (q.region) rec.region = q.region;
        fetched.push(rec);
      }
      token = res.NextToken;
      if (!token) break;
    }
    const merged = [...cached.filter((c) => !fetched.some((f) => f.fingerprint === c.fingerprint && f.validityStart === c.validityStart)), ...fetched];
    this.cache.set(region, merged);
    return merged;
  }
}

/** Keys from a key file, filtered by region when both the key and the query name one. */
export class FilePublicKeys implements PublicKeySource {
  /** @example new FilePublicKeys([{ fingerprint: 'ab12', value: pem }]) */
  constructor(readonly records: readonly PublicKeyRecord[]) {}

  /**
   * Reads and checks a key file; throws with the reason when it is unusable (a configuration error).
   * @example FilePublicKeys.load('/opt/cloudtrail-keys.json')
   */
  static load(path: string): FilePublicKeys {
    const parsed = parsePublicKeyFile(readFileSync(path, 'utf8'));
    if (!parsed.ok) throw new Error(`${path}: ${parsed.message}`);
    return new FilePublicKeys(parsed.keys);
  }

  async keys(q: PublicKeyQuery): Promise<PublicKeyRecord[]> {
    return this.records.filter((k) => !k.region || !q.region || k.region === q.region);
  }
}

/**
 * The key source a configuration asks for: the key file when one is set, else the CloudTrail API.
 * @example publicKeySource({ publicKeysFile: undefined }) // CloudTrailPublicKeys
 */
export function publicKeySource(o: { publicKeysFile?: string }): PublicKeySource {
  return o.publicKeysFile ? FilePublicKeys.load(o.publicKeysFile) : new CloudTrailPublicKeys();
}
