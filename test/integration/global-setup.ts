/**
 * Jest globalSetup of the `integration` project: loads `.cache/services.env` (written by
 * `scripts/services.sh start`; variables already set win) and refuses to run the tier unless OpenSearch
 * and the AWS endpoint (moto) both answer within a few seconds, so a missing server is one clear message
 * rather than a hundred timeouts.
 */
import { START_HINT, SERVICES_ENV_FILE, loadServicesEnv } from '../helpers/services';

const PROBE_TIMEOUT_MS = 5_000;

async function probe(name: string, url: string, check: (res: Response) => Promise<string | null>): Promise<string | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return await check(res);
  } catch (e) {
    return `${name} at ${url} does not answer (${(e as Error).cause ?? (e as Error).message}; waited at most ${PROBE_TIMEOUT_MS / 1000}s)`;
  }
}

export default async function globalSetup(): Promise<void> {
  loadServicesEnv();
  const osUrl = process.env.OPENSEARCH_URL?.replace(/\/+$/, '');
  const awsUrl = process.env.AWS_ENDPOINT_URL?.replace(/\/+$/, '');
  const problems: string[] = [];
  if (!osUrl) problems.push(`OPENSEARCH_URL is not set and ${SERVICES_ENV_FILE} does not provide it`);
  if (!awsUrl) problems.push(`AWS_ENDPOINT_URL is not set and ${SERVICES_ENV_FILE} does not provide it`);

  const checks: Array<Promise<string | null>> = [];
  if (osUrl) {
    checks.push(
      probe('OpenSearch', osUrl, async (res) => {
        const body = (await res.json().catch(() => ({}))) as { version?: { distribution?: string; number?: string } };
        if (!res.ok) return `OpenSearch at ${osUrl} answered HTTP ${res.status}`;
        if (body.version?.distribution !== 'opensearch') return `${osUrl} answers but is not OpenSearch`;
        return null;
      }),
    );
  }
  if (awsUrl) {
    // Any HTTP answer proves the endpoint is up; moto additionally serves /moto-api/.
    checks.push(probe('AWS endpoint (moto)', awsUrl, async () => null));
  }
  for (const p of await Promise.all(checks)) if (p) problems.push(p);

  if (problems.length) {
    throw new Error(
      `The integration tests need a real OpenSearch and moto server:\n  - ${problems.join('\n  - ')}\n${START_HINT}`,
    );
  }
  // The SDK reads these; default them so no test can pick up a developer's real AWS identity.
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  process.env.AWS_REGION ??= 'us-east-1';
}
