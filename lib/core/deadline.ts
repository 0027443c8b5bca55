/**
 * Deadlines (pure): how long a use case may still START work before its Lambda invocation ends.
 *
 * A Lambda that runs into its timeout is killed mid-work: its SQS batch comes back whole after the
 * visibility timeout, every finished message included, and a message that always needs longer than
 * the timeout is retried until its DLQ. So the SQS use cases (indexer, s3ingest) take a `Deadline`
 * from the handler (`context.getRemainingTimeInMillis()` minus a safety margin), check it before each
 * unit of work (a message, a `_bulk` attempt, a backoff sleep, a chunk of lines), and when it has
 * passed hand the rest back through `batchItemFailures` instead of starting it.
 *
 * The margin is what the work in flight may still need once the deadline is seen: finishing the
 * current step (a chunk of lines, a `_bulk` request whose timeout is capped by the deadline),
 * abandoning half-written uploads, saving a checkpoint, returning. Tests inject their own clock.
 */

/** The invocation a batch runs in: Lambda's `context.getRemainingTimeInMillis`, as the handler passes it. */
export interface Invocation {
  remainingMs: () => number;
}

/** Time left in which work may still be started. */
export interface Deadline {
  /** Milliseconds left before the caller must stop starting work; ≤ 0 means stop now. */
  remainingMs(): number;
}

/**
 * The deadline `marginMs` before the end of an invocation whose remaining time `remainingMs` reports
 * (Lambda's `context.getRemainingTimeInMillis`).
 * @example const d = deadlineBefore(() => context.getRemainingTimeInMillis(), 10_000); d.remainingMs() // 110_000 at the start of a 120 s invocation
 */
export function deadlineBefore(remainingMs: () => number, marginMs: number): Deadline {
  return { remainingMs: () => remainingMs() - marginMs };
}

/**
 * Whether the deadline has passed (never, without one).
 * @example passed({ remainingMs: () => 0 }) // true
 */
export const passed = (d: Deadline | undefined): boolean => d !== undefined && d.remainingMs() <= 0;

/**
 * Thrown where work stops because the deadline passed: what was not finished is handed back to its
 * queue (SQS redelivers it), never dropped. `pending` says how many items of the interrupted step were
 * left (documents of a `_bulk` request), when that is known.
 */
export class DeadlineError extends Error {
  constructor(
    message: string,
    readonly pending = 0,
  ) {
    super(message);
    this.name = 'DeadlineReached';
  }
}
