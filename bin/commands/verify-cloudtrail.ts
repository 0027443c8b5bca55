/**
 * `tributary verify-cloudtrail`: CloudTrail log file integrity validation of a trail bucket (or a
 * prefix of it) or of a local copy, with the same code as the s3ingest function (`lib/integrity.ts`):
 * every digest's location, signature and link to the previous digest, and every listed log file's
 * hash. Prints what is not verified and the counts; `--archive` also archives the verdict documents
 * (then `tributary replay` or `ingest --opensearch` indexes them like the live path does).
 *
 * Exit codes: 0 when nothing failed (unverified files are reported, not failures), 3 when a digest or
 * log file failed, 2 on usage errors, 1 on unexpected errors (S3 or CloudTrail API failures).
 */
import { statSync } from 'node:fs';
import { Command } from 'commander';
import { type IntegrityReport, verifyStore } from '../../lib/integrity';
import { CloudTrailPublicKeys, FilePublicKeys, type PublicKeySource } from '../../lib/io/cloudtrail';
import { createS3Client } from '../../lib/io/s3';
import { bucketStores, LocalStore, type ObjectStore, openStore, parseStoreUrl } from '../../lib/io/store';
import { table } from './replay';

interface VerifyFlags {
  publicKeys?: string;
  bucket?: string;
  archive?: string;
  verbose?: boolean;
}

/**
 * The report as printed: findings first (tab-separated), then the counts.
 * @example formatIntegrityReport(await verifyStore(store, { publicKeys })) // ['FAILED\tlog file\ts3://…\thash_mismatch\t…', '', 'files  verified  failed  unverified', …]
 */
export function formatIntegrityReport(r: IntegrityReport): string[] {
  const lines = r.findings.map((f) => `${f.status.toUpperCase()}\t${f.subject === 'digest' ? 'digest file' : 'log file'}\t${f.path}\t${f.reason ?? ''}\t${f.message}`);
  if (lines.length) lines.push('');
  const row = (name: string, c: IntegrityReport['digests']) => [name, c.verified, c.failed, c.unverified];
  lines.push(...table(['files', 'verified', 'failed', 'unverified'], [row('digest', r.digests), row('log', r.logFiles)]));
  return lines;
}

/** Adds `verify-cloudtrail` to the CLI (`bin/cli.ts`). */
export function registerVerifyCloudTrail(program: Command): void {
  program
    .command('verify-cloudtrail')
    .description(
      'CloudTrail log file integrity validation: check every digest file (location, CloudTrail signature, link to the previous digest) ' +
        'and every log file it lists (SHA-256 of the uncompressed file) under a bucket prefix or a local copy, and report verified / failed / unverified counts.',
    )
    .argument('<location>', 's3://bucket[/prefix] (e.g. s3://my-trail-bucket/AWSLogs/111122223333/), or a directory holding a copy of the bucket')
    .option('--public-keys <file>', 'CloudTrail public keys from this JSON file (`aws cloudtrail list-public-keys` output) instead of the ListPublicKeys API')
    .option('--bucket <name>', 'for a local copy: the bucket it was copied from (checked against the digests; unchecked without it)')
    .option('--archive <url>', 'also archive the verdict documents here (file:///path or s3://bucket[/prefix])')
    .option('-v, --verbose', 'list verified files too')
    .addHelpText(
      'after',
      '\nExit codes: 0 nothing failed, 3 a digest or log file failed validation, 2 usage error, 1 unexpected error.\n' +
        'A local copy needs each digest\'s S3 metadata next to it, as <digest>.metadata.json:\n' +
        '  aws s3api head-object --bucket B --key K --query Metadata > ./copy/K.metadata.json\n' +
        '\nExamples:\n' +
        '  tributary verify-cloudtrail s3://my-trail-bucket/AWSLogs/111122223333/\n' +
        '  aws cloudtrail list-public-keys --region us-east-1 --start-time 2026-03-01T00:00:00Z > keys.json\n' +
        '  tributary verify-cloudtrail ./trail-copy --bucket my-trail-bucket --public-keys keys.json',
    )
    .action(async (location: string, flags: VerifyFlags) => {
      const fail = (code: number, msg: string) => {
        process.stderr.write(`tributary verify-cloudtrail: ${msg}\n`);
        process.exit(code);
      };
      let store: ObjectStore;
      let prefix = '';
      let publicKeys: PublicKeySource;
      let archive: ObjectStore | undefined;
      let storeOf: ((bucket: string) => ObjectStore) | undefined;
      let local: boolean;
      try {
        const p = parseStoreUrl(location);
        local = p.kind === 'file';
        if (p.kind === 'file') {
          if (!statSync(p.dir, { throwIfNoEntry: false })?.isDirectory()) return fail(2, `${location} is not a directory`);
          store = new LocalStore(p.dir, flags.bucket ?? 'local');
        } else {
          // The bucket root, so keys are the absolute keys digests name; the prefix only narrows the listing.
          storeOf = bucketStores(createS3Client());
          store = storeOf(p.bucket);
          prefix = p.prefix ? `${p.prefix}/` : '';
          if (flags.bucket) return fail(2, '--bucket is for local copies; an s3:// location names its bucket');
        }
        publicKeys = flags.publicKeys ? FilePublicKeys.load(flags.publicKeys) : new CloudTrailPublicKeys();
        if (flags.archive) archive = openStore(flags.archive, createS3Client);
      } catch (e) {
        return fail(2, (e as Error).message);
      }
      let done = 0;
      const report = await verifyStore(store, {
        prefix,
        bucket: local ? (flags.bucket ?? null) : undefined,
        publicKeys,
        storeOf,
        archive,
        now: () => new Date(),
        verbose: flags.verbose,
        onDigest: () => {
          if (process.stderr.isTTY && ++done % 10 === 0) process.stderr.write(`\r${done} digests…`);
        },
      });
      if (done >= 10 && process.stderr.isTTY) process.stderr.write('\n');
      for (const l of formatIntegrityReport(report)) process.stdout.write(l + '\n');
      if (archive) process.stdout.write(`${report.outputs.length} archive objects written to ${archive.url}\n`);
      if (report.digests.failed || report.logFiles.failed) process.exit(3);
    });
}
