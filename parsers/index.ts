/**
 * The parser registry: one parser per source, each in its own file (`parsers/vpcflow.ts` is where
 * a VPC flow line becomes a document). `detect.ts` picks the source when the caller does not say.
 */
import { apigatewayParser, meta as apigatewayMeta } from './apigateway';
import { appParser, meta as appMeta } from './app';
import { auditdParser, meta as auditdMeta } from './auditd';
import { cloudtrailParser, meta as cloudtrailMeta } from './cloudtrail';
import { elbParser, meta as elbMeta } from './elb';
import { lambdaParser, meta as lambdaMeta } from './lambda';
import { SOURCE_IDS, type Parser, type ParserMeta, type SourceId } from './types';
import { meta as vpcflowMeta, vpcflowParser } from './vpcflow';

export const parsers: Record<SourceId, Parser> = {
  cloudtrail: cloudtrailParser,
  vpcflow: vpcflowParser,
  elb: elbParser,
  apigateway: apigatewayParser,
  lambda: lambdaParser,
  auditd: auditdParser,
  app: appParser,
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
};

/** The same, as a list in source order. */
export const parserMetas: readonly ParserMeta[] = SOURCE_IDS.map((id) => parserMeta[id]);

export { detectSource } from './detect';
export * from './types';
