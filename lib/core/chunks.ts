/**
 * Normalizing a large batch in chunks, so the documents in memory stay bounded: the CLI reads a file
 * whole, and a file of millions of short lines would otherwise become millions of documents at once
 * (32 MiB of one-character lines took Node past its 4 GB heap).
 */
import type { NormalizeInput, NormalizeOptions, NormalizeResult } from './pipeline';
import { normalize } from './pipeline';
import { headerFormat } from '../../parsers/vpcflow-format';
import { cloudfrontHeaderFields } from '../../parsers/cloudfront';

/** Events per chunk: far above any CloudWatch Logs payload (10,000 events), so those stay one batch. */
export const CHUNK_EVENTS = 50_000;

/**
 * Normalizes `input` in chunks of `chunkEvents` events. The first chunk decides the source (when it
 * is `auto`) and every later chunk keeps it; a VPC Flow Logs header line at the start gives the format
 * of every later chunk, as in S3 ingest. A batch of at most `chunkEvents` events is exactly one
 * `normalize` call. As in S3 ingest, a multi-line event (stack trace, audit record) cut by a chunk
 * boundary becomes two documents.
 * @example for (const r of normalizeInChunks({ events, context: {}, source: 'auto' }, { now })) write(r.documents)
 */
export function* normalizeInChunks(input: NormalizeInput, options: NormalizeOptions, chunkEvents = CHUNK_EVENTS): Generator<NormalizeResult> {
  if (input.events.length <= chunkEvents) {
    yield normalize(input, options);
    return;
  }
  let source = input.source;
  let context = input.context;
  for (let i = 0; i < input.events.length; i += chunkEvents) {
    const events = input.events.slice(i, i + chunkEvents);
    const r = normalize({ events, context, source }, options);
    if (i === 0) {
      source = r.source;
      const header = r.source === 'vpcflow' ? headerFormat(events[0].message) : undefined;
      if (header) context = { ...context, options: { ...context.options, vpcFormat: header } };
      const fields = r.source === 'cloudfront' ? cloudfrontHeaderFields(events) : undefined;
      if (fields) context = { ...context, options: { ...context.options, cloudfrontFields: fields } };
    }
    yield r;
  }
}
