/**
 * Invoking Lambda functions: the replay function re-invoking itself (`Event`), and the CLI driving the
 * replay function page by page (`RequestResponse`).
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { lazyObject } from './lazy';

export type { LambdaClient };

// The SDK module, loaded by the first Lambda call (see lib/io/lazy.ts).
const lambdaSdk = (): typeof import('@aws-sdk/client-lambda') => require('@aws-sdk/client-lambda');

/** A client from the standard SDK environment (region, endpoint, credentials), built on first use. */
export const createLambdaClient = (): LambdaClient => lazyObject(() => new (lambdaSdk().LambdaClient)({}));

/**
 * Invokes a function with a JSON payload. `RequestResponse` resolves with its JSON answer and rejects
 * when the function failed; `Event` resolves once Lambda accepted the invocation.
 * @example await invokeFunction(createLambdaClient(), 'tributary-prod-replay', { archive: 's3://central-logs', since: '7d', until: 'now' })
 */
export async function invokeFunction<T = unknown>(
  client: LambdaClient,
  functionName: string,
  payload: unknown,
  type: 'RequestResponse' | 'Event' = 'RequestResponse',
): Promise<T | undefined> {
  const res = await client.send(new (lambdaSdk().InvokeCommand)({ FunctionName: functionName, InvocationType: type, Payload: Buffer.from(JSON.stringify(payload)) }));
  if (type === 'Event') return undefined;
  const text = res.Payload ? Buffer.from(res.Payload).toString('utf8') : '{}';
  if (res.FunctionError) throw new Error(`${functionName} failed: ${text}`);
  return JSON.parse(text) as T;
}
