/**
 * CloudTrail log file integrity validation results (`tributary.integrity.*`), written by
 * `lib/integrity.ts` when a CloudTrail digest file arrives: one document per log file the digest
 * lists and one for the digest itself (signature and link to the previous digest). Kept under
 * `tributary.` because it is Tributary's verdict about a delivery, not something CloudTrail logged.
 */
import { f } from '../dsl';

/** `verified` | `failed` | `unverified`: the three answers integrity validation can give. */
export const INTEGRITY_STATUSES = ['verified', 'failed', 'unverified'] as const;

const status = (what: string) =>
  f.keyword(`Integrity of ${what}: verified, failed (modified, deleted, moved or not signed by CloudTrail) or unverified (could not be checked).`, {
    enum: INTEGRITY_STATUSES,
  });

export const integrity = f.group({
  status: status('the subject of the document (`tributary.integrity.subject`)'),
  reason: f.keyword('Why the subject failed or is unverified, as a code (absent when verified).', { example: 'hash_mismatch' }),
  subject: f.keyword('What the document is about: a `log_file` listed in a digest, or the `digest` file itself.', {
    enum: ['log_file', 'digest'],
  }),
  digest: f.group({
    bucket: f.keyword('Bucket where the digest file was found.'),
    key: f.keyword('Key of the digest file.', {
      example: 'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2026/03/01/111122223333_CloudTrail-Digest_us-east-2_trail_us-east-2_20260301T150131Z.json.gz',
    }),
    status: status('the digest file: its location, signature and link to the previous digest'),
    start_time: f.date('Start of the period the digest covers (`digestStartTime`).'),
    end_time: f.date('End of the period the digest covers (`digestEndTime`); part of the signed string.'),
    sha256: f.keyword('Hex SHA-256 of the uncompressed digest file (part of the signed string).'),
    public_key_fingerprint: f.keyword('Fingerprint of the CloudTrail public key the digest names (`digestPublicKeyFingerprint`).'),
    signature_algorithm: f.keyword('Signature algorithm of the digest (`x-amz-meta-signature-algorithm`).', { example: 'SHA256withRSA' }),
    log_files: f.long('How many log files the digest lists.'),
  }),
  log_file: f.group({
    bucket: f.keyword('Bucket of the log file (`logFiles[].s3Bucket`).'),
    key: f.keyword('Key of the log file (`logFiles[].s3Object`); CloudTrail documents from this file carry it in `tributary.s3.key`.'),
    hash_algorithm: f.keyword('Hash algorithm the digest names for the log file.', { example: 'SHA-256' }),
    expected_hash: f.keyword('Hex hash of the uncompressed log file as listed in the digest.'),
    actual_hash: f.keyword('Hex hash of the uncompressed log file as stored now (absent when it could not be read).'),
  }),
  previous_digest: f.group({
    bucket: f.keyword('Bucket of the previous digest file in the chain.'),
    key: f.keyword('Key of the previous digest file in the chain.'),
    status: f.keyword('The link to the previous digest: its hash and signature match (verified), do not or it is gone (failed), could not be read (unverified), or the digest starts a chain (none).', {
      enum: [...INTEGRITY_STATUSES, 'none'],
    }),
  }),
});
