/**
 * Deterministic generator of realistic AWS logs, per source, in the exact formats AWS writes them
 * (see ../shared/docs or the AWS docs cited below). The same seed always gives the same bytes, so
 * `npm start` is repeatable (a second run indexes the same ids) and `npm run bench` measures the
 * same data every time.
 *
 * Formats:
 * - VPC Flow Logs: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
 * - ALB: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
 * - CloudTrail: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * - Lambda: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
 * - API Gateway: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
 * - Linux audit: https://github.com/linux-audit/audit-documentation/wiki/SPEC-Writing-Good-Events
 */
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsPayload, FirehoseTransformEvent } from '../lib/core/envelopes';

/** A small, fast, seedable PRNG (mulberry32): no dependency, identical output on every platform. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)];
    return s;
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${this.hex(3)}-${this.hex(12)}`;
  }
  privateIp(): string {
    return `10.${this.int(0, 3)}.${this.int(0, 255)}.${this.int(1, 254)}`;
  }
  publicIp(): string {
    return `${this.pick([52, 54, 18, 3, 34, 198, 203, 185])}.${this.int(0, 255)}.${this.int(0, 255)}.${this.int(1, 254)}`;
  }
}

export const ACCOUNTS = ['111122223333', '444455556666'] as const;
export const REGIONS = ['us-east-1', 'eu-west-1'] as const;

const iso = (ms: number) => new Date(ms).toISOString();

/** One raw log event with its time (epoch ms), as CloudWatch Logs would carry it. */
export interface SampleEvent {
  timestamp: number;
  message: string;
}

/** VPC Flow Logs default (v2) records. */
export function vpcFlowV2(rng: Rng, n: number, start: number, account: string = ACCOUNTS[0]): SampleEvent[] {
  const enis = Array.from({ length: 8 }, () => `eni-0${rng.hex(16)}`);
  const out: SampleEvent[] = [];
  for (let i = 0; i < n; i++) {
    const t = Math.floor((start + i * 50) / 1000);
    if (rng.chance(0.02)) {
      out.push({ timestamp: t * 1000, message: `2 ${account} ${rng.pick(enis)} - - - - - - - ${t} ${t + 60} - NODATA` });
      continue;
    }
    const inbound = rng.chance(0.5);
    const src = inbound ? rng.publicIp() : rng.privateIp();
    const dst = inbound ? rng.privateIp() : rng.publicIp();
    const proto = rng.pick([6, 6, 6, 17, 1]);
    const dport = proto === 1 ? 0 : rng.pick([443, 443, 80, 22, 3389, 53, 5432, 8080]);
    const sport = proto === 1 ? 0 : rng.int(1024, 65535);
    const packets = rng.int(1, 400);
    const action = dport === 22 || dport === 3389 ? (rng.chance(0.8) ? 'REJECT' : 'ACCEPT') : rng.chance(0.05) ? 'REJECT' : 'ACCEPT';
    out.push({
      timestamp: t * 1000,
      message: `2 ${account} ${rng.pick(enis)} ${src} ${dst} ${sport} ${dport} ${proto} ${packets} ${packets * rng.int(40, 1500)} ${t} ${t + rng.int(1, 60)} ${action} OK`,
    });
  }
  return out;
}

/** The v5 custom format used by `vpcFlowV5` (as an S3 header line writes it). */
export const VPC_V5_FIELDS =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path';

/** VPC Flow Logs v5 records in the custom format above (first line: the S3 header). */
export function vpcFlowV5(rng: Rng, n: number, start: number, account: string = ACCOUNTS[0], region: string = REGIONS[0]): string[] {
  const lines = [VPC_V5_FIELDS];
  const vpc = `vpc-0${rng.hex(16)}`;
  const subnet = `subnet-0${rng.hex(16)}`;
  for (let i = 0; i < n; i++) {
    const t = Math.floor((start + i * 50) / 1000);
    const egress = rng.chance(0.5);
    const src = egress ? rng.privateIp() : rng.publicIp();
    const dst = egress ? rng.publicIp() : rng.privateIp();
    const packets = rng.int(1, 300);
    const svc = rng.chance(0.2) ? rng.pick(['AMAZON', 'S3', 'DYNAMODB']) : '-';
    lines.push(
      [5, account, `eni-0${rng.hex(16)}`, src, dst, rng.int(1024, 65535), rng.pick([443, 80, 22]), 6, packets, packets * 512, t, t + 30,
        rng.chance(0.9) ? 'ACCEPT' : 'REJECT', 'OK', vpc, subnet, `i-0${rng.hex(16)}`, rng.pick([2, 18, 19, 3]), 'IPv4', src, dst, region,
        `use1-az${rng.int(1, 6)}`, '-', '-', egress ? '-' : svc, egress ? svc : '-', egress ? 'egress' : 'ingress', egress ? rng.int(1, 8) : '-'].join(' '),
    );
  }
  return lines;
}

/** Application Load Balancer access log lines (all documented fields, in order). */
export function albLines(rng: Rng, n: number, start: number, account: string = ACCOUNTS[0], region: string = REGIONS[0]): string[] {
  const lb = `app/orders-alb/${rng.hex(16)}`;
  const tg = `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/orders-tg/${rng.hex(16)}`;
  const paths = ['/api/orders', '/api/orders/42', '/api/cart', '/health', '/login', '/static/app.js', '/api/search?q=shoes'];
  const agents = [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    'curl/8.4.0',
    'okhttp/4.12.0',
    'ELB-HealthChecker/2.0',
  ];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * 20;
    const type = rng.pick(['https', 'https', 'https', 'h2', 'http']);
    const status = rng.pick([200, 200, 200, 200, 201, 204, 301, 304, 400, 403, 404, 500, 502, 503]);
    const failedTarget = status === 502 || status === 503;
    const method = rng.pick(['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE']);
    const path = rng.pick(paths);
    const proto = type === 'h2' ? 'HTTP/2.0' : 'HTTP/1.1';
    const scheme = type === 'http' ? 'http' : 'https';
    const port = type === 'http' ? 80 : 443;
    const target = failedTarget ? '-' : `${rng.privateIp()}:8080`;
    const reqProc = failedTarget ? '-1' : '0.000';
    const tproc = failedTarget ? '-1' : (rng.int(1, 900) / 1000).toFixed(3);
    const tls = type === 'http' ? '- -' : 'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2';
    out.push(
      `${type} ${iso(t + 5)} ${lb} ${rng.publicIp()}:${rng.int(1024, 65535)} ${target} ${reqProc} ${tproc} ${failedTarget ? '-1' : '0.000'} ${status} ${failedTarget ? '-' : status} ${rng.int(80, 2000)} ${rng.int(100, 50000)} "${method} ${scheme}://orders.example.com:${port}${path} ${proto}" "${rng.pick(agents)}" ${tls} ${tg} "Root=1-${Math.floor(t / 1000).toString(16)}-${rng.hex(24)}" "orders.example.com" "arn:aws:acm:${region}:${account}:certificate/${rng.uuid()}" ${rng.int(1, 5)} ${iso(t)} "forward" "-" "${failedTarget ? 'TargetConnectionError' : '-'}" "${target}" "${failedTarget ? '-' : status}" "-" "-" TID_${rng.hex(32)}`,
    );
  }
  return out;
}

interface Identity {
  type: string;
  json: Record<string, unknown>;
}

function identities(rng: Rng, account: string): Identity[] {
  return [
    { type: 'IAMUser', json: { type: 'IAMUser', principalId: 'AIDA' + rng.hex(16).toUpperCase(), arn: `arn:aws:iam::${account}:user/alice`, accountId: account, accessKeyId: 'AKIA' + rng.hex(16).toUpperCase(), userName: 'alice' } },
    { type: 'IAMUser', json: { type: 'IAMUser', principalId: 'AIDA' + rng.hex(16).toUpperCase(), arn: `arn:aws:iam::${account}:user/bob`, accountId: account, accessKeyId: 'AKIA' + rng.hex(16).toUpperCase(), userName: 'bob' } },
    {
      type: 'AssumedRole',
      json: {
        type: 'AssumedRole', principalId: `AROA${rng.hex(16).toUpperCase()}:deploy-session`, arn: `arn:aws:sts::${account}:assumed-role/DeployRole/deploy-session`,
        accountId: account, accessKeyId: 'ASIA' + rng.hex(16).toUpperCase(),
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: 'AROA' + rng.hex(16).toUpperCase(), arn: `arn:aws:iam::${account}:role/DeployRole`, accountId: account, userName: 'DeployRole' },
          attributes: { creationDate: '2026-03-01T08:00:00Z', mfaAuthenticated: 'false' },
        },
      },
    },
    { type: 'Root', json: { type: 'Root', principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account, accessKeyId: '' } },
    { type: 'AWSService', json: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' } },
  ];
}

