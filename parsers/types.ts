/**
 * The contract between the pipeline and the parsers. A parser is pure: it sees raw events and a
 * context, never the SDK, the environment or the clock, and it never throws. Errors are values.
 */
import type { TributaryDocument } from '../schemas/generated/document';
import type { Dataset, SourceId } from '../schemas/source-list';
import type { VpcLayoutMemory } from './vpcflow-format';

// The source list is declared once, in schemas/source-list.ts; re-exported so existing imports keep working.
export { SOURCE_IDS, DATASETS, type SourceId, type Dataset } from '../schemas/source-list';

type DeepPartial<T> = T extends (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** What a parser writes: any part of a normalized document. The pipeline fills ids and metadata. */
export type Fields = DeepPartial<TributaryDocument>;

/** Per-source settings from configuration or CLI flags. */
export interface SourceOptions {
  /** VPC Flow Logs format, as in the flow log's LogFormat: `${version} ${account-id} ...`. */
  vpcFormat?: string;
  /**
   * CloudFront field list of lines without a `#Fields` header: a real-time log configuration's
   * fields in the order CloudFront emits them (`timestamp c-ip sc-status ...`), or the `#Fields: ...`
   * header line of the object a later chunk belongs to (carried by S3 ingest and the CLI's chunks).
   */
  cloudfrontFields?: string;
}

/** Where a batch of raw events came from. Every field is optional: the CLI may know nothing. */
export interface ParseContext {
  logGroup?: string;
  logStream?: string;
  /**
   * The delivering account: CloudWatch Logs `owner`, or the account of an S3 key anchored at a
   * documented AWS layout. Trusted delivery metadata, never read from log content (`local` aside).
   */
  account?: string;
  /** The delivery's region (the CloudWatch Logs destination's, or the S3 key's). */
  region?: string;
  /**
   * Set when `account`/`region` come from a local file's path, not from an AWS delivery: they are
   * then only a claim, and content claims stand, marked `unverified` (`lib/core/attribution.ts`).
   */
  local?: boolean;
  s3?: { bucket: string; key: string };
  options?: SourceOptions;
  /**
   * The layouts headerless VPC Flow Logs lines had, per log group, across batches (for lines that
   * alone fit several documented layouts). Owned by the caller, which keeps it as long as it
   * likes (a Lambda container, a CLI run); absent, each batch decides alone.
   */
  vpcLayouts?: VpcLayoutMemory;
  /**
   * When the pipeline received the batch (epoch ms; `normalize` sets it from its `now`): the reference
   * for dates that lack a year (RFC 3164 syslog) when the envelope has no event time (a file read by the CLI).
   */
  now?: number;
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
  /**
   * Set by the envelope layer when it could not read the event within its bounds (a line over
   * `MAX_LINE_BYTES`, a record the input ends inside, a message nested too deep to serialize):
   * `message` then holds only its first bytes, and the pipeline makes the event a failure document
   * with this reason and `error.type` without running a parser on it. Parsers never see such events.
   */
  rejected?: { reason: string; type: string };
  /**
   * The value `message` is the JSON text of, when the envelope layer already held it parsed (a
   * CloudTrail file whose `Records` is not first is parsed whole to find them; `message` is then
   * `JSON.stringify` of the record; a findings export or EventBridge event `Parser.split` parsed to
   * look for several findings): a JSON parser may use it instead of parsing `message` again.
   * `message` stays the event's text for everything else (ids, `event.original`, failure
   * documents), and a parser must give the same result with or without `parsed`.
   */
  parsed?: unknown;
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
export type DropReason = 'header' | 'blank' | 'merged' | 'skipped';

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
  /**
   * Parse a batch of events from one stream or object, in order. Must account for every index.
   * Must not throw: a throw is a bug, caught in one place only (`runParser` in lib/core/pipeline.ts),
   * which turns the events that throw into `parser_bug` failures. Parsers do not catch their own bugs.
   */
  parse(events: readonly RawEvent[], ctx: ParseContext): Outcome[];
  /**
   * True when each event's outcome depends only on that event and the context (`lineParser`): a
   * batch may then be parsed in slices with the same outcomes, and the pipeline does so to keep few
   * documents in memory at once (`normalizeInSlices` in lib/core/pipeline.ts). Parsers that look
   * across events (a VPC header line, multi-line merges, multi-record audit events) leave it unset.
   */
  readonly perEvent?: boolean;
  /**
   * For a parser that merges events by a key (the records of one audit event): keys that tie `event`
   * to every other event of the batch with one of the same keys; a superset is safe, a missing key is
   * not. The pipeline may then slice a batch where no key has events on both sides of the cut, with
   * the same outcomes as the whole batch (`normalizeInSlices` in lib/core/pipeline.ts).
   */
  readonly sliceKeys?: (event: RawEvent) => readonly string[];
  /**
   * For a parser that decides a few events by the whole batch (VPC lines that fit several layouts):
   * a session that parses the batch a slice at a time, in order, deciding at once what it can and the
   * rest at `end`. `parse` of one session over the slices, then `end`, gives exactly the outcomes of
   * `parse` of the whole batch (in another order: the events held back come last).
   */
  readonly session?: (ctx: ParseContext) => ParseSession;
  /**
   * Optional: the records one raw event holds when it holds several (an exported `{"Findings":[...]}`
   * file, a JSON array of findings), each becoming an event of its own BEFORE `parse` and before
   * counting, so `received` counts records and each gets its own document or failure. Returns
   * undefined for an event that is one record (the usual case). Pure and bounded by the event's size;
   * the pipeline keeps the event whole if it throws.
   * @example securityhubParser.split!({ message: '{"Findings":[{…},{…}]}', key: 'k' })?.length // 2
   */
  split?(event: RawEvent): readonly RawEvent[] | undefined;
}

/** A batch parsed slice by slice (`Parser.session`). */
export interface ParseSession {
  /** Outcomes of `events`, the batch's events from `offset` on, indexed in the whole batch; the events held back get theirs from `end`. */
  parse(events: readonly RawEvent[], offset: number): Outcome[];
  /** Outcomes of every event held back, once all slices were parsed. */
  end(): Outcome[];
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
    perEvent: true,
    parse(events, ctx) {
      return events.map((event, index): Outcome => {
        const r = parseLine(event.message, ctx, event);
        if (r === null) return { kind: 'drop', index, reason: 'skipped' };
        if (r instanceof ParseError) return { kind: 'failure', index, message: r.message, type: r.type };
        if (isSkip(r)) return { kind: 'drop', index, reason: r.skip };
        return { kind: 'document', fields: r, indices: [index] };
      });
    },
  };
}

