/**
 * The contract between the pipeline and the parsers. A parser is pure: it sees raw events and a
 * context, never the SDK, the environment or the clock, and it never throws. Errors are values.
 */
import type { TributaryDocument } from '../schemas/generated/document';

export type SourceId = 'cloudtrail' | 'vpcflow' | 'elb' | 'apigateway' | 'lambda' | 'auditd' | 'app';

export const SOURCE_IDS: readonly SourceId[] = ['cloudtrail', 'vpcflow', 'elb', 'apigateway', 'lambda', 'auditd', 'app'];

/** `event.dataset` of each source. */
export const DATASETS: Record<SourceId, NonNullable<TributaryDocument['event']['dataset']>> = {
  cloudtrail: 'aws.cloudtrail',
  vpcflow: 'aws.vpcflow',
  elb: 'aws.elb',
  apigateway: 'aws.apigateway',
  lambda: 'aws.lambda',
  auditd: 'linux.audit',
  app: 'app',
};

type DeepPartial<T> = T extends (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** What a parser writes: any part of a normalized document. The pipeline fills ids and metadata. */
export type Fields = DeepPartial<TributaryDocument>;

/** Per-source settings from configuration or CLI flags. */
export interface SourceOptions {
  /** VPC Flow Logs format, as in the flow log's LogFormat: `${version} ${account-id} ...`. */
  vpcFormat?: string;
}

/** Where a batch of raw events came from. Every field is optional: the CLI may know nothing. */
export interface ParseContext {
  logGroup?: string;
  logStream?: string;
  /** Account that owns the source (CloudWatch Logs `owner`, or the account in an S3 key). */
  account?: string;
  region?: string;
  s3?: { bucket: string; key: string };
  options?: SourceOptions;
}

/** One raw input event: a CloudWatch Logs log event, or one line/record of an S3 object or file. */
export interface RawEvent {
  message: string;
  /** Event time from the envelope (epoch ms), when the envelope has one. */
  timestamp?: number;
  /**
   * Stable position of the event in its delivery, the default identity of its document:
   * `<logGroup>/<logEventId>` for CloudWatch Logs, `s3://bucket/key#etag:<record>` for S3 objects.
   */
  key: string;
  /** CloudWatch Logs `extractedFields` (e.g. `@aws.account`, `@aws.region` on central log groups). */
  extractedFields?: Record<string, string>;
}

/** A per-record error: the record could not be turned into a document. */
export class ParseError {
  readonly kind = 'parse_error' as const;
  constructor(
    readonly message: string,
    readonly type = 'parse_error',
  ) {}
}

/** Why an event became no document on purpose. Counted, never silent. */
export type DropReason = 'control_message' | 'header' | 'blank' | 'merged' | 'comment' | 'skipped';

/** A deliberate skip with its reason (a bare `null` from a line parser means `skipped`). */
export interface Skip {
  readonly skip: DropReason;
}
export const skip = (reason: DropReason): Skip => ({ skip: reason });
export const isSkip = (v: unknown): v is Skip => typeof v === 'object' && v !== null && 'skip' in v;

/** What a line parser returns for one line. */
export type LineResult = Fields | Skip | ParseError | null;

/** What a batch parser says about each raw event, by its index in the batch. */
export type Outcome =
  /** A document built from one or more events (`indices`, first one gives the default id). */
  | {
      kind: 'document';
      fields: Fields;
      indices: number[];
      /**
       * Parts of one event may arrive in different batches (audit records): index with
       * merge-on-index (`update` + `doc_as_upsert`) under the parser's deterministic `event.id`.
       */
      merge?: boolean;
    }
  | { kind: 'drop'; index: number; reason: DropReason }
  | { kind: 'failure'; index: number; message: string; type?: string };

export interface Parser {
  readonly source: SourceId;
  /** Parse a batch of events from one stream or object, in order. Must account for every index. */
  parse(events: readonly RawEvent[], ctx: ParseContext): Outcome[];
}

/**
 * Lifts a per-line parse function into a batch parser: each event is parsed alone.
 * @example lineParser('vpcflow', (line) => parseFlowLine(line, format))
 */
export function lineParser(
  source: SourceId,
  parseLine: (line: string, ctx: ParseContext, event: RawEvent) => LineResult,
): Parser {
  return {
    source,
    parse(events, ctx) {
      return events.map((event, index): Outcome => {
        const r = safeLine(parseLine, event.message, ctx, event);
        if (r === null) return { kind: 'drop', index, reason: 'skipped' };
        if (r instanceof ParseError) return { kind: 'failure', index, message: r.message, type: r.type };
        if (isSkip(r)) return { kind: 'drop', index, reason: r.skip };
        return { kind: 'document', fields: r, indices: [index] };
      });
    },
  };
}

/** Calls a line parser and turns an unexpected throw into a per-record error (defence in depth). */
export function safeLine(
  parseLine: (line: string, ctx: ParseContext, event: RawEvent) => LineResult,
  line: string,
  ctx: ParseContext,
  event: RawEvent,
): LineResult {
  try {
    return parseLine(line, ctx, event);
  } catch (e) {
    return new ParseError(`parser threw: ${e instanceof Error ? e.message : String(e)}`, 'parser_bug');
  }
}