/** CloudTrail records (as JSON strings): reads, writes, sign-ins, errors and the security events the detections look for. */
export function cloudTrailRecords(rng: Rng, n: number, start: number, account: string = ACCOUNTS[0], region: string = REGIONS[0]): string[] {
  const ids = identities(rng, account);
  const calls: Array<[string, string, boolean, Record<string, unknown> | null]> = [
    ['s3.amazonaws.com', 'GetObject', true, { bucketName: 'orders-data', key: 'exports/2026/03/01.csv' }],
    ['s3.amazonaws.com', 'PutObject', false, { bucketName: 'orders-data', key: 'uploads/x.json' }],
    ['ec2.amazonaws.com', 'DescribeInstances', true, { instancesSet: {}, filterSet: {} }],
    ['ec2.amazonaws.com', 'RunInstances', false, { instanceType: 't3.micro', minCount: 1, maxCount: 1 }],
    ['sts.amazonaws.com', 'AssumeRole', true, { roleArn: `arn:aws:iam::${account}:role/DeployRole`, roleSessionName: 'deploy-session' }],
    ['iam.amazonaws.com', 'CreateAccessKey', false, { userName: 'bob' }],
    ['iam.amazonaws.com', 'PutUserPolicy', false, { userName: 'bob', policyName: 'inline', policyDocument: '{"Version":"2012-10-17"}' }],
    ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', false, { groupId: 'sg-0123456789abcdef0', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } }],
    ['cloudtrail.amazonaws.com', 'StopLogging', false, { name: `arn:aws:cloudtrail:${region}:${account}:trail/org-trail` }],
    ['kms.amazonaws.com', 'Decrypt', true, null],
  ];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * 100;
    const r = rng.next();
    const base = {
      eventVersion: '1.09',
      eventTime: iso(t).replace(/\.\d{3}Z$/, 'Z'),
      awsRegion: region,
      sourceIPAddress: rng.publicIp(),
      userAgent: rng.pick(['aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64', 'Boto3/1.34.0 md/Botocore#1.34.0', 'console.amazonaws.com']),
      requestID: rng.uuid(),
      eventID: rng.uuid(),
      recipientAccountId: account,
    };
    if (r < 0.08) {
      const idn = rng.pick([ids[0], ids[1], ids[3]]);
      const mfa = rng.chance(0.5) ? 'Yes' : 'No';
      const ok = rng.chance(0.85);
      out.push(JSON.stringify({
        ...base, awsRegion: 'us-east-1', userIdentity: idn.json, eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin',
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 Safari/605.1.15',
        requestParameters: null, responseElements: { ConsoleLogin: ok ? 'Success' : 'Failure' },
        additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: mfa },
        ...(ok ? {} : { errorMessage: 'Failed authentication' }),
        eventType: 'AwsConsoleSignIn', managementEvent: true, eventCategory: 'Management',
      }));
      continue;
    }
    const [src, name, readOnly, params] = rng.pick(calls);
    const idn = name === 'Decrypt' ? ids[4] : rng.pick(ids.slice(0, 4));
    const denied = idn.type !== 'AWSService' && rng.chance(0.1);
    out.push(JSON.stringify({
      ...base, userIdentity: idn.json, eventSource: src, eventName: name,
      ...(idn.type === 'AWSService' ? { sourceIPAddress: 'ec2.amazonaws.com', userAgent: 'ec2.amazonaws.com' } : {}),
      ...(denied ? { errorCode: 'AccessDenied', errorMessage: `User: ${String(idn.json.arn)} is not authorized to perform: ${src.split('.')[0]}:${name}` } : {}),
      requestParameters: params, responseElements: null, readOnly, eventType: 'AwsApiCall', managementEvent: true, eventCategory: 'Management',
      ...(idn.type !== 'AWSService' ? { tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${src.split('.')[0]}.${region}.amazonaws.com` } } : {}),
    }));
  }
  return out;
}

/**
 * Fake secrets planted in the samples, as real logs leak them (a function printing its environment, a
 * bearer token and a session cookie in WAF's request headers, a password in a logged URL), so `npm start`
 * shows redaction at work and a test can check no archive document keeps them (`lib/core/redact.ts`).
 * Fixed strings, no random draws: planting them changes no other sample value.
 */
export const PLANTED_SECRETS = {
  sessionToken:
    'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDmvA5+4uUuMxLm0jDkJ3cvVE6hGdHYnJZ1OC8NvWkwXwIgUkH1ZXNhbXBsZS1zZXNzaW9uLXRva2VuLWZvci10cmlidXRhcnk=',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  jwt: 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImlzcyI6Im9yZGVycyIsImV4cCI6MTc3MzAwMzYwMH0.c2FtcGxlLXNpZ25hdHVyZS1ub3QtYS1yZWFsLW9uZQ',
  cookie: 'f3a9c2d4e5b6a7980112233445566778',
  password: 'Tr0ub4dor-and-3',
} as const;

/** Lambda log lines of Node.js invocations: START, runtime lines, END, REPORT; some errors and timeouts. */
export function lambdaLines(rng: Rng, invocations: number, start: number): SampleEvent[] {
  const out: SampleEvent[] = [];
  let t = start;
  for (let i = 0; i < invocations; i++) {
    const id = rng.uuid();
    const timeout = rng.chance(0.03);
    const error = !timeout && rng.chance(0.05);
    out.push({ timestamp: t, message: `START RequestId: ${id} Version: $LATEST\n` });
    const info = `${iso(t + 2)}\t${id}\tINFO\tProcessing order ${rng.int(1000, 99999)} for customer ${rng.hex(8)}\n`;
    // The first invocation prints its credentials, as a debug line dumping process.env does.
    const leak = `${iso(t + 2)}\t${id}\tDEBUG\tenv AWS_ACCESS_KEY_ID=ASIAQNZGKIQY56JQ7WML AWS_SECRET_ACCESS_KEY=${PLANTED_SECRETS.secretAccessKey} AWS_SESSION_TOKEN=${PLANTED_SECRETS.sessionToken} AWS_REGION=us-east-1\n`;
    out.push({ timestamp: t + 2, message: i === 0 ? leak : info });
    if (rng.chance(0.2)) out.push({ timestamp: t + 40, message: `${iso(t + 40)}\t${id}\tWARN\tInventory service slow: ${rng.int(500, 3000)} ms\n` });
    if (error)
      out.push({
        timestamp: t + 80,
        message: `${iso(t + 80)}\t${id}\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading 'id')","stack":["TypeError: Cannot read properties of undefined (reading 'id')","    at handler (/var/task/index.js:12:25)","    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)"]}\n`,
      });
    const duration = timeout ? 3000 : rng.int(20, 900) + rng.int(0, 99) / 100;
    if (timeout) out.push({ timestamp: t + 3000, message: `${iso(t + 3000)} ${id} Task timed out after 3.00 seconds\n\n` });
    out.push({ timestamp: t + duration + 1, message: `END RequestId: ${id}\n` });
    const init = i === 0 ? `\tInit Duration: ${(rng.int(150, 450) + 0.12).toFixed(2)} ms` : '';
    out.push({
      timestamp: t + duration + 2,
      message: `REPORT RequestId: ${id}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ${Math.ceil(duration)} ms\tMemory Size: 512 MB\tMax Memory Used: ${rng.int(70, 200)} MB${init}\t${timeout ? 'Status: timeout' : ''}\n`,
    });
    t += Math.ceil(duration) + rng.int(5, 200);
  }
  return out;
}

