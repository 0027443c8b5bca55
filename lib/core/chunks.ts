/**
 * Normalizing a large input in chunks, so the documents in memory stay bounded: the CLI streams a
 * file in chunks (`lib/local/input-stream.ts`), and a batch of millions of short lines would
 * otherwise become millions of documents at once (32 MiB of one-character lines took Node past its
 * 4 GB heap).
 */
import type { NormalizeInput, NormalizeOptions, NormalizeResult, SlicedResult } from './pipeline';
import { normalize, normalizeInSlices } from './pipeline';
import type { SourceId } from '../../parsers/types';
import type { TributaryDocument } from '../../schemas/generated/document';
import { headerFormat } from '../../parsers/vpcflow-format';
import { cloudfrontHeaderFields } from '../../parsers/cloudfront';

/** Events per chunk: far above any CloudWatch Logs payload (10,000 events), so those stay one batch. */
export const CHUNK_EVENTS = 50_000;

/**
 * Normalizes the successive chunks of one input (a file streamed by the CLI) as one input: the
 * first chunk decides the source (when it is `auto`) and every later chunk keeps it; a VPC Flow Logs
 * header line at the start gives the format of every later chunk (a CloudFront `#Fields` line its
 * field list), as in S3 ingest. As there, a multi-line event (stack trace, audit record) cut by a
 * chunk boundary becomes two documents.
 * @example const c = new ChunkNormalizer(context, 'auto', { now }); for (const events of chunks) write(c.normalize(events).documents)
 */
export class ChunkNormalizer {
  private first = true;

  constructor(
    private context: NormalizeInput['context'],
    private source: NormalizeInput['source'],
    private readonly options: NormalizeOptions,
  ) {}

  /** The next chunk's result: exactly one `normalize` call. */
  normalize(events: NormalizeInput['events']): NormalizeResult {
    const r = normalize({ events, context: this.context, source: this.source }, this.options);
    this.learn(events, r.source);
    return r;
  }

  /**
   * The next chunk, its documents handed to `sink` a slice at a time (`normalizeInSlices`: the same
   * documents as `normalize`, fewer alive at once): for callers that serialize them at once.
   */
  normalizeSliced(events: NormalizeInput['events'], sink: (documents: TributaryDocument[]) => void): SlicedResult {
    const r = normalizeInSlices({ events, context: this.context, source: this.source }, this.options, sink);
    this.learn(events, r.source);
    return r;
  }

  /** After the first chunk: its source, and the VPC header or CloudFront `#Fields` it starts with, hold for the rest. */
  private learn(events: NormalizeInput['events'], source: SourceId): void {
    if (!this.first || !events.length) return;
    this.first = false;
    this.source = source;
    const header = source === 'vpcflow' ? headerFormat(events[0].message) : undefined;
    if (header) this.context = { ...this.context, options: { ...this.context.options, vpcFormat: header } };
    const fields = source === 'cloudfront' ? cloudfrontHeaderFields(events) : undefined;
    if (fields) this.context = { ...this.context, options: { ...this.context.options, cloudfrontFields: fields } };
  }
}

/**
 * Normalizes `input` in chunks of `chunkEvents` events, with the rules of `ChunkNormalizer`. A batch
 * of at most `chunkEvents` events is exactly one `normalize` call.
 * @example for (const r of normalizeInChunks({ events, context: {}, source: 'auto' }, { now })) write(r.documents)
 */
export function* normalizeInChunks(input: NormalizeInput, options: NormalizeOptions, chunkEvents = CHUNK_EVENTS): Generator<NormalizeResult> {
  if (input.events.length <= chunkEvents) {
    yield normalize(input, options);
    return;
  }
  const chunks = new ChunkNormalizer(input.context, input.source, options);
  for (let i = 0; i < input.events.length; i += chunkEvents) yield chunks.normalize(input.events.slice(i, i + chunkEvents));
}
