/**
 * Amazon OpenSearch endpoints (pure): the Region and service a SigV4 signature must name, read from
 * the endpoint's host name, so a function in one Region can sign for a domain in another (stacks in
 * several Regions feeding one central domain, deploy/README.md "Several Regions, one domain").
 *
 * Documented host names (AWS SDK `DomainStatus.Endpoint(s)`, "Collection endpoints for Amazon
 * OpenSearch Serverless"):
 * - managed domain, public: `search-<domain>-<id>.<region>.es.amazonaws.com`
 * - managed domain, VPC: `vpc-<domain>-<id>.<region>.es.amazonaws.com`
 * - managed domain, dual stack (IPv6): `search-…` / `vpc-…` `.aos.<region>.on.aws`
 * - Serverless collection, classic: `<collection-id>.<region>.aoss.amazonaws.com`
 * - Serverless collection or account endpoint, NextGen: `<id>.aoss.<region>.on.aws`
 * - China Regions: the same under `amazonaws.com.cn`.
 * A custom endpoint (a domain's own DNS name, a proxy) names no Region: the caller then needs one
 * given explicitly (`OPENSEARCH_REGION`, `--os-region`), else the function's own Region.
 */

export type SigningService = 'es' | 'aoss';

/** What an endpoint's host name says about signing for it. */
export interface EndpointSigning {
  region: string;
  service: SigningService;
}

const REGION = '([a-z]{2}(?:-[a-z]+)+-\\d{1,2})';
const PATTERNS: Array<{ re: RegExp; service: SigningService }> = [
  { re: new RegExp(`\\.${REGION}\\.es\\.amazonaws\\.com(?:\\.cn)?$`), service: 'es' },
  { re: new RegExp(`\\.aos\\.${REGION}\\.on\\.aws$`), service: 'es' },
  { re: new RegExp(`\\.${REGION}\\.aoss\\.amazonaws\\.com(?:\\.cn)?$`), service: 'aoss' },
  { re: new RegExp(`\\.aoss\\.${REGION}\\.on\\.aws$`), service: 'aoss' },
];

/**
 * The Region and service of an Amazon OpenSearch endpoint (a URL or a host name), or undefined for
 * any other host.
 * @example endpointSigning('https://search-logs-abc123.eu-west-1.es.amazonaws.com') // { region: 'eu-west-1', service: 'es' }
 * @example endpointSigning('1tg2xudton46knx2a95g.aoss.us-east-1.on.aws') // { region: 'us-east-1', service: 'aoss' }
 */
export function endpointSigning(endpoint: string): EndpointSigning | undefined {
  let host = endpoint.trim().toLowerCase();
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(host)) host = new URL(host).hostname;
  } catch {
    return undefined;
  }
  host = host.replace(/\/.*$/, '').replace(/:\d+$/, '').replace(/\.$/, '');
  for (const { re, service } of PATTERNS) {
    const m = re.exec(host);
    if (m) return { region: m[1], service };
  }
  return undefined;
}

/**
 * The Region to sign for: an explicit one wins, then the endpoint's, then the caller's own.
 * `problem` says why the explicit Region cannot work (it contradicts the endpoint's: the service
 * rejects a signature for another Region).
 * @example signingRegion({ endpoint: 'https://search-logs-abc.eu-west-1.es.amazonaws.com', fallback: 'us-east-1' }) // { region: 'eu-west-1', from: 'endpoint' }
 */
export function signingRegion(o: { explicit?: string; endpoint?: string; fallback?: string }): {
  region?: string;
  from?: 'explicit' | 'endpoint' | 'fallback';
  problem?: string;
} {
  const fromEndpoint = o.endpoint ? endpointSigning(o.endpoint)?.region : undefined;
  if (o.explicit) {
    if (fromEndpoint && fromEndpoint !== o.explicit)
      return { region: o.explicit, from: 'explicit', problem: `the Region ${o.explicit} is not the endpoint's (${fromEndpoint}); leave it unset to sign for ${fromEndpoint}` };
    return { region: o.explicit, from: 'explicit' };
  }
  if (fromEndpoint) return { region: fromEndpoint, from: 'endpoint' };
  return o.fallback ? { region: o.fallback, from: 'fallback' } : {};
}