/** API Gateway REST access log lines in JSON (a common `$context` selection). */
export function apiGatewayAccess(rng: Rng, n: number, start: number, apiId = 'a1b2c3d4e5'): SampleEvent[] {
  const out: SampleEvent[] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * 30;
    const status = rng.pick([200, 200, 200, 201, 400, 403, 404, 429, 500, 502]);
    out.push({
      timestamp: t,
      message: JSON.stringify({
        requestId: rng.uuid(), extendedRequestId: rng.hex(8).toUpperCase() + '=', apiId, stage: 'prod',
        ip: rng.publicIp(), caller: '-', user: '-', requestTime: new Date(t).toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1/$2/$3:$4 +0000'),
        requestTimeEpoch: t, httpMethod: rng.pick(['GET', 'POST', 'GET']), resourcePath: rng.pick(['/pets', '/pets/{petId}', '/orders']),
        path: rng.pick(['/prod/pets', '/prod/pets/7', '/prod/orders']), status: String(status), protocol: 'HTTP/1.1',
        responseLength: String(rng.int(2, 5000)), responseLatency: String(rng.int(5, 1200)), integrationLatency: String(rng.int(3, 1100)),
        userAgent: rng.pick(['curl/8.4.0', 'PostmanRuntime/7.36.0', 'python-requests/2.31.0']),
      }),
    });
  }
  return out;
}

