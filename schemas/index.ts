/**
 * The unified event schema: the one source of truth. `npm run generate` writes from it
 * `schemas/generated/document.ts` (the TypeScript type), `event.schema.json` (JSON Schema used to
 * validate every document the tests produce) and `mapping.json` (OpenSearch mappings per component).
 */
import { f, type Group } from './dsl';
import { ecsFields } from './ecs';
import { SOURCE_GROUPS } from './source-list';
import { apigateway } from './sources/apigateway';
import { app } from './sources/app';
import { auditd } from './sources/auditd';
import { cloudfront } from './sources/cloudfront';
import { cloudtrail } from './sources/cloudtrail';
import { config } from './sources/config';
import { elb } from './sources/elb';
import { guardduty } from './sources/guardduty';
import { inspector } from './sources/inspector';
import { lambda } from './sources/lambda';
import { networkfirewall } from './sources/networkfirewall';
import { route53resolver } from './sources/route53resolver';
import { s3access } from './sources/s3access';
import { securityhub } from './sources/securityhub';
import { tributary } from './sources/tributary';
import { vpcflow } from './sources/vpcflow';
import { waf } from './sources/waf';

/** Bump when a change needs new index templates; written to every document as `tributary.schema_version`. */
export const SCHEMA_VERSION = '1';

/** ECS version the field names follow. */
export const ECS_VERSION = '8.11.0';

/** Source-specific groups, so the mapping can be split into one component template per source family. */
export const sourceGroups = SOURCE_GROUPS;

export { SOURCES, SOURCE_IDS, DATASETS, DATASET_VALUES, type SourceId, type Dataset } from './source-list';

export const schema: Group = f.group({
  ...ecsFields,
  aws: f.group({ cloudtrail, vpcflow, elb, apigateway, lambda, securityhub, guardduty, waf, route53resolver, networkfirewall, cloudfront, s3access, inspector, config }, 'AWS source-specific detail.'),
  auditd,
  app,
  tributary,
});
