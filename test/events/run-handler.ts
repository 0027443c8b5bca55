/**
 * Invokes one Lambda handler in a real Node process, like `serverless invoke local`:
 * `npx tsx test/events/run-handler.ts <transform|s3ingest|indexer> <event.json>`. Prints the logs
 * and EMF lines the handler writes, then `__RESULT__ <json>` (or `__ERROR__ <message>`).
 * Tests use it because `@middy/core` is ESM-only, which Jest's CommonJS runtime cannot load.
 */
import { readFileSync } from 'node:fs';

const [fn, file] = process.argv.slice(2);
const context = {
  functionName: `tributary-${fn}`,
  functionVersion: '$LATEST',
  awsRequestId: 'local-request',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:tributary-${fn}`,
  memoryLimitInMB: '1024',
  // TRIBUTARY_TEST_REMAINING_MS: an invocation already near its end (deadline tests).
  getRemainingTimeInMillis: () => Number(process.env.TRIBUTARY_TEST_REMAINING_MS ?? 300_000),
};

(async () => {
  try {
    const { handler } = require(`../../handlers/${fn}`) as { handler: (e: unknown, c: unknown) => Promise<unknown> };
    const result = await handler(JSON.parse(readFileSync(file, 'utf8')), context);
    process.stdout.write(`__RESULT__ ${JSON.stringify(result)}\n`);
  } catch (e) {
    process.stdout.write(`__ERROR__ ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
})();
