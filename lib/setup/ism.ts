/**
 * The ISM (Index State Management) policy: hot, then optionally warm, then delete, by index age.
 *
 * Ages count from index creation. Daily indices are created by the first write of the day, so for
 * live data creation ≈ event day; a replayed old day gets a fresh index and a fresh clock, which
 * is what an operator replaying an archive wants (it stays searchable for the retention period).
 *
 * Warm on a small cluster has no separate node tier: it means fewer replicas (optional) and a
 * force merge to one segment, which cuts heap and disk for indices that only receive late events.
 * The index stays writable: an event delayed by days must still land in its day's index.
 */
import type { Types } from '@opensearch-project/opensearch';
import { MANAGED_BY, datasetPatterns } from './templates';

// The ISM types the OpenSearch client ships, generated from the OpenSearch API specification. The
// index-management plugin is not on Maven Central, so no local cluster can check the policy: typing
// it by the specification makes `npm run typecheck` reject a misspelt action, state or field.
type IsmPolicy = Types.Ism_Common.Policy;
type IsmState = Types.Ism_Common.States;
type IsmAction = Types.Ism_Common.Action;
/** The specification leaves `conditions` open (`Record<string, any>`): the conditions used here, typed. */
type IsmTransition = Types.Ism_Common.Transition & { state_name: string; conditions: { min_index_age: string } };

export interface IsmOptions {
  prefix: string;
  /** Days an index stays hot (age at which warm starts). */
  hotDays?: number;
  /** Days in warm; 0 skips the warm state (hot until deletion). */
  warmDays?: number;
  /** Age in days at which the index is deleted (retention). Defaults to hot + warm; must be >= hot + warm. */
  deleteDays?: number;
  /** Replicas in warm; unset keeps the replica count. */
  warmReplicas?: number;
}

export const DEFAULT_ISM = { hotDays: 7, warmDays: 23 };

export const policyId = (prefix: string) => `${prefix}-retention`;

/** Resolved, validated ages; throws a readable error on impossible combinations (a usage error). */
export function ismAges(o: Omit<IsmOptions, 'prefix'>): { hotDays: number; warmDays: number; deleteDays: number } {
  const hotDays = o.hotDays ?? DEFAULT_ISM.hotDays;
  const warmDays = o.warmDays ?? DEFAULT_ISM.warmDays;
  const deleteDays = o.deleteDays ?? hotDays + warmDays;
  for (const [k, v] of Object.entries({ hotDays, warmDays, deleteDays }))
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`ISM ${k} must be a whole number of days >= 0, got ${v}`);
  if (hotDays < 1) throw new RangeError('ISM hot days must be at least 1');
  if (deleteDays < hotDays + warmDays)
    throw new RangeError(`ISM delete age (${deleteDays}d) is before the end of hot + warm (${hotDays}d + ${warmDays}d)`);
  return { hotDays, warmDays, deleteDays };
}

/**
 * The policy body for `PUT _plugins/_ism/policies/<id>`, typed by the client's ISM specification types.
 * @example ismPolicy({ prefix: 'logs', hotDays: 7, warmDays: 23 }).policy.states?.map((s) => s.name) // ['hot', 'warm', 'delete']
 */
export function ismPolicy(o: IsmOptions): { policy: IsmPolicy & { states: IsmState[] } } {
  const { hotDays, warmDays, deleteDays } = ismAges(o);
  const toDelete: IsmTransition = { state_name: 'delete', conditions: { min_index_age: `${deleteDays}d` } };
  const states: IsmState[] = [];
  if (warmDays > 0) {
    const toWarm: IsmTransition = { state_name: 'warm', conditions: { min_index_age: `${hotDays}d` } };
    states.push({ name: 'hot', actions: [], transitions: [toWarm] });
    const actions: IsmAction[] = [];
    if (o.warmReplicas !== undefined) actions.push({ replica_count: { number_of_replicas: o.warmReplicas } });
    actions.push({ force_merge: { max_num_segments: 1 } });
    states.push({ name: 'warm', actions, transitions: [toDelete] });
  } else {
    states.push({ name: 'hot', actions: [], transitions: [toDelete] });
  }
  states.push({ name: 'delete', actions: [{ delete: {} }], transitions: [] });
  return {
    policy: {
      description: `Tributary log retention (${MANAGED_BY}): hot ${hotDays}d${warmDays ? `, warm ${warmDays}d` : ''}, delete at ${deleteDays}d.`,
      default_state: 'hot',
      states,
      // Attaches the policy to every new index matching a dataset pattern, at creation.
      ism_template: [{ index_patterns: datasetPatterns(o.prefix), priority: 100 }],
    },
  };
}