/** Linux audit records of whole events: execve (SYSCALL+EXECVE+CWD+PATH×2+PROCTITLE+EOE), AVC denials, logins. */
export function auditLines(rng: Rng, events: number, start: number, host = 'ip-10-0-1-17'): string[] {
  const out: string[] = [];
  let serial = 1000;
  const hex = (s: string) => Buffer.from(s).toString('hex').toUpperCase();
  for (let i = 0; i < events; i++) {
    const t = start + i * 250;
    const stamp = `${Math.floor(t / 1000)}.${String(t % 1000).padStart(3, '0')}:${++serial}`;
    const node = `node=${host} `;
    const pid = rng.int(1000, 60000);
    const r = rng.next();
    if (r < 0.5) {
      const [exe, args] = rng.pick([
        ['/usr/bin/curl', ['curl', '-s', 'http://169.254.169.254/latest/meta-data/']],
        ['/usr/bin/ls', ['ls', '-la', '/tmp/a b']],
        ['/usr/bin/sudo', ['sudo', 'systemctl', 'restart', 'nginx']],
      ] as Array<[string, string[]]>);
      const comm = exe.split('/').pop()!;
      out.push(`${node}type=SYSCALL msg=audit(${stamp}): arch=c000003e syscall=59 success=yes exit=0 a0=55d5e4a1b2c0 a1=55d5e4a1b3d0 a2=55d5e4a1b4e0 a3=0 items=2 ppid=${pid - 1} pid=${pid} auid=1000 uid=1000 gid=1000 euid=${comm === 'sudo' ? 0 : 1000} suid=0 fsuid=0 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="${comm}" exe="${exe}" subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 key="exec"`);
      out.push(`${node}type=EXECVE msg=audit(${stamp}): argc=${args.length} ${args.map((a, k) => `a${k}=${/[\s"]/.test(a) ? hex(a) : `"${a}"`}`).join(' ')}`);
      out.push(`${node}type=CWD msg=audit(${stamp}): cwd="/home/ec2-user"`);
      out.push(`${node}type=PATH msg=audit(${stamp}): item=0 name="${exe}" inode=${rng.int(100000, 999999)} dev=ca:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 obj=system_u:object_r:bin_t:s0 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0`);
      out.push(`${node}type=PATH msg=audit(${stamp}): item=1 name="/lib64/ld-linux-x86-64.so.2" inode=${rng.int(100000, 999999)} dev=ca:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 obj=system_u:object_r:ld_so_t:s0 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0`);
      out.push(`${node}type=PROCTITLE msg=audit(${stamp}): proctitle=${hex(args.join('\0'))}`);
      out.push(`${node}type=EOE msg=audit(${stamp}): `);
    } else if (r < 0.8) {
      const [comm, path, tclass, perm, ttype] = rng.pick([
        ['httpd', '/var/www/html/secret.txt', 'file', 'read', 'user_home_t'],
        ['nginx', '/etc/shadow', 'file', 'open', 'shadow_t'],
        ['sshd', '/home/bob/.ssh/authorized_keys', 'file', 'getattr', 'user_tmp_t'],
      ] as Array<[string, string, string, string, string]>);
      out.push(`${node}type=AVC msg=audit(${stamp}): avc:  denied  { ${perm} } for  pid=${pid} comm="${comm}" path="${path}" dev="nvme0n1p1" ino=${rng.int(10000, 99999)} scontext=system_u:system_r:${comm === 'sshd' ? 'sshd_t' : 'httpd_t'}:s0 tcontext=unconfined_u:object_r:${ttype}:s0 tclass=${tclass} permissive=0`);
      out.push(`${node}type=SYSCALL msg=audit(${stamp}): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=7f3c2c0a1b20 a2=80000 a3=0 items=1 ppid=1 pid=${pid} auid=4294967295 uid=48 gid=48 euid=48 suid=48 fsuid=48 egid=48 sgid=48 fsgid=48 tty=(none) ses=4294967295 comm="${comm}" exe="/usr/sbin/${comm}" subj=system_u:system_r:httpd_t:s0 key=(null)`);
      out.push(`${node}type=PROCTITLE msg=audit(${stamp}): proctitle=${hex(`/usr/sbin/${comm}\0-DFOREGROUND`)}`);
      out.push(`${node}type=EOE msg=audit(${stamp}): `);
    } else {
      const ok = rng.chance(0.7);
      const addr = rng.publicIp();
      out.push(`${node}type=USER_LOGIN msg=audit(${stamp}): pid=${pid} uid=0 auid=${ok ? 1000 : 4294967295} ses=${ok ? rng.int(1, 50) : 4294967295} subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg='op=login ${ok ? 'id=1000' : 'acct="admin"'} exe="/usr/sbin/sshd" hostname=? addr=${addr} terminal=ssh res=${ok ? 'success' : 'failed'}'`);
    }
  }
  return out;
}

/** JSON application logs (Powertools/pino style) and a few multi-line text stack traces. */
export function appLines(rng: Rng, n: number, start: number): SampleEvent[] {
  const out: SampleEvent[] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * 40;
    if (rng.chance(0.05)) {
      out.push({
        timestamp: t,
        message: `${iso(t).replace('T', ' ').replace('Z', '')} ERROR [main] c.e.orders.OrderService - Failed to reserve stock\njava.lang.IllegalStateException: stock below zero\n\tat com.example.orders.OrderService.reserve(OrderService.java:88)\n\tat com.example.orders.Api.post(Api.java:41)`,
      });
      continue;
    }
    const level = rng.pick(['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR']);
    out.push({
      timestamp: t,
      message: JSON.stringify({
        level, message: rng.pick(['order created', 'payment authorized', 'cache miss', 'retrying downstream call', 'user signed in']),
        timestamp: iso(t), service: 'orders', location: `handler:${rng.int(10, 200)}`, cold_start: i === 0,
        correlation_id: rng.uuid(), order_id: rng.int(1000, 99999), customer: { tier: rng.pick(['gold', 'silver']) },
        // The first lines log the request URL with the password a login form sent as a query parameter.
        ...(i < 40 ? { url: `/login?user=alice&password=${PLANTED_SECRETS.password}&next=%2Forders` } : {}),
      }),
    });
  }
  return out;
}

/** A CloudWatch Logs subscription payload, as CloudWatch Logs builds it (ids are 56-digit strings). */
export function cloudWatchPayload(rng: Rng, logGroup: string, logStream: string, owner: string, events: readonly SampleEvent[]): CloudWatchLogsPayload {
  return {
    messageType: 'DATA_MESSAGE',
    owner,
    logGroup,
    logStream,
    subscriptionFilters: ['tributary-account-policy'],
    logEvents: events.map((e) => ({
      id: `${e.timestamp}`.padEnd(13, '0') + Array.from({ length: 43 }, () => rng.int(0, 9)).join(''),
      timestamp: e.timestamp,
      message: e.message,
    })),
  };
}

/** The CloudWatch Logs health-check payload every new subscription sends. */
export const CONTROL_PAYLOAD: CloudWatchLogsPayload = {
  messageType: 'CONTROL_MESSAGE',
  owner: 'CloudwatchLogs',
  logGroup: '',
  logStream: '',
  subscriptionFilters: [],
  logEvents: [{ id: '', timestamp: 1772323200000, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }],
};

/** A Firehose transformation event whose records are gzipped CloudWatch Logs payloads. */
export function firehoseEvent(rng: Rng, payloads: readonly CloudWatchLogsPayload[], region: string = REGIONS[0]): FirehoseTransformEvent {
  return {
    invocationId: rng.uuid(),
    deliveryStreamArn: `arn:aws:firehose:${region}:111122223333:deliverystream/tributary-dev`,
    region,
    records: payloads.map((p, i) => ({
      recordId: `49546986683135544286507457936321625675700192471156785${String(i).padStart(3, '0')}`,
      approximateArrivalTimestamp: p.logEvents[0]?.timestamp ?? 0,
      data: gzipSync(JSON.stringify(p)).toString('base64'),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Amazon Inspector findings and AWS Config (issue #15). Formats:
// - Inspector: https://docs.aws.amazon.com/inspector/latest/user/eventbridge-integration.html,
//   https://docs.aws.amazon.com/inspector/v2/APIReference/API_Finding.html
// - Config: https://docs.aws.amazon.com/config/latest/developerguide/config-item-table.html,
//   https://docs.aws.amazon.com/config/latest/developerguide/example-config-rule-compliance-notification.html

/** Real public advisories with the packages they affect: the fix is the version that closes them. */
const CVES = [
  { id: 'CVE-2023-38545', severity: 'CRITICAL', score: 9.8, pkg: 'curl', version: '8.3.0', release: '1.amzn2.0.4', fixed: '0:8.4.0-1.amzn2.0.1', manager: 'OS' },
  { id: 'CVE-2022-37434', severity: 'CRITICAL', score: 9.8, pkg: 'zlib', version: '1.2.7', release: '18.amzn2', fixed: '0:1.2.7-19.amzn2.0.2', manager: 'OS' },
  { id: 'CVE-2021-44228', severity: 'CRITICAL', score: 10, pkg: 'org.apache.logging.log4j:log4j-core', version: '2.14.1', fixed: '2.15.0', manager: 'JAR', path: '/opt/app/lib/log4j-core-2.14.1.jar' },
  { id: 'CVE-2023-4863', severity: 'CRITICAL', score: 8.8, pkg: 'libwebp', version: '0.3.0', release: '10.amzn2', fixed: 'NotAvailable', manager: 'OS' },
  { id: 'CVE-2023-4911', severity: 'HIGH', score: 7.8, pkg: 'glibc', version: '2.26', release: '63.amzn2', fixed: '0:2.26-64.amzn2.0.1', manager: 'OS' },
  { id: 'CVE-2021-23337', severity: 'HIGH', score: 7.2, pkg: 'lodash', version: '4.17.20', fixed: '4.17.21', manager: 'NODEPKG', path: 'node_modules/lodash/package.json' },
  { id: 'CVE-2022-40897', severity: 'MEDIUM', score: 5.9, pkg: 'setuptools', version: '65.5.0', fixed: '65.5.1', manager: 'PYTHONPKG', path: 'setuptools-65.5.0.dist-info/METADATA' },
  { id: 'CVE-2023-28322', severity: 'LOW', score: 3.7, pkg: 'libcurl', version: '8.0.1', release: '1.amzn2.0.1', fixed: 'NotAvailable', manager: 'OS' },
] as const;

/** The US-style time Inspector's EventBridge events carry (`Oct 12, 2023, 9:14:03 AM`, UTC). */
function inspectorTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h % 12 || 12}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

/**
 * EventBridge `Inspector2 Finding` events (one JSON text each, as EventBridge puts them into
 * Firehose): package vulnerabilities on EC2 instances, ECR images and Lambda functions, some with a
 * fix, some closed later, and open-port network reachability findings.
 */
export function inspectorFindingEvents(rng: Rng, n: number, start: number, account: string = ACCOUNTS[0], region: string = REGIONS[0]): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * 45_000 + rng.int(0, 30_000);
    const kind = rng.pick(['ec2', 'ec2', 'ecr', 'lambda', 'network'] as const);
    const findingArn = `arn:aws:inspector2:${region}:${account}:finding/${rng.hex(32)}`;
    const instance = `i-0${rng.hex(16)}`;
    let resource: Record<string, unknown>;
    if (kind === 'ecr') {
      const repo = rng.pick(['orders-api', 'payments', 'web-frontend']);
      const digest = `sha256:${rng.hex(64)}`;
      resource = {
        details: { awsEcrContainerImage: { architecture: 'amd64', imageHash: digest, imageTags: [`v1.${rng.int(0, 9)}.${rng.int(0, 20)}`], platform: 'AMAZON_LINUX_2', pushedAt: inspectorTime(t - 86_400_000), registry: account, repositoryName: repo } },
        id: `arn:aws:ecr:${region}:${account}:repository/${repo}/${digest}`, partition: 'aws', region, tags: {}, type: 'AWS_ECR_CONTAINER_IMAGE',
      };
    } else if (kind === 'lambda') {
      const fn = rng.pick(['orders-fn', 'thumbnailer', 'nightly-report']);
      resource = {
        details: { awsLambdaFunction: { architectures: ['X86_64'], functionName: fn, packageType: 'ZIP', runtime: rng.pick(['NODEJS_18_X', 'PYTHON_3_11']), version: '$LATEST' } },
        id: `arn:aws:lambda:${region}:${account}:function:${fn}:$LATEST`, partition: 'aws', region, tags: {}, type: 'AWS_LAMBDA_FUNCTION',
      };
    } else {
      resource = {
        details: { awsEc2Instance: { imageId: `ami-0${rng.hex(16)}`, ipV4Addresses: [rng.privateIp()], platform: 'AMAZON_LINUX_2', subnetId: `subnet-0${rng.hex(8)}`, type: 't3.micro', vpcId: `vpc-0${rng.hex(8)}` } },
        id: instance, partition: 'aws', region, tags: { Name: `web-${rng.int(1, 9)}` }, type: 'AWS_EC2_INSTANCE',
      };
    }
    const status = rng.chance(0.15) ? 'CLOSED' : 'ACTIVE';
    const base = { awsAccountId: account, findingArn, firstObservedAt: inspectorTime(t - rng.int(0, 20) * 86_400_000), lastObservedAt: inspectorTime(t), updatedAt: inspectorTime(t), resources: [resource], status };
    let detail: Record<string, unknown>;
    if (kind === 'network') {
      const port = rng.pick([22, 3389, 5432, 9200]);
      detail = {
        ...base,
        description: `On the instance ${instance}, the port range ${port} to ${port} is reachable from an internet gateway.`,
        networkReachabilityDetails: { openPortRange: { begin: port, end: port }, protocol: 'TCP', networkPath: { steps: [{ componentId: `igw-0${rng.hex(8)}`, componentType: 'AWS::EC2::InternetGateway' }, { componentId: `sg-0${rng.hex(8)}`, componentType: 'AWS::EC2::SecurityGroup' }] } },
        remediation: { recommendation: { text: 'You can restrict access to your instance by modifying the Security Groups or ACLs in the network path.' } },
        severity: 'MEDIUM', title: `Port ${port} is reachable from an Internet Gateway - TCP`, type: 'NETWORK_REACHABILITY',
      };
    } else {
      const pool = kind === 'lambda' ? CVES.filter((c) => c.manager === 'NODEPKG' || c.manager === 'PYTHONPKG') : CVES;
      const c = rng.pick(pool);
      const pkg: Record<string, unknown> = { fixedInVersion: c.fixed, name: c.pkg, packageManager: c.manager, version: c.version };
      if ('release' in c) Object.assign(pkg, { arch: 'X86_64', epoch: 0, release: c.release });
      if ('path' in c) pkg.filePath = c.path;
      const vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
      detail = {
        ...base,
        description: `${c.id} in ${c.pkg} ${c.version}.`,
        exploitAvailable: c.severity === 'CRITICAL' ? 'YES' : 'NO',
        fixAvailable: c.fixed === 'NotAvailable' ? 'NO' : 'YES',
        inspectorScore: c.score,
        inspectorScoreDetails: { adjustedCvss: { adjustments: [], cvssSource: 'NVD', score: c.score, scoreSource: 'NVD', scoringVector: vector, version: '3.1' } },
        packageVulnerabilityDetails: {
          cvss: [{ baseScore: c.score, scoringVector: vector, source: 'NVD', version: '3.1' }], referenceUrls: [], relatedVulnerabilities: [], source: 'NVD',
          sourceUrl: `https://nvd.nist.gov/vuln/detail/${c.id}`, vendorSeverity: c.severity, vulnerabilityId: c.id, vulnerablePackages: [pkg],
        },
        remediation: { recommendation: { text: 'None Provided' } },
        severity: c.severity, title: `${c.id} - ${c.pkg}`, type: 'PACKAGE_VULNERABILITY',
      };
    }
    out.push(
      JSON.stringify({ version: '0', id: rng.uuid(), 'detail-type': 'Inspector2 Finding', source: 'aws.inspector2', account, time: iso(t + 2000).replace('.000', ''), region, resources: [resource.id], detail }),
    );
  }
  return out;
}

const CONFIG_RULES = [
  { name: 's3-bucket-public-read-prohibited', type: 'AWS::S3::Bucket', id: () => 'examplecorp-assets' },
  { name: 'restricted-ssh', type: 'AWS::EC2::SecurityGroup', id: (r: Rng) => `sg-0${r.hex(16)}` },
  { name: 'encrypted-volumes', type: 'AWS::EC2::Volume', id: (r: Rng) => `vol-0${r.hex(16)}` },
  { name: 'iam-user-mfa-enabled', type: 'AWS::IAM::User', id: (r: Rng) => `AIDA${r.hex(16).toUpperCase()}` },
  { name: 'required-tags', type: 'AWS::EC2::Instance', id: (r: Rng) => `i-0${r.hex(16)}` },
] as const;

/** EventBridge `Config Rules Compliance Change` events: mostly COMPLIANT, some resources turning NON_COMPLIANT. */
export function configComplianceEvents(rng: Rng, n: number, start: number, account: string = ACCOUNTS[0], region: string = REGIONS[0]): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * 30_000 + rng.int(0, 20_000);
    const rule = rng.pick(CONFIG_RULES);
    const resourceId = rule.id(rng);
    const ruleArn = `arn:aws:config:${region}:${account}:config-rule/config-rule-${rng.hex(6)}`;
    const compliance = rng.chance(0.3) ? 'NON_COMPLIANT' : 'COMPLIANT';
    const q = { configRuleName: rule.name, resourceType: rule.type, resourceId };
    const result = (ct: string, at: number) => ({
      evaluationResultIdentifier: { evaluationResultQualifier: q, orderingTimestamp: iso(at - 20_000) },
      complianceType: ct, resultRecordedTime: iso(at), configRuleInvokedTime: iso(at - 900),
    });
    const detail: Record<string, unknown> = {
      resourceId, awsRegion: region, awsAccountId: account, configRuleName: rule.name, recordVersion: '1.0', configRuleARN: ruleArn,
      messageType: 'ComplianceChangeNotification', newEvaluationResult: result(compliance, t), notificationCreationTime: iso(t + 300), resourceType: rule.type,
    };
    if (rng.chance(0.7)) detail.oldEvaluationResult = result(compliance === 'COMPLIANT' ? 'NON_COMPLIANT' : 'COMPLIANT', t - 86_400_000);
    out.push(JSON.stringify({ version: '0', id: rng.uuid(), 'detail-type': 'Config Rules Compliance Change', source: 'aws.config', account, time: iso(t + 1000).replace('.000', ''), region, resources: [], detail }));
  }
  return out;
}

/** A delivery-channel ConfigHistory file: `{"fileVersion":"1.0","configurationItems":[…]}` of security groups, buckets and instances. */
export function configHistoryFile(rng: Rng, n: number, start: number, account: string = ACCOUNTS[0], region: string = REGIONS[0]): { text: string; items: number } {
  const items: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * 20_000 + rng.int(0, 10_000);
    const kind = rng.pick(['sg', 'bucket', 'instance'] as const);
    const status = rng.pick(['OK', 'OK', 'OK', 'ResourceDiscovered', 'ResourceDeleted']);
    let resourceType: string;
    let resourceId: string;
    let configuration: unknown;
    let arn: string;
    if (kind === 'sg') {
      resourceType = 'AWS::EC2::SecurityGroup';
      resourceId = `sg-0${rng.hex(16)}`;
      arn = `arn:aws:ec2:${region}:${account}:security-group/${resourceId}`;
      const cidr = rng.chance(0.2) ? '0.0.0.0/0' : '10.0.0.0/8';
      configuration = { groupId: resourceId, groupName: 'web', ipPermissions: [{ fromPort: 22, toPort: 22, ipProtocol: 'tcp', ipv4Ranges: [{ cidrIp: cidr }], ipRanges: [cidr] }], vpcId: `vpc-0${rng.hex(8)}` };
    } else if (kind === 'bucket') {
      resourceType = 'AWS::S3::Bucket';
      resourceId = `examplecorp-${rng.pick(['logs', 'assets', 'backups'])}-${rng.hex(4)}`;
      arn = `arn:aws:s3:::${resourceId}`;
      configuration = { name: resourceId, creationDate: iso(t - 86_400_000) };
    } else {
      resourceType = 'AWS::EC2::Instance';
      resourceId = `i-0${rng.hex(16)}`;
      arn = `arn:aws:ec2:${region}:${account}:instance/${resourceId}`;
      configuration = { instanceId: resourceId, instanceType: rng.pick(['t3.micro', 'm5.large']), state: { code: 16, name: 'running' }, privateIpAddress: rng.privateIp() };
    }
    items.push({
      relatedEvents: [], relationships: [], configuration: status === 'ResourceDeleted' ? null : configuration, supplementaryConfiguration: {}, tags: {},
      configurationItemVersion: '1.3', configurationItemCaptureTime: iso(t), configurationStateId: t, awsAccountId: account, configurationItemStatus: status,
      resourceType, resourceId, resourceName: null, ARN: arn, awsRegion: region, availabilityZone: 'Not Applicable', configurationStateMd5Hash: '', resourceCreationTime: null,
    });
  }
  return { text: JSON.stringify({ fileVersion: '1.0', configurationItems: items }), items: items.length };
}

/** A Firehose transformation event of direct-PUT records (EventBridge → Firehose): one JSON text per record, no newline. */
export function directPutFirehoseEvent(rng: Rng, records: readonly string[], region: string = REGIONS[0], start = 0): FirehoseTransformEvent {
  return {
    invocationId: rng.uuid(),
    deliveryStreamArn: `arn:aws:firehose:${region}:111122223333:deliverystream/tributary-dev`,
    region,
    records: records.map((r, i) => ({
      recordId: `49546986683135544286507457936321625675700192471156786${String(i).padStart(3, '0')}`,
      approximateArrivalTimestamp: start + i,
      data: Buffer.from(r).toString('base64'),
    })),
  };
}

/** CloudFront standard (legacy) log fields, as a file's `#Fields` header names them (standard-logs-reference.html). */
export const CLOUDFRONT_FIELDS =
  'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) ' +
  'x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher ' +
  'x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type ' +
  'sc-content-type sc-content-len sc-range-start sc-range-end';

/** A request id as CloudFront writes it: 56 characters of URL-safe base64 ending `==`. */
function edgeRequestId(rng: Rng): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0; i < 54; i++) s += abc[Math.floor(rng.next() * 64)];
  return s + '==';
}

