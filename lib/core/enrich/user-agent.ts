/**
 * `user_agent.original` → ECS `user_agent.name`, `.version`, `.os.*`, `.device.name`.
 *
 * Two readers: AWS tools first, then a browser parser passed in (ua-parser-js 1.x, MIT, wired by
 * `lib/io/enrich.ts`; lib/core imports no package). Why AWS tools are recognized here: most CloudTrail
 * user agents are not browsers but `aws-cli/2.15.0 Python/3.11.6 Linux/5.15.0 ...`,
 * `Boto3/1.34.0 md/Botocore#1.34.0 ...`, `aws-sdk-java/2.20.0 ...`, `Terraform/1.5.0 ...`,
 * `console.amazonaws.com` or `AWS Internal`; a browser parser knows none of them (it reports nothing,
 * or a wrong "browser"), and which tool and version made a call is exactly what an investigation asks.
 *
 * Bounded: strings longer than `maxLength` are not parsed at all (the regular expressions of a
 * browser parser are the cost; no real user agent is that long), and results are kept in a bounded
 * cache (`./lru.ts`): user agents repeat heavily (a fleet runs a handful of SDK versions, a site's visitors a
 * few dozen browsers), so most documents cost one map lookup (hit rates in `npm run bench`).
 */

import { Lru } from './lru';

/** ECS `user_agent` fields this step fills (`original` is the parser's). */
export interface UserAgentInfo {
  name?: string;
  version?: string;
  os?: { name?: string; version?: string; full?: string };
  device?: { name?: string };
}

/** A browser user-agent parser (ua-parser-js `getResult()` shape, reduced to what ECS keeps). */
export type BrowserParser = (ua: string) => UserAgentInfo;

/** Default longest user agent parsed (characters). */
export const UA_MAX_LENGTH = 1024;
/** Default cache entries. */
export const UA_CACHE_SIZE = 2048;

/**
 * AWS tools and SDKs by the product token that starts their user agent (lower case). The value is
 * the name reported; the version is the token's.
 */
const AWS_PRODUCTS: Readonly<Record<string, string>> = {
  'aws-cli': 'aws-cli',
  boto3: 'Boto3',
  botocore: 'Botocore',
  'aws-sdk-java': 'aws-sdk-java',
  'aws-sdk-js': 'aws-sdk-js',
  'aws-sdk-nodejs': 'aws-sdk-js',
  'aws-sdk-go': 'aws-sdk-go',
  'aws-sdk-go-v2': 'aws-sdk-go-v2',
  'aws-sdk-dotnet-coreclr': 'aws-sdk-dotnet',
  'aws-sdk-dotnet-framework': 'aws-sdk-dotnet',
  'aws-sdk-dotnet': 'aws-sdk-dotnet',
  'aws-sdk-ruby3': 'aws-sdk-ruby',
  'aws-sdk-ruby2': 'aws-sdk-ruby',
  'aws-sdk-php': 'aws-sdk-php',
  'aws-sdk-rust': 'aws-sdk-rust',
  'aws-sdk-cpp': 'aws-sdk-cpp',
  'aws-sdk-kotlin': 'aws-sdk-kotlin',
  'aws-sdk-swift': 'aws-sdk-swift',
  'aws-powershell': 'AWS Tools for PowerShell',
  'aws-cdk': 'aws-cdk',
  'aws-sam-cli': 'aws-sam-cli',
  's3console': 'S3 Console',
  'aws-internal': 'AWS Internal',
  terraform: 'Terraform',
  'terraform-provider-aws': 'Terraform',
  'aws-cloudformation': 'AWS CloudFormation',
};

/** Operating system names as the tools write them → as ECS examples spell them. */
const OS_NAMES: Readonly<Record<string, string>> = { linux: 'Linux', darwin: 'Darwin', macos: 'macOS', windows: 'Windows', win32: 'Windows', android: 'Android', ios: 'iOS' };

function os(name: string, version: string | undefined): UserAgentInfo['os'] {
  const n = OS_NAMES[name.toLowerCase()] ?? name;
  return version ? { name: n, version, full: `${n} ${version}` } : { name: n, full: n };
}

