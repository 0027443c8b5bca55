/**
 * The parser registry: one parser per source, each in its own file (`parsers/vpcflow.ts` is where
 * a VPC flow line becomes a document). `detect.ts` picks the source when the caller does not say.
 */
import { apigatewayParser } from './apigateway';
import { appParser } from './app';
import { auditdParser } from './auditd';
import { cloudtrailParser } from './cloudtrail';
import { elbParser } from './elb';
import { lambdaParser } from './lambda';
import type { Parser, SourceId } from './types';
import { vpcflowParser } from './vpcflow';

export const parsers: Record<SourceId, Parser> = {
  cloudtrail: cloudtrailParser,
  vpcflow: vpcflowParser,
  elb: elbParser,
  apigateway: apigatewayParser,
  lambda: lambdaParser,
  auditd: auditdParser,
  app: appParser,
};

export { detectSource } from './detect';
export * from './types';