/**
 * CloudFront standard log file lines: `#Version`, `#Fields`, then `n` TAB-separated requests with
 * values percent-encoded as CloudFront writes them (spaces in user agents as `%20`).
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html
 */
export function cloudfrontLines(rng: Rng, n: number, start: number, domain = 'd111111abcdef8.cloudfront.net', host = 'shop.example.com'): string[] {
  const edges = ['FRA56-C1', 'IAD89-P2', 'LAX1-C2', 'NRT57-P3', 'LHR61-C2'];
  const paths = ['/', '/index.html', '/static/app.js', '/static/app.css', '/img/hero.jpg', '/api/products', '/api/cart', '/wp-login.php', '/.env', '/search'];
  const agents = [
    'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/120.0%20Safari/537.36',
    'Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_2%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15',
    'curl/8.4.0',
    'python-requests/2.31.0',
  ];
  const clients = Array.from({ length: 40 }, () => rng.publicIp());
  const out = ['#Version: 1.0', `#Fields: ${CLOUDFRONT_FIELDS}`];
  for (let i = 0; i < n; i++) {
    const t = new Date(start + i * 200).toISOString();
    const path = rng.pick(paths);
    const probe = path === '/wp-login.php' || path === '/.env';
    const status = probe ? rng.pick([403, 404]) : rng.pick([200, 200, 200, 200, 304, 206, 301, 404, 502, 503, 0]);
    const result = status === 0 || status >= 500 ? 'Error' : status === 304 || rng.chance(0.6) ? 'Hit' : 'Miss';
    const detailed = status === 0 ? 'ClientCommError' : status === 502 ? 'OriginConnectError' : status === 503 ? 'OriginShieldHit' : result;
    const bytes = status === 0 ? 0 : rng.int(200, 250_000);
    const https = rng.chance(0.9);
    const taken = (rng.int(1, 900) / 1000).toFixed(3);
    out.push(
      [t.slice(0, 10), t.slice(11, 19), rng.pick(edges), bytes, rng.pick(clients), probe ? 'POST' : rng.pick(['GET', 'GET', 'GET', 'HEAD']), domain, path,
        String(status).padStart(3, '0'), rng.chance(0.3) ? `https://${host}/` : '-', rng.pick(agents), path === '/search' ? 'q=red%2520shoes' : '-', '-',
        result, edgeRequestId(rng), host, https ? 'https' : 'http', rng.int(80, 900), taken, rng.chance(0.05) ? rng.publicIp() : '-',
        https ? 'TLSv1.3' : '-', https ? 'TLS_AES_128_GCM_SHA256' : '-', result, rng.pick(['HTTP/2.0', 'HTTP/1.1']), '-', '-', rng.int(1024, 65535),
        taken, detailed, path.endsWith('.js') ? 'application/javascript' : path.endsWith('.jpg') ? 'image/jpeg' : 'text/html', bytes > 0 ? bytes - 150 : '-',
        status === 206 ? 0 : '-', status === 206 ? bytes - 151 : '-'].join('\t'),
    );
  }
  return out;
}