/** The operating system an AWS tool names: `os/linux#5.10`, `Linux/5.15.0-1051-aws`, `(go1.20; linux; amd64)`. */
function awsOs(ua: string): UserAgentInfo['os'] | undefined {
  const md = /(?:^|\s)os\/([A-Za-z0-9_.-]+)(?:#([^\s]+))?/.exec(ua);
  if (md) return os(md[1], md[2]);
  const classic = /(?:^|\s)(Linux|Darwin|Windows|Windows_NT|Mac_OS_X|Windows_\d+)\/([^\s]+)/.exec(ua);
  if (classic) return os(classic[1].replace(/_.*$/, ''), classic[2]);
  const go = /\(go[\d.]+; ([a-z]+); [a-z0-9_]+\)/.exec(ua);
  if (go) return os(go[1], undefined);
  return undefined;
}

/**
 * An AWS tool, SDK or service named by the user agent, or undefined. CloudTrail sometimes wraps the
 * user agent in brackets (`[aws-cli/2.15.0 ...]`) and AWS services call with their own host name.
 * @example awsUserAgent('aws-cli/2.15.0 Python/3.11.6 Linux/5.15.0-1051-aws exe/x86_64.ubuntu.22 prompt/off command/s3.ls') // { name: 'aws-cli', version: '2.15.0', os: { name: 'Linux', version: '5.15.0-1051-aws', full: 'Linux 5.15.0-1051-aws' } }
 * @example awsUserAgent('console.amazonaws.com') // { name: 'AWS Management Console' }
 */
export function awsUserAgent(original: string): UserAgentInfo | undefined {
  const ua = original.trim().replace(/^\[/, '').replace(/\]$/, '');
  const lower = ua.toLowerCase();
  if (lower === 'console.amazonaws.com' || lower === 'signin.amazonaws.com' || lower.startsWith('aws-console-') || lower.startsWith('aws-console ')) return { name: 'AWS Management Console' };
  if (lower === 'aws internal' || lower.startsWith('aws internal/')) return { name: 'AWS Internal' };
  // A service principal as user agent: `lambda.amazonaws.com`, `cloudformation.amazonaws.com`.
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/.test(lower)) return { name: lower };
  const tokens = ua.split(/\s+/, 24);
  for (const [i, token] of tokens.entries()) {
    const slash = token.indexOf('/');
    if (slash <= 0) continue;
    const product = token.slice(0, slash).toLowerCase();
    const name = AWS_PRODUCTS[product];
    // Only the first token names the tool (later ones are its runtime and libraries: `Botocore/…`
    // behind `aws-cli/…`), except Terraform, which puts `APN/1.0 HashiCorp/1.0` before its own.
    if (!name || (i > 0 && name !== 'Terraform')) continue;
    // aws-internal/3 followed by the SDK it used: the caller is AWS itself.
    if (product === 'aws-internal') return { name: 'AWS Internal' };
    const version = token.slice(slash + 1).replace(/[,;)]+$/, '');
    const info: UserAgentInfo = { name };
    if (version && /^[\w.+-]{1,64}$/.test(version)) info.version = version;
    const system = awsOs(ua);
    if (system) info.os = system;
    return info;
  }
  return undefined;
}

/** Reads user agents within the bounds, with a bounded cache of recent ones. */
export interface UserAgentReader {
  /** The fields for this user agent, or undefined (too long, or nothing recognized). Callers must not mutate the result. */
  read(ua: string): Readonly<UserAgentInfo> | undefined;
  readonly stats: { hits: number; misses: number; skipped: number };
}

/**
 * The product token of a non-browser client that names itself first (`curl/8.5.0`,
 * `python-requests/2.31.0`, `Go-http-client/1.1`, `ELB-HealthChecker/2.0`), which browser parsers
 * leave unnamed. Not for `Mozilla/…`: that token names no product.
 * @example productToken('curl/8.5.0') // { name: 'curl', version: '8.5.0' }
 */
export function productToken(ua: string): { name: string; version: string } | undefined {
  const m = /^([A-Za-z][\w.+-]{0,63})\/([\w.+-]{1,64})(?:\s|$)/.exec(ua);
  return m && m[1] !== 'Mozilla' ? { name: m[1], version: m[2] } : undefined;
}

function empty(info: UserAgentInfo): boolean {
  return !info.name && !info.version && !info.os?.name && !info.device?.name;
}

/**
 * A cached reader: AWS tools first, then the browser parser (a throwing parser counts as nothing
 * recognized: it must never fail a document), then the product token of other clients.
 * @example userAgentReader((ua) => ({ name: ua.startsWith('curl/') ? 'curl' : undefined })).read('curl/8.5.0') // { name: 'curl' }
 */
export function userAgentReader(browser: BrowserParser | undefined, options: { maxLength?: number; cacheSize?: number } = {}): UserAgentReader {
  const maxLength = options.maxLength ?? UA_MAX_LENGTH;
  const cache = new Lru<string, UserAgentInfo | null>(Math.max(0, options.cacheSize ?? UA_CACHE_SIZE));
  const stats = { hits: 0, misses: 0, skipped: 0 };
  const parse = (ua: string): UserAgentInfo | null => {
    const aws = awsUserAgent(ua);
    if (aws) return aws;
    let info: UserAgentInfo = {};
    try {
      if (browser) info = browser(ua);
    } catch {
      info = {};
    }
    if (!info.name) {
      const product = productToken(ua);
      if (product) info = { ...info, name: product.name, version: product.version };
    }
    return empty(info) ? null : info;
  };
  return {
    stats,
    read(ua) {
      if (ua.length === 0 || ua.length > maxLength) {
        stats.skipped++;
        return undefined;
      }
      const info = cache.get(ua, parse);
      stats.hits = cache.hits;
      stats.misses = cache.misses;
      return info ?? undefined;
    },
  };
}
