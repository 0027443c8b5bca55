/**
 * CloudFormation custom resource running `tributary setup` at deploy time (Create/Update apply,
 * Delete is a no-op, CloudFormation always gets an answer). Thin: the logic, its properties and
 * its guarantees are documented in `lib/setup/custom-resource.ts`.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { handleSetupEvent, logger } from '../lib/setup/custom-resource';

export const handler = middy((event: CloudFormationCustomResourceEvent, context: Context) => handleSetupEvent(event, context)).use(
  injectLambdaContext(logger),
);
