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

/** Lambda log lines of Node.js invocations: START, runtime lines, END, REPORT; some errors and timeouts. */
export function lambdaLines(rng: Rng, invocations: number, start: number): SampleEvent[] {
  const out: SampleEvent[] = [];
  let t = start;
  for (let i = 0; i < invocations; i++) {
    const id = rng.uuid();
    const timeout = rng.chance(0.03);
    const error = !timeout && rng.chance(0.05);
    out.push({ timestamp: t, message: `START RequestId: ${id} Version: $LATEST\n` });
    out.push({ timestamp: t + 2, message: `${iso(t + 2)}\t${id}\tINFO\tProcessing order ${rng.int(1000, 99999)} for customer ${rng.hex(8)}\n` });
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
