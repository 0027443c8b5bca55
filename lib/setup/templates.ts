/**
 * Component and composable index templates, built from `schemas/generated/mappings.json` (never
 * from a copy of it), so a schema change reaches the cluster by re-running `tributary setup`.
 *
 * Upgrading the schema: bump `SCHEMA_VERSION`, run `npm run generate`, then `tributary setup`.
 * Setup PUTs the changed component templates and the index templates (their `_meta` carries the
 * schema version). Nothing touches existing indices: an index keeps the mapping it was created
 * with, the next daily index (`logs-<dataset>-YYYY.MM.DD`, created by the first write of the day)
 * picks up the new templates, and old indices age out through the ISM policy. Because every
 * mapping is additive (`dynamic: false`, fields are only ever added), a query over
 * `logs-<dataset>-*` spans old and new indices; a field that is new in this version is simply
 * absent from older indices. To make a past day searchable by a new field, reindex it (or replay
 * its S3 archive with `tributary replay`) into a fresh index.
 */
import mappingsJson from '../../schemas/generated/mappings.json';
import { SCHEMA_VERSION, sourceGroups } from '../../schemas/index';
import { DATASETS, type SourceId } from '../../parsers/types';
import { indexPattern } from '../core/indices';

export type Mappings = Record<string, Record<string, unknown>>;

/** The generated mappings, as committed: `base` plus one component per source family. */
export const generatedMappings: Mappings = mappingsJson as Mappings;

export interface TemplateOptions {
  /** Index prefix, `logs` by default (indices are `<prefix>-<dataset>-YYYY.MM.DD`). */
  prefix: string;
  /** Primary shards of each daily index. One is right below ~30 GB a day per source. */
  shards?: number;
  /**
   * Replicas: `auto` (default) is `auto_expand_replicas: 0-1`, i.e. one replica when the cluster
   * has a second data node and none on a single-node dev cluster (which would otherwise stay yellow).
   */
  replicas?: number | 'auto';
  /** Refresh interval. Log search tolerates 30 s of delay and bulk indexing is much cheaper for it. */
  refreshInterval?: string;
  /** Bound on mapped fields per index; the schema is far below it, dynamic mapping is off. */
  totalFieldsLimit?: number;
  /** Index template priority; above OpenSearch's built-in `logs-*` style templates (100). */
  priority?: number;
  /**
   * OpenSearch Serverless manages shards, replicas, refresh and codec itself and rejects those
   * settings: templates then carry mappings only.
   */
  serverless?: boolean;
}

export const DEFAULT_TEMPLATE_OPTIONS = {
  shards: 1,
  replicas: 'auto' as number | 'auto',
  refreshInterval: '30s',
  totalFieldsLimit: 2000,
  priority: 200,
};

/** Marks everything setup owns, so a re-run recognises its objects and an operator can find them. */
export const MANAGED_BY = 'tributary';

/** Every dataset with the source family whose component template it composes. */
export const DATASET_SOURCES: [dataset: string, source: SourceId][] = (Object.entries(DATASETS) as [SourceId, string][]).map(
  ([source, dataset]) => [dataset, source],
);

export const baseComponentName = (prefix: string) => `${prefix}-base`;
export const sourceComponentName = (prefix: string, source: string) => `${prefix}-${source}`;
export const indexTemplateName = (prefix: string, dataset: string) => `${prefix}-${dataset}`;

/** Every index pattern setup manages (one per dataset). */
export function datasetPatterns(prefix: string): string[] {
  return DATASET_SOURCES.map(([dataset]) => indexPattern(dataset, prefix));
}

function countFields(node: unknown): number {
  if (!node || typeof node !== 'object') return 0;
  const props = (node as { properties?: Record<string, unknown> }).properties;
  if (!props) return 1;
  let n = 0;
  for (const child of Object.values(props)) n += 1 + countFields(child);
  return n;
}

/** Component templates: `<prefix>-base` (ECS + `tributary.*`, with the index settings) and one per source family. */
export function componentTemplates(options: TemplateOptions, mappings: Mappings = generatedMappings): Record<string, unknown> {
  const o = { ...DEFAULT_TEMPLATE_OPTIONS, ...options };
  const expected = ['base', ...Object.keys(sourceGroups)];
  const missing = expected.filter((k) => !mappings[k]);
  if (missing.length) throw new Error(`mappings.json lacks components ${missing.join(', ')}: run npm run generate`);
  const fields = expected.reduce((n, k) => n + countFields(mappings[k]), 0);
  if (fields > o.totalFieldsLimit) throw new Error(`the schema maps ${fields} fields, above total_fields.limit ${o.totalFieldsLimit}`);

  const index: Record<string, unknown> = {
    number_of_shards: o.shards,
    refresh_interval: o.refreshInterval,
    codec: 'best_compression',
    mapping: { total_fields: { limit: o.totalFieldsLimit } },
  };
  if (o.replicas === 'auto') index.auto_expand_replicas = '0-1';
  else index.number_of_replicas = o.replicas;

  const meta = { managed_by: MANAGED_BY, tributary_schema_version: SCHEMA_VERSION };
  const out: Record<string, unknown> = {
    [baseComponentName(o.prefix)]: { template: o.serverless ? { mappings: mappings.base } : { settings: { index }, mappings: mappings.base }, _meta: meta },
  };
  for (const source of Object.keys(sourceGroups)) {
    out[sourceComponentName(o.prefix, source)] = { template: { mappings: mappings[source] }, _meta: meta };
  }
  return out;
}

/** One composable index template per dataset: `<prefix>-<dataset>-*` = base + the dataset's source component. */
export function indexTemplates(options: TemplateOptions): Record<string, unknown> {
  const o = { ...DEFAULT_TEMPLATE_OPTIONS, ...options };
  const out: Record<string, unknown> = {};
  for (const [dataset, source] of DATASET_SOURCES) {
    out[indexTemplateName(o.prefix, dataset)] = {
      index_patterns: [indexPattern(dataset, o.prefix)],
      composed_of: [baseComponentName(o.prefix), sourceComponentName(o.prefix, source)],
      priority: o.priority,
      _meta: { managed_by: MANAGED_BY, tributary_schema_version: SCHEMA_VERSION, dataset },
    };
  }
  return out;
}
