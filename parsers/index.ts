/**
 * The parser registry: one parser per source, each in its own file (`parsers/vpcflow.ts` is where
 * a VPC flow line becomes a document). `detect.ts` picks the source when the caller does not say.
 */
import { apigatewayParser, meta as apigatewayMeta } from './apigateway';
import { appParser, meta as appMeta } from './app';
import { auditdParser, meta as auditdMeta } from './auditd';
import { cloudfrontParser, meta as cloudfrontMeta } from './cloudfront';
import { cloudtrailParser, meta as cloudtrailMeta } from './cloudtrail';
import { configParser, meta as configMeta } from './config';
import { elbParser, meta as elbMeta } from './elb';
import { guarddutyParser, meta as guarddutyMeta } from './guardduty';
import { inspectorParser, meta as inspectorMeta } from './inspector';
import { lambdaParser, meta as lambdaMeta } from './lambda';
import { meta as networkfirewallMeta, networkfirewallParser } from './networkfirewall';
import { meta as route53resolverMeta, route53resolverParser } from './route53resolver';
import { meta as s3accessMeta, s3accessParser } from './s3access';
import { meta as securityhubMeta, securityhubParser } from './securityhub';
import { SOURCE_IDS, type Parser, type ParserMeta, type SourceId } from './types';
import { meta as vpcflowMeta, vpcflowParser } from './vpcflow';
import { meta as wafMeta, wafParser } from './waf';

export const parsers: Record<SourceId, Parser> = {
  cloudtrail: cloudtrailParser,
  vpcflow: vpcflowParser,
  elb: elbParser,
  apigateway: apigatewayParser,
  lambda: lambdaParser,
  auditd: auditdParser,
  app: appParser,
  waf: wafParser,
  route53resolver: route53resolverParser,
  networkfirewall: networkfirewallParser,
  cloudfront: cloudfrontParser,
  s3access: s3accessParser,
  securityhub: securityhubParser,
  guardduty: guarddutyParser,
  inspector: inspectorParser,
  config: configParser,
};

/** Each parser's own documentation: source, format docs, examples (run as tests in test/unit/parser-meta.test.ts). */
export const parserMeta: Record<SourceId, ParserMeta> = {
  cloudtrail: cloudtrailMeta,
  vpcflow: vpcflowMeta,
  elb: elbMeta,
  apigateway: apigatewayMeta,
  lambda: lambdaMeta,
  auditd: auditdMeta,
  app: appMeta,
  waf: wafMeta,
  route53resolver: route53resolverMeta,
  networkfirewall: networkfirewallMeta,
  cloudfront: cloudfrontMeta,
  s3access: s3accessMeta,
  securityhub: securityhubMeta,
  guardduty: guarddutyMeta,
  inspector: inspectorMeta,
  config: configMeta,
};

/** The same, as a list in source order. */
export const parserMetas: readonly ParserMeta[] = SOURCE_IDS.map((id) => parserMeta[id]);

export { detectSource } from './detect';
export * from './types';
