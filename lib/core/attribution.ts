/**
 * Which account an event is attributed to, decided from trusted delivery metadata only.
 *
 * The log-archive account holds evidence: a member account must not be able to make its logs look
 * like another account's, nor overwrite another account's documents. So the account an event is
 * filed under is the account that DELIVERED it (CloudWatch Logs `owner`; the account of an S3 key
 * anchored at a documented AWS layout, which the ingest bucket policy restricts to that account),
 * never what a log line claims, with two exceptions:
 *
 * - the delivering account is a configured aggregator (an organization trail's owner, the
 *   log-archive or audit account, a Security Hub, GuardDuty or Inspector delegated administrator, a
 *   flow-log administrator): its claims about other
 *   accounts are accepted (`aggregator`);
 * - there is no delivery metadata at all (a local file): the claim stands, marked `unverified`.
 *
 * A claim that differs from a non-aggregator delivering account is not believed: the document is
 * attributed to the delivering account, the claim is kept in `tributary.claimed`, the document is
 * flagged `tributary.attribution: mismatch` and tagged `attribution_mismatch`. Nothing is dropped.
 *
 * CloudWatch Logs `extractedFields` (`@aws.account`, `@aws.region`, set by the sender's subscription
 * filter) are claims like any other: honoured only from aggregators.
 */
import type { RawEvent } from '../../parsers/types';
import { stableId } from '../../parsers/ids';

/** How the account of a document was decided (`tributary.attribution`). */
export type Attribution = 'delivery' | 'aggregator' | 'mismatch' | 'unverified';

/** The tag of documents whose content claims another account than the one that delivered them. */
export const MISMATCH_TAG = 'attribution_mismatch';

/** Trusted delivery metadata of a batch (never taken from log content). */
export interface Delivery {
  /** The delivering account, when the envelope names one (and it is trusted). */
  account?: string;
  /** The region the delivery came from (CloudWatch Logs destination region, S3 key region). */
  region?: string;
}

export interface AttributionResult {
  account?: string;
  region?: string;
  attribution: Attribution;
  /** What the content claimed, kept when the claim was not believed. */
  claimed?: { account?: string; region?: string };
}

/**
 * Decides account and region of one document.
 * - `delivery`: trusted envelope metadata, or undefined when there is none (a local file);
 * - `claim`: what the content says (the parser's `cloud.*`), then the event's `extractedFields`;
 * - `local`: the context's account/region (from a local path), used when nothing else is known.
 * @example attribute({ account: '222222222222', region: 'us-east-1' }, { account: '999999999999' }, new Set())
 * // { account: '222222222222', region: 'us-east-1', attribution: 'mismatch', claimed: { account: '999999999999' } }
 */
export function attribute(
  delivery: Delivery | undefined,
  claim: { account?: string; region?: string },
  aggregators: ReadonlySet<string>,
  local: { account?: string; region?: string } = {},
): AttributionResult {
  if (!delivery?.account) {
    return { account: claim.account ?? local.account, region: claim.region ?? delivery?.region ?? local.region, attribution: 'unverified' };
  }
  if (claim.account === undefined || claim.account === delivery.account) {
    // The delivering account speaks about itself: its region claim is its own business (a
    // multi-region trail delivers every region's events to one log group).
    return { account: delivery.account, region: claim.region ?? delivery.region, attribution: 'delivery' };
  }
  if (aggregators.has(delivery.account)) return { account: claim.account, region: claim.region ?? delivery.region, attribution: 'aggregator' };
  const claimed: { account?: string; region?: string } = { account: claim.account };
  if (claim.region !== undefined) claimed.region = claim.region;
  return { account: delivery.account, region: delivery.region, attribution: 'mismatch', claimed };
}

/**
 * The claim an event's `extractedFields` make (`@aws.account`, `@aws.region`: central log groups
 * that aggregate other accounts' logs), only where they are well formed.
 */
export function extractedClaim(e: RawEvent | undefined): { account?: string; region?: string } {
  const f = e?.extractedFields;
  if (!f) return {};
  const out: { account?: string; region?: string } = {};
  const a = f['@aws.account'];
  const r = f['@aws.region'];
  if (typeof a === 'string' && /^\d{12}$/.test(a)) out.account = a;
  if (typeof r === 'string' && /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(r)) out.region = r;
  return out;
}

/**
 * The OpenSearch `_id` of a document: its `event.id` namespaced by the account it is attributed
 * to, so a document delivered by one account can never replace another account's document with the
 * same `event.id` (a forged CloudTrail `eventID`), while the same event still gets the same id on
 * the live path, the S3 path and replay (attribution depends only on the event and its delivery).
 * A claim that was not believed is part of the namespace too: the flagged document stays, even when
 * its sender later delivers the same `event.id` as its own. Documents attributed to no account keep `event.id`.
 * @example documentId({ event: { id: 'fed06f42-cb12-4764-8c69-121063dc79b9' }, cloud: { account: { id: '111122223333' } } }) // 27 chars
 */
export function documentId(doc: {
  event?: { id?: string };
  cloud?: { account?: { id?: string } };
  tributary?: { claimed?: { account?: string } };
}): string | undefined {
  const id = doc.event?.id;
  const account = doc.cloud?.account?.id;
  if (id === undefined || account === undefined) return id;
  const claimed = doc.tributary?.claimed?.account;
  return claimed === undefined ? stableId('account', account, id) : stableId('account', account, 'claimed', claimed, id);
}
