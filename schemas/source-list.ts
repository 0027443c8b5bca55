/**
 * The list of sources, declared once: source id → its `event.dataset` and the schema groups that
 * hold its source-specific fields. Everything else derives from it: `SourceId`, `SOURCE_IDS` and
 * `DATASETS` (re-exported by `parsers/types.ts`), the `event.dataset` enum (`ecs.ts`), the
 * `tributary.source` enum (`sources/tributary.ts`) and the per-source mapping components
 * (`sourceGroups` in `index.ts`). The order is the order of the generated enums and components.
 *
 * Adding a source: one entry here, its fields in `sources/<id>.ts`, a parser in `parsers/`.
 */
export const SOURCES = {
  cloudtrail: { dataset: 'aws.cloudtrail', groups: ['aws', 'cloudtrail'] },
  vpcflow: { dataset: 'aws.vpcflow', groups: ['aws', 'vpcflow'] },
  elb: { dataset: 'aws.elb', groups: ['aws', 'elb'] },
  apigateway: { dataset: 'aws.apigateway', groups: ['aws', 'apigateway'] },
  lambda: { dataset: 'aws.lambda', groups: ['aws', 'lambda'] },
  auditd: { dataset: 'linux.audit', groups: ['auditd'] },
  app: { dataset: 'app', groups: ['app'] },
  waf: { dataset: 'aws.waf', groups: ['aws', 'waf'] },
  route53resolver: { dataset: 'aws.route53resolver', groups: ['aws', 'route53resolver'] },
  networkfirewall: { dataset: 'aws.networkfirewall', groups: ['aws', 'networkfirewall'] },
  cloudfront: { dataset: 'aws.cloudfront', groups: ['aws', 'cloudfront'] },
  s3access: { dataset: 'aws.s3access', groups: ['aws', 's3access'] },
  inspector: { dataset: 'aws.inspector', groups: ['aws', 'inspector'] },
  config: { dataset: 'aws.config', groups: ['aws', 'config'] },
  securityhub: { dataset: 'aws.securityhub', groups: ['aws', 'securityhub'] },
  guardduty: { dataset: 'aws.guardduty', groups: ['aws', 'guardduty'] },
} as const;

type Sources = typeof SOURCES;

/** A Tributary source id: which parser handles an event (`tributary.source`). */
export type SourceId = keyof Sources;

/** An `event.dataset` value. */
export type Dataset = Sources[SourceId]['dataset'];

/** Every source id, in declaration order. */
export const SOURCE_IDS = Object.keys(SOURCES) as readonly SourceId[];

/** `event.dataset` of each source. */
export const DATASETS = Object.fromEntries(SOURCE_IDS.map((id) => [id, SOURCES[id].dataset])) as {
  readonly [K in SourceId]: Sources[K]['dataset'];
};

/** Every `event.dataset` value, in source order (the schema's enum). */
export const DATASET_VALUES: readonly Dataset[] = SOURCE_IDS.map((id) => SOURCES[id].dataset);

/** Schema path of each source's own fields: one OpenSearch mapping component per source. */
export const SOURCE_GROUPS = Object.fromEntries(SOURCE_IDS.map((id) => [id, SOURCES[id].groups])) as {
  readonly [K in SourceId]: Sources[K]['groups'];
};