/** What one example of a parser puts in and must get out (see `ParserMeta`). */
export type ParserExample = {
  /** What the example shows. */
  title: string;
  /**
   * One raw event, or the events of one batch that together make ONE document (a multi-record
   * audit event, a stack trace over several lines, a VPC header line and a record).
   */
  input: string | readonly string[];
  /** Where the batch came from: log group, S3 key, `options.vpcFormat`... */
  context?: ParseContext;
} & (
  | {
      /** A subset of the one document the input must produce (deep partial match). */
      fields: Fields;
    }
  | {
      /** The input must produce no document but one failure: its `error.type`, and a part of its message. */
      failure: { type: string; message?: string };
    }
);

/**
 * A parser's own documentation, in the spirit of Vector's VRL function docs: the source it
 * handles, the format documentation it follows, and examples of real inputs with what they
 * become. Every example runs through the pipeline in test/unit/parser-meta.test.ts, so the
 * examples document the parser and can never go stale.
 */
export interface ParserMeta {
  readonly id: SourceId;
  /** `event.dataset` of its documents. */
  readonly dataset: Dataset;
  readonly title: string;
  /** Links to the AWS / format documentation the parser follows. */
  readonly docs: readonly string[];
  /** Two to four examples, real formats from those docs. */
  readonly examples: readonly ParserExample[];
}
