/**
 * Entries of the detection and saved-search fixtures (`test/fixtures-detections/`): a document, N
 * copies of one, or a CloudWatch Logs payload (real-format lines with their delivery) that the
 * pipeline normalizes, so fixtures can be parser output rather than hand-written documents.
 */
import { normalizeCloudWatchBatch, payloadDocuments } from '../../lib/core/cloudwatch';
import { cloudWatchBatch, type CloudWatchLogsPayload } from '../../lib/core/envelopes';

/* eslint-disable @typescript-eslint/no-explicit-any -- fixture documents are untyped JSON */
/** A fixture entry; payloads are normalized as the transformer would at the fixture's `reference_time`. */
export type FixtureEntry = Record<string, any> | { times: number; doc: Record<string, any> } | { cloudwatch: CloudWatchLogsPayload; region: string; aggregators?: string[] };

/** The documents of fixture entries (see {@link FixtureEntry}). */
export function expandEntries(entries: FixtureEntry[], referenceTime: string): Record<string, any>[] {
  return entries.flatMap((e) => {
    if ('times' in e && 'doc' in e) return Array.from({ length: e.times }, () => e.doc);
    if ('cloudwatch' in e) {
      const batch = cloudWatchBatch(e.cloudwatch, e.region);
      if (!batch) throw new Error('fixture payload is not a DATA_MESSAGE');
      return payloadDocuments(normalizeCloudWatchBatch(batch, undefined, { now: new Date(referenceTime), aggregators: e.aggregators }));
    }
    return [e];
  });
}

