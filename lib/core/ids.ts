/**
 * Default identities of raw events (the `RawEvent.key` that `stableId` hashes into `event.id`): the
 * same event has the same key on the live path, the S3 path and replay.
 */

/** Default key of a CloudWatch Logs event: its log group and its 56-digit event id. */
export const cloudWatchKey = (logGroup: string, eventId: string): string => `${logGroup}/${eventId}`;

/** Default key of a record in an S3 object: bucket, key, version (or ETag) and record position. */
export const s3RecordKey = (bucket: string, key: string, version: string, position: number): string =>
  `s3://${bucket}/${key}#${version}:${position}`;