/** A canonical user id (64 hex digits), as S3 logs bucket owners and requesters. */
const canonicalId = (rng: Rng) => rng.hex(64);

/**
 * S3 server access log lines (27 fields, the current format): object reads and writes, listing,
 * anonymous probes denied, a deletion, a few missing keys.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html
 */
export function s3AccessLines(rng: Rng, n: number, start: number, bucket = 'orders-data', account: string = ACCOUNTS[0], region: string = REGIONS[0]): string[] {
  const owner = canonicalId(rng);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const requesters = [`arn:aws:iam::${account}:role/orders-api`, `arn:aws:sts::${account}:assumed-role/etl/session-1`, `arn:aws:iam::${account}:user/alice`, '-'];
  const keys = ['exports/2026/03/01/orders.csv', 'reports/q1.pdf', 'img/logo%20large.png', 'backups/db.sql.gz', 'config/app.json'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = new Date(start + i * 150);
    const time = `${String(d.getUTCDate()).padStart(2, '0')}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
    const requester = rng.pick(requesters);
    const anonymous = requester === '-';
    const op = anonymous ? 'REST.GET.OBJECT' : rng.pick(['REST.GET.OBJECT', 'REST.GET.OBJECT', 'REST.PUT.OBJECT', 'REST.HEAD.OBJECT', 'REST.GET.BUCKET', 'REST.DELETE.OBJECT']);
    const key = op === 'REST.GET.BUCKET' ? '-' : rng.pick(keys);
    const method = op.split('.')[1];
    const status = anonymous ? 403 : op === 'REST.DELETE.OBJECT' ? 204 : op === 'REST.PUT.OBJECT' ? 200 : rng.chance(0.07) ? 404 : 200;
    const error = status === 403 ? 'AccessDenied' : status === 404 ? 'NoSuchKey' : '-';
    const size = rng.int(100, 5_000_000);
    const sent = status >= 400 ? rng.int(200, 400) : method === 'GET' ? size : '-';
    const uri = key === '-' ? `GET /${bucket}?list-type=2&prefix=exports%2F HTTP/1.1` : `${method} /${bucket}/${key} HTTP/1.1`;
    const total = rng.int(2, 400);
    out.push(
      [owner, bucket, `[${time}]`, anonymous ? rng.publicIp() : rng.privateIp(), requester, rng.hex(16).toUpperCase(), op, key, `"${uri}"`, status, error, sent,
        method === 'GET' || method === 'PUT' ? size : '-', total, status >= 400 ? '-' : Math.max(1, total - rng.int(1, 10)), '"-"',
        `"${anonymous ? 'curl/8.4.0' : rng.pick(['aws-sdk-java/2.25.0', 'Boto3/1.34.0 md/Botocore#1.34.0', 'aws-cli/2.15.0 Python/3.11.6'])}"`, '-',
        Buffer.from(rng.hex(24)).toString('base64'), anonymous ? '-' : 'SigV4', 'TLS_AES_128_GCM_SHA256', anonymous ? '-' : 'AuthHeader',
        `${bucket}.s3.${region}.amazonaws.com`, 'TLSv1.3', '-', '-', region].join(' '),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// AWS WAF, Route 53 Resolver and Network Firewall (issue #16): JSON records, one per line. Formats:
// - WAF: https://docs.aws.amazon.com/waf/latest/developerguide/logging-fields.html
// - Route 53 Resolver: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-format.html
// - Network Firewall: https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-logging-contents.html

const WAF_COUNTRIES = ['US', 'US', 'DE', 'NL', 'FR', 'GB', 'BR', 'IN', 'CN', 'RU', '-'] as const;
const WAF_PATHS = ['/', '/cart', '/products', '/login', '/api/orders', '/search', '/static/app.js'] as const;
/** Terminating rules a web ACL with managed rule groups and a rate limit blocks with. */
const WAF_BLOCKS = [
  { id: 'AWS-AWSManagedRulesCommonRuleSet', type: 'MANAGED_RULE_GROUP', group: 'AWS#AWSManagedRulesCommonRuleSet', rule: 'SizeRestrictions_BODY', label: 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body' },
  { id: 'AWS-AWSManagedRulesSQLiRuleSet', type: 'MANAGED_RULE_GROUP', group: 'AWS#AWSManagedRulesSQLiRuleSet', rule: 'SQLi_QUERYARGUMENTS', label: 'awswaf:managed:aws:sql-database:SQLi_QueryArguments' },
  { id: 'AWS-AWSManagedRulesKnownBadInputsRuleSet', type: 'MANAGED_RULE_GROUP', group: 'AWS#AWSManagedRulesKnownBadInputsRuleSet', rule: 'Log4JRCE_HEADER', label: 'awswaf:managed:aws:known-bad-inputs:Log4JRCE_Header' },
  { id: 'login-rate-limit', type: 'RATE_BASED' },
  { id: 'geo-block', type: 'REGULAR' },
] as const;

/** AWS WAF web ACL log records of a regional ACL in front of an ALB: mostly allowed, some blocked by rule. */
export function wafRecords(rng: Rng, n: number, start: number, account: string = ACCOUNTS[0], region: string = REGIONS[0]): SampleEvent[] {
  const acl = `arn:aws:wafv2:${region}:${account}:regional/webacl/orders-acl/${rng.uuid()}`;
  const attackers = Array.from({ length: 6 }, () => rng.publicIp());
  const out: SampleEvent[] = [];
  for (let i = 0; i < n; i++) {
    const timestamp = start + i * 40 + rng.int(0, 39);
    const blocked = rng.chance(0.12);
    const rule = blocked ? rng.pick(WAF_BLOCKS) : undefined;
    const client = blocked ? rng.pick(attackers) : rng.publicIp();
    const record = {
      timestamp,
      formatVersion: 1,
      webaclId: acl,
      terminatingRuleId: rule?.id ?? 'Default_Action',
      terminatingRuleType: rule?.type ?? 'REGULAR',
      action: blocked ? 'BLOCK' : 'ALLOW',
      terminatingRuleMatchDetails: rule?.id === 'AWS-AWSManagedRulesSQLiRuleSet' ? [{ conditionType: 'SQL_INJECTION', location: 'QUERY_STRING', matchedData: ['1', 'OR', '1'] }] : [],
      httpSourceName: 'ALB',
      httpSourceId: `${account}-app/orders-alb/${'50dc6c495c0c9188'}`,
      ruleGroupList: rule && 'group' in rule ? [{ ruleGroupId: rule.group, terminatingRule: { ruleId: rule.rule, action: 'BLOCK', ruleMatchDetails: null }, nonTerminatingMatchingRules: [], excludedRules: null }] : [],
      rateBasedRuleList: rule?.type === 'RATE_BASED' ? [{ rateBasedRuleId: rng.uuid(), rateBasedRuleName: 'login-rate-limit', limitKey: 'IP', maxRateAllowed: 100 }] : [],
      nonTerminatingMatchingRules: [],
      requestHeadersInserted: null,
      responseCodeSent: null,
      httpRequest: {
        clientIp: client,
        country: rule?.id === 'geo-block' ? 'RU' : rng.pick(WAF_COUNTRIES),
        headers: [
          { name: 'Host', value: 'orders.example.com' },
          { name: 'User-Agent', value: blocked ? rng.pick(['sqlmap/1.8', 'python-requests/2.31.0', 'curl/8.5.0']) : 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' },
          // Signed-in clients send a bearer token and a session cookie (every tenth request).
          ...(i % 10 === 0
            ? [{ name: 'Authorization', value: `Bearer ${PLANTED_SECRETS.jwt}` }, { name: 'Cookie', value: `session=${PLANTED_SECRETS.cookie}; theme=dark` }]
            : []),
        ],
        uri: rule?.type === 'RATE_BASED' ? '/login' : rng.pick(WAF_PATHS),
        args: rule?.id === 'AWS-AWSManagedRulesSQLiRuleSet' ? 'id=1%20OR%201=1' : rng.chance(0.3) ? `page=${rng.int(1, 9)}` : '',
        httpVersion: rng.chance(0.6) ? 'HTTP/2.0' : 'HTTP/1.1',
        httpMethod: rule?.type === 'RATE_BASED' ? 'POST' : rng.pick(['GET', 'GET', 'GET', 'POST']),
        requestId: `1-${Math.floor(timestamp / 1000).toString(16)}-${rng.hex(24)}`,
      },
      labels: rule && 'label' in rule ? [{ name: rule.label }] : [],
    };
    out.push({ timestamp, message: JSON.stringify(record) });
  }
  return out;
}

const DNS_NAMES = ['api.orders.example.com.', 'db.internal.example.com.', 'sqs.us-east-1.amazonaws.com.', 's3.amazonaws.com.', 'www.example.org.', 'updates.example.net.'] as const;
const DNS_BAD = ['nonexistent.internal.example.com.', 'typo-api.orders.example.com.', 'c2.malware.example.net.'] as const;

/** Route 53 Resolver query log records of one VPC: lookups, a few NXDOMAIN and DNS Firewall matches. */
export function resolverQueries(rng: Rng, n: number, start: number, account: string = ACCOUNTS[0], region: string = REGIONS[0]): SampleEvent[] {
  const vpc = `vpc-0${rng.hex(16)}`;
  const instances = Array.from({ length: 5 }, () => ({ id: `i-0${rng.hex(16)}`, ip: rng.privateIp() }));
  const out: SampleEvent[] = [];
  for (let i = 0; i < n; i++) {
    const timestamp = start + i * 60 + rng.int(0, 59);
    const host = rng.pick(instances);
    const bad = rng.chance(0.08);
    const name = bad ? rng.pick(DNS_BAD) : rng.pick(DNS_NAMES);
    const blocked = name === 'c2.malware.example.net.';
    const type = rng.chance(0.8) ? 'A' : 'AAAA';
    const nx = bad && !blocked;
    const record: Record<string, unknown> = {
      version: '1.100000',
      account_id: account,
      region,
      vpc_id: vpc,
      query_timestamp: new Date(timestamp).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      query_name: name,
      query_type: type,
      query_class: 'IN',
      rcode: nx ? 'NXDOMAIN' : 'NOERROR',
      answers: nx || blocked ? [] : [{ Rdata: type === 'A' ? rng.publicIp() : `2600:1f18:${rng.hex(4)}::${rng.hex(4)}`, Type: type, Class: 'IN' }],
      srcaddr: host.ip,
      srcport: String(rng.int(32768, 60999)),
      transport: rng.chance(0.95) ? 'UDP' : 'TCP',
      srcids: { instance: host.id },
    };
    if (blocked) Object.assign(record, { firewall_rule_group_id: 'rslvr-frg-0123456789abcdef0', firewall_rule_action: 'BLOCK', firewall_domain_list_id: 'rslvr-fdl-0123456789abcdef0' });
    out.push({ timestamp, message: JSON.stringify(record) });
  }
  return out;
}

const NFW_SIGNATURES = [
  { id: 2019401, rev: 5, signature: 'ET POLICY curl User-Agent Outbound', category: 'Attempted Information Leak', severity: 2, action: 'allowed' },
  { id: 2027865, rev: 3, signature: 'ET INFO Observed DNS Query to .cloud TLD', category: 'Potentially Bad Traffic', severity: 2, action: 'allowed' },
  { id: 5, rev: 1, signature: 'deny TLS to c2.malware.example.net', category: '', severity: 1, action: 'blocked' },
  { id: 6, rev: 2, signature: 'drop outbound SSH', category: '', severity: 1, action: 'blocked' },
] as const;

/** Suricata's timestamp as Network Firewall writes it: microseconds and a `+0000` offset without a colon. */
const eveTime = (ms: number) => new Date(ms).toISOString().replace('Z', '123+0000');

/** Network Firewall alert and flow log records of one firewall (one object per line). */
export function networkFirewallRecords(rng: Rng, n: number, start: number, region: string = REGIONS[0]): SampleEvent[] {
  const out: SampleEvent[] = [];
  for (let i = 0; i < n; i++) {
    const timestamp = start + i * 80 + rng.int(0, 79);
    const flowId = `${rng.int(1, 2 ** 20)}${String(rng.int(0, 10 ** 12)).padStart(12, '0')}`;
    const alert = rng.chance(0.15) ? rng.pick(NFW_SIGNATURES) : undefined;
    const proto = alert?.id === 6 ? 'TCP' : rng.pick(['TCP', 'TCP', 'TCP', 'UDP']);
    const dport = alert?.id === 6 ? 22 : proto === 'UDP' ? 53 : rng.pick([443, 443, 80]);
    const event: Record<string, unknown> = {
      timestamp: eveTime(timestamp),
      event_type: alert ? 'alert' : 'netflow',
      src_ip: rng.privateIp(),
      src_port: rng.int(32768, 60999),
      dest_ip: rng.publicIp(),
      dest_port: dport,
      proto,
      app_proto: dport === 443 ? 'tls' : dport === 80 ? 'http' : dport === 53 ? 'dns' : 'unknown',
    };
    if (alert) event.alert = { action: alert.action, signature_id: alert.id, rev: alert.rev, signature: alert.signature, category: alert.category, severity: alert.severity };
    else {
      const pkts = rng.int(1, 400);
      event.netflow = { pkts, bytes: pkts * rng.int(60, 1400), start: eveTime(timestamp - 20_000), end: eveTime(timestamp - 1000), age: 19, min_ttl: 63, max_ttl: 64 };
    }
    // flow_id is a 64-bit integer in the JSON text: spliced in as digits, never through a JavaScript number.
    const json = JSON.stringify({ firewall_name: 'egress-fw', availability_zone: `${region}${rng.pick(['a', 'b'])}`, event_timestamp: String(Math.floor(timestamp / 1000) + 1), event });
    out.push({ timestamp, message: json.replace('"event":{', `"event":{"flow_id":${flowId},`) });
  }
  return out;
}

const SECURITY_CONTROLS = [
  { id: 'S3.8', title: 'S3 general purpose buckets should block public access', type: 'AwsS3Bucket', severity: 'HIGH', req: 'NIST.800-53.r5 AC-21' },
  { id: 'IAM.6', title: 'Hardware MFA should be enabled for the root user', type: 'AwsAccount', severity: 'CRITICAL', req: 'CIS AWS Foundations Benchmark v1.2.0/1.14' },
  { id: 'EC2.19', title: 'Security groups should not allow unrestricted access to ports with high risk', type: 'AwsEc2SecurityGroup', severity: 'CRITICAL', req: 'NIST.800-53.r5 SC-7' },
  { id: 'CloudTrail.2', title: 'CloudTrail should have encryption at-rest enabled', type: 'AwsCloudTrailTrail', severity: 'MEDIUM', req: 'NIST.800-53.r5 SC-28' },
  { id: 'EC2.2', title: 'VPC default security groups should not allow inbound or outbound traffic', type: 'AwsEc2SecurityGroup', severity: 'HIGH', req: 'NIST.800-53.r5 AC-4' },
] as const;
const ASFF_NORMALIZED: Record<string, number> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 40, HIGH: 70, CRITICAL: 90 };

/**
 * EventBridge `Security Hub Findings - Imported` events (one ASFF finding each, as EventBridge puts
 * them into Firehose): security control checks, mostly FAILED, some PASSED (INFORMATIONAL).
 * https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-event-formats.html
 */
export function securityHubFindingEvents(rng: Rng, n: number, start: number, account: string = ACCOUNTS[0], region: string = REGIONS[0]): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * 40_000 + rng.int(0, 30_000);
    const c = rng.pick(SECURITY_CONTROLS);
    const passed = rng.chance(0.35);
    const label = passed ? 'INFORMATIONAL' : c.severity;
    const resourceId =
      c.type === 'AwsS3Bucket' ? `arn:aws:s3:::examplecorp-${rng.pick(['assets', 'logs', 'exports'])}`
      : c.type === 'AwsAccount' ? `AWS::::Account:${account}`
      : c.type === 'AwsCloudTrailTrail' ? `arn:aws:cloudtrail:${region}:${account}:trail/management-events`
      : `arn:aws:ec2:${region}:${account}:security-group/sg-0${rng.hex(16)}`;
    const created = iso(t - rng.int(1, 30) * 86_400_000);
    const finding = {
      SchemaVersion: '2018-10-08',
      Id: `arn:aws:securityhub:${region}:${account}:security-control/${c.id}/finding/${rng.uuid()}`,
      ProductArn: `arn:aws:securityhub:${region}::product/aws/securityhub`,
      ProductName: 'Security Hub',
      CompanyName: 'AWS',
      Region: region,
      GeneratorId: `security-control/${c.id}`,
      AwsAccountId: account,
      Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
      FirstObservedAt: created,
      LastObservedAt: iso(t),
      CreatedAt: created,
      UpdatedAt: iso(t),
      Severity: { Label: label, Normalized: ASFF_NORMALIZED[label], Original: label },
      Title: c.title,
      Description: `This control checks ${c.title.toLowerCase()}.`,
      Remediation: { Recommendation: { Text: 'For information on how to correct this issue, consult the AWS Security Hub controls documentation.', Url: `https://docs.aws.amazon.com/console/securityhub/${c.id}/remediation` } },
      Resources: [{ Type: c.type, Id: resourceId, Partition: 'aws', Region: region }],
      Compliance: { Status: passed ? 'PASSED' : 'FAILED', SecurityControlId: c.id, RelatedRequirements: [c.req] },
      WorkflowState: passed ? 'RESOLVED' : 'NEW',
      Workflow: { Status: passed ? 'RESOLVED' : 'NEW' },
      RecordState: passed ? 'ARCHIVED' : 'ACTIVE',
    };
    out.push(JSON.stringify({ version: '0', id: rng.uuid(), 'detail-type': 'Security Hub Findings - Imported', source: 'aws.securityhub', account, time: iso(t + 3000).replace('.000', ''), region, resources: [finding.Id], detail: { findings: [finding] } }));
  }
  return out;
}

/**
 * GuardDuty findings (the finding object: an EventBridge event's `detail`, a line of the S3 export):
 * port probes, SSH brute force, API calls from threat-list IPs, crypto mining, C&C DNS queries.
 * https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-active.html
 */
export function guardDutyFindings(rng: Rng, n: number, start: number, account: string = ACCOUNTS[0], region: string = REGIONS[0]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const detector = rng.hex(32);
  for (let i = 0; i < n; i++) {
    const t = start + i * 50_000 + rng.int(0, 40_000);
    const id = rng.hex(32);
    const instanceId = `i-0${rng.hex(16)}`;
    const remote = { ipAddressV4: rng.publicIp(), country: { countryName: rng.pick(['Netherlands', 'Brazil', 'Viet Nam', 'United States']) }, organization: { asn: String(rng.int(1000, 65000)), asnOrg: 'EXAMPLE-NET', isp: 'Example ISP', org: 'Example Org' } };
    const instance = { resourceType: 'Instance', instanceDetails: { instanceId, instanceType: rng.pick(['t3.micro', 'm5.large']), availabilityZone: `${region}a`, imageId: `ami-0${rng.hex(16)}` } };
    const kind = rng.pick(['probe', 'probe', 'ssh', 'api', 'mining', 'dns'] as const);
    let type: string;
    let severity: number;
    let resource: Record<string, unknown> = instance;
    let action: Record<string, unknown>;
    let title: string;
    if (kind === 'probe') {
      type = 'Recon:EC2/PortProbeUnprotectedPort';
      severity = 2;
      const port = rng.pick([22, 3389, 5432]);
      action = { actionType: 'PORT_PROBE', portProbeAction: { blocked: false, portProbeDetails: [{ localPortDetails: { port, portName: port === 22 ? 'SSH' : 'Unknown' }, remoteIpDetails: remote }] } };
      title = `Unprotected port on EC2 instance ${instanceId} is being probed.`;
    } else if (kind === 'ssh') {
      type = 'UnauthorizedAccess:EC2/SSHBruteForce';
      severity = 5;
      action = { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection: 'INBOUND', protocol: 'TCP', blocked: false, remoteIpDetails: remote, localPortDetails: { port: 22, portName: 'SSH' }, remotePortDetails: { port: rng.int(32768, 60999), portName: 'Unknown' } } };
      title = `${remote.ipAddressV4} is performing SSH brute force attacks against ${instanceId}.`;
    } else if (kind === 'api') {
      type = 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom';
      severity = 8;
      resource = { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: `AKIA${rng.hex(16).toUpperCase()}`, principalId: `AIDA${rng.hex(16).toUpperCase()}`, userType: 'IAMUser', userName: rng.pick(['deploy-bot', 'alice', 'ci-runner']) } };
      action = { actionType: 'AWS_API_CALL', awsApiCallAction: { api: rng.pick(['ListBuckets', 'GetSecretValue', 'DescribeInstances']), serviceName: 's3.amazonaws.com', callerType: 'Remote IP', remoteIpDetails: remote } };
      title = 'An API was invoked from an IP address on a custom threat list.';
    } else if (kind === 'mining') {
      type = 'CryptoCurrency:EC2/BitcoinTool.B!DNS';
      severity = 8;
      action = { actionType: 'DNS_REQUEST', dnsRequestAction: { domain: 'pool.minergate.example', protocol: 'UDP', blocked: false } };
      title = `EC2 instance ${instanceId} is querying a domain name that is associated with Bitcoin-related activity.`;
    } else {
      type = 'Backdoor:EC2/C&CActivity.B!DNS';
      severity = rng.chance(0.3) ? 9.1 : 8;
      action = { actionType: 'DNS_REQUEST', dnsRequestAction: { domain: 'cnc.example.com', protocol: 'UDP', blocked: false } };
      title = `Command and Control server domain name queried by EC2 instance ${instanceId}.`;
    }
    out.push({
      schemaVersion: '2.0', accountId: account, region, partition: 'aws', id,
      arn: `arn:aws:guardduty:${region}:${account}:detector/${detector}/finding/${id}`,
      type, resource,
      service: { serviceName: 'guardduty', detectorId: detector, action, resourceRole: 'TARGET', eventFirstSeen: iso(t - 600_000), eventLastSeen: iso(t - 60_000), archived: false, count: rng.int(1, 40) },
      severity, createdAt: iso(t - 300_000), updatedAt: iso(t), title, description: title,
    });
  }
  return out;
}

/** `GuardDuty Finding` EventBridge events of findings (one JSON text each, as EventBridge puts them into Firehose). */
export function guardDutyFindingEvents(rng: Rng, findings: ReadonlyArray<Record<string, unknown>>): string[] {
  return findings.map((f) =>
    JSON.stringify({ version: '0', id: rng.uuid(), 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', account: f.accountId, time: String(f.updatedAt).replace(/\.\d{3}Z$/, 'Z'), region: f.region, resources: [], detail: f }),
  );
}
