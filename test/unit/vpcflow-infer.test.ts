/**
 * VPC Flow Logs without a header and without a configured format (CloudWatch Logs delivery): the
 * layout is inferred from the values among the documented layouts, only when exactly one fits; a
 * line that fits several takes the layout its log group's decisive lines had (batch, then the
 * caller's `VpcLayoutMemory`), else fails naming the `vpcFormat` setting.
 * Layouts: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html (field table, "all
 * fields" order), https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html
 * (the custom formats of the examples), https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html.
 */
import fc from 'fast-check';
import { sourceFromContent } from '../../parsers/detect';
import { vpcflowParser } from '../../parsers/vpcflow';
import { inferLayout, LAYOUTS, VpcLayoutMemory, type Layout } from '../../parsers/vpcflow-format';
import type { Fields, Outcome, ParseContext } from '../../parsers/types';
import { runs } from '../helpers/fuzz';

const parse = (lines: string[], ctx: ParseContext = {}): Outcome[] =>
  vpcflowParser.parse(
    lines.map((message, i) => ({ message, key: `t:${i}` })),
    ctx,
  );
const docOf = (o: Outcome): Fields => {
  if (o.kind !== 'document') throw new Error(`not a document: ${JSON.stringify(o)}`);
  return o.fields;
};
const idOf = (line: string) => {
  const r = inferLayout(line.split(' '));
  return r.kind === 'match' ? r.layout.id : r.kind === 'ambiguous' ? `ambiguous:${r.layouts.map((l) => l.id).join(',')}` : 'none';
};

const V2 = '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const V3_TAIL = 'vpc-0a1b2c3d4e5f67890 subnet-0a1b2c3d4e5f67890 i-0a1b2c3d4e5f67890 19 IPv4 172.31.16.139 172.31.16.21';
const V3 = V2.replace(/^2/, '3') + ' ' + V3_TAIL;
const V4 = V2.replace(/^2/, '4') + ' ' + V3_TAIL + ' eu-west-1 euw1-az2 - -';
const V5 = V2.replace(/^2/, '5') + ' ' + V3_TAIL + ' eu-west-1 euw1-az2 outpost op-0123456789abcdef0 - S3 egress 2';
const ECS =
  'arn:aws:ecs:eu-west-1:123456789010:cluster/orders orders arn:aws:ecs:eu-west-1:123456789010:container-instance/orders/0123456789abcdef ' +
  '0123456789abcdef 3f1c9a7d2b6e-1234567890 - orders-api arn:aws:ecs:eu-west-1:123456789010:task-definition/orders-api:7 ' +
  'arn:aws:ecs:eu-west-1:123456789010:task/orders/0123456789abcdef0123456789abcdef 0123456789abcdef0123456789abcdef';
const V7 = V5.replace(/^5/, '7') + ' ' + ECS;
const V8 = V5.replace(/^5/, '8').replace(' ACCEPT ', ' REJECT ') + ' ' + ECS.replace(/\S+/g, '-') + ' BPA';
const TGW =
  '6 TransitGateway 123456789012 tgw-0123456789abcdef0 tgw-attach-0123456789abcdef0 123456789012 210987654321 vpc-0123456789abcdef0 ' +
  'vpc-0fedcba9876543210 subnet-0123456789abcdef0 subnet-0fedcba9876543210 eni-0123456789abcdef0 eni-0fedcba9876543210 use1-az1 use1-az2 ' +
  'tgw-attach-0fedcba9876543210 10.0.1.10 10.1.2.20 43210 5432 6 25 4200 1772359200 1772359260 OK IPv4 0 0 0 0 3 us-east-1 egress - -';
// The custom formats of the AWS examples page (values from those examples).
const DOC6 = '- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5';
const DOC17 =
  '3 eni-33333333333333333 123456789010 vpc-abcdefab012345678 subnet-22222222bbbbbbbbb i-01234567890123456 10.20.33.164 10.40.2.236 39812 80 6 3 IPv4 10.20.33.164 10.40.2.236 ACCEPT OK';
const DOC21 =
  '3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK';
const DOC29 =
  '5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK';

describe('inferLayout: each documented layout', () => {
  test.each([
    ['v2-default', V2, 14],
    ['v3-all', V3, 21],
    ['v4-all', V4, 25],
    ['v5-all', V5, 29],
    ['v7-all', V7, 39],
    ['v8-all', V8, 40],
    ['tgw-default', TGW, 36],
    ['doc-6-nat-gateway', DOC6, 6],
    ['doc-17-transit-gateway', DOC17, 17],
    ['doc-21-tcp-flags', DOC21, 21],
    ['doc-29-traffic-path', DOC29, 29],
  ])('%s', (id, line, n) => {
    expect(line.split(' ')).toHaveLength(n);
    expect(idOf(line)).toBe(id);
    // Detected as a flow log by content alone, too.
    expect(sourceFromContent(line)).toBe('vpcflow');
    const out = parse([line]);
    expect(out[0].kind).toBe('document');
  });

  test('same-count pairs are told apart by their decisive values (v3-all vs doc-21, v5-all vs doc-29)', () => {
    expect(docOf(parse([DOC21])[0])).toMatchObject({
      source: { ip: '52.213.180.42', port: 43416, bytes: 568, packets: 8 },
      cloud: { account: { id: '123456789010' }, instance: { id: 'i-01234567890123456' } },
      aws: { vpcflow: { version: '3', vpc_id: 'vpc-abcdefab012345678', tcp_flags: 2, interface_id: 'eni-1235b8ca123456789' } },
    });
    expect(docOf(parse([V3])[0])).toMatchObject({ aws: { vpcflow: { version: '3', tcp_flags: 19, log_status: 'OK' } } });
    expect(docOf(parse([DOC29])[0])).toMatchObject({
      source: { ip: '52.95.128.179', port: 80, packets: 14, bytes: 15044 },
      network: { direction: 'ingress' },
      cloud: { region: 'ap-southeast-2', availability_zone: 'apse2-az3' },
      aws: { vpcflow: { pkt_src_aws_service: 'S3', flow_direction: 'ingress' } },
    });
    expect(docOf(parse([V5])[0])).toMatchObject({ aws: { vpcflow: { traffic_path: 2, sublocation_type: 'outpost' } } });
  });

  test('ECS fields (v7) and reject-reason (v8) land where the schema puts them', () => {
    expect(docOf(parse([V7])[0])).toMatchObject({
      aws: { vpcflow: { ecs_cluster_name: 'orders', ecs_service_name: 'orders-api', ecs_task_id: '0123456789abcdef0123456789abcdef' } },
    });
    expect(docOf(parse([V8])[0])).toMatchObject({ event: { reason: 'BPA', action: 'reject' }, aws: { vpcflow: { reject_reason: 'BPA' } } });
  });

  test('the AWS examples double space is tolerated', () => {
    expect(parse([V2.replace(' 22 ', '  22 ')])[0].kind).toBe('document');
  });
});

describe('inferLayout: ambiguous and conflicting inputs', () => {
  test('a line that fits two layouts of its count is ambiguous, never guessed', () => {
    const dashes = (n: number, version: string) => [version, ...Array(n - 1).fill('-')].join(' ');
    expect(idOf(dashes(21, '3'))).toBe('ambiguous:v3-all,doc-21-tcp-flags');
    expect(idOf(dashes(29, '5'))).toBe('ambiguous:v5-all,doc-29-traffic-path');
  });

  test('one layout on too little evidence (dashes) is ambiguous too', () => {
    expect(idOf(['2', ...Array(13).fill('-')].join(' '))).toBe('ambiguous:v2-default');
    expect(idOf('- - - - - -')).toBe('ambiguous:doc-6-nat-gateway');
  });

  test('a value that no layout of the count allows rules every one out', () => {
    expect(idOf(V2.replace('ACCEPT OK', 'OK ACCEPT'))).toBe('none'); // action and log-status swapped: a custom order
    expect(idOf(V5.replace('vpc-0a1b2c3d4e5f67890', '10.0.0.1'))).toBe('none'); // v5-all position with doc-29's value
    expect(idOf(V3.replace(/^3/, '4'))).toBe('none'); // the version must be the layout's
    expect(idOf(V2.replace('eni-1235b8ca123456789', 'vpc-1235b8ca123456789'))).toBe('none');
    expect(idOf('2 123456789010 eni-1 10.0.0.1 10.0.0.2')).toBe('none'); // fewer than 6 values
  });

  test('a failure names the vpcFormat setting', () => {
    const [none] = parse([V2.replace('ACCEPT OK', 'OK ACCEPT')]);
    expect(none).toMatchObject({ kind: 'failure', type: 'unknown_format', message: expect.stringContaining('vpcFormat') });
    const [amb] = parse([['3', ...Array(20).fill('-')].join(' ')]);
    expect(amb).toMatchObject({ kind: 'failure', type: 'ambiguous_format', message: expect.stringMatching(/v3-all and doc-21-tcp-flags.*vpcFormat/) });
  });
});

describe('ambiguous lines take the layout of their log group', () => {
  const NODATA21 = ['3', ...Array(12).fill('-'), 'NODATA', ...Array(7).fill('-')].join(' ');
  // NODATA in v3-all: log-status is token 14. In doc-21 that position is pkt-dstaddr: ruled out.
  // A line of version + dashes fits both: it needs the log group.
  const AMBIG21 = ['3', ...Array(20).fill('-')].join(' ');

  test('a decisive line anywhere in the batch decides the others (before or after it)', () => {
    expect(idOf(NODATA21)).toBe('v3-all');
    const out = parse([AMBIG21, V3, AMBIG21], { logGroup: '/flow/a' });
    expect(out.map((o) => o.kind)).toEqual(['document', 'document', 'document']);
    expect(docOf(out[0]).aws?.vpcflow?.version).toBe('3');
  });

  test('the caller memory carries a log group layout to later batches, and only to the same log group', () => {
    const memory = new VpcLayoutMemory();
    parse([DOC21], { logGroup: '/flow/a', vpcLayouts: memory });
    expect(parse([AMBIG21], { logGroup: '/flow/a', vpcLayouts: memory })[0].kind).toBe('document');
    expect(parse([AMBIG21], { logGroup: '/flow/b', vpcLayouts: memory })[0]).toMatchObject({ kind: 'failure', type: 'ambiguous_format' });
    expect(memory.recall('/flow/a', 21)).toMatchObject({ id: 'doc-21-tcp-flags' });
  });

  test('a log group whose lines had two layouts of one count decides nothing (conflict)', () => {
    const memory = new VpcLayoutMemory();
    parse([DOC21, V3], { logGroup: '/flow/mixed', vpcLayouts: memory });
    expect(memory.recall('/flow/mixed', 21)).toBe('conflict');
    const [o] = parse([AMBIG21], { logGroup: '/flow/mixed', vpcLayouts: memory });
    expect(o).toMatchObject({ kind: 'failure', type: 'ambiguous_format', message: expect.stringContaining('had both') });
    // In one batch as well.
    expect(parse([DOC21, V3, AMBIG21], { logGroup: '/flow/other' })[2]).toMatchObject({ kind: 'failure', type: 'ambiguous_format' });
  });

  test('a remembered layout is used only if the line fits it', () => {
    const memory = new VpcLayoutMemory();
    parse([V2], { logGroup: '/flow/a', vpcLayouts: memory });
    expect(parse([V2.replace('ACCEPT OK', 'OK ACCEPT')], { logGroup: '/flow/a', vpcLayouts: memory })[0]).toMatchObject({
      kind: 'failure',
      type: 'unknown_format',
    });
  });

  test('the memory is bounded: the least recently used log group goes first', () => {
    const memory = new VpcLayoutMemory(2);
    const v2 = LAYOUTS.find((l) => l.id === 'v2-default')!;
    memory.remember('a', 14, v2);
    memory.remember('b', 14, v2);
    memory.remember('a', 14, v2); // a used again
    memory.remember('c', 14, v2);
    expect(memory.size).toBe(2);
    expect(memory.recall('b', 14)).toBeUndefined();
    expect(memory.recall('a', 14)).toBe(v2);
    expect(memory.recall('c', 14)).toBe(v2);
  });
});

describe('values past the format and account ids', () => {
  test('a version-9 line longer than v8-all is v8-all plus the newer values, kept under aws.vpcflow.extra', () => {
    const line = V8.replace(/^8/, '9') + ' new-value 42';
    expect(idOf(line)).toBe('v8-all');
    expect(docOf(parse([line])[0]).aws?.vpcflow).toMatchObject({ version: '9', reject_reason: 'BPA', extra: { 'field-41': 'new-value', 'field-42': '42' } });
  });

  test('a configured format with more values on the line keeps the extra values', () => {
    const fmt = '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';
    const doc = docOf(parse([V2 + ' - surplus'], { options: { vpcFormat: fmt } })[0]);
    expect(doc.aws?.vpcflow?.extra).toEqual({ 'field-16': 'surplus' });
    expect(doc.source?.ip).toBe('172.31.16.139');
  });

  test.each(['12345678901', '012345678901', '7'])('account id %s keeps its string form', (account) => {
    const line = V2.replace('123456789010', account);
    expect(sourceFromContent(line)).toBe('vpcflow');
    const doc = docOf(parse([line])[0]);
    if (account.length === 12) expect(doc.cloud?.account?.id).toBe(account);
    else {
      expect(doc.aws?.vpcflow?.account_id).toBe(account);
      expect(doc.cloud?.account).toBeUndefined();
    }
  });
});

describe('inferLayout properties', () => {
  const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
  const ip = fc.oneof(fc.ipV4(), fc.ipV6());
  const num = (max: number) => fc.nat({ max }).map(String);
  const epoch = fc.integer({ min: 1_500_000_000, max: 1_900_000_000 }).map(String);
  const VALUE: Record<string, fc.Arbitrary<string>> = {
    'account-id': fc.oneof(fc.stringMatching(/^\d{12}$/), fc.constant('unknown')),
    'interface-id': hex(17).map((h) => `eni-${h}`),
    srcaddr: ip,
    dstaddr: ip,
    'pkt-srcaddr': ip,
    'pkt-dstaddr': ip,
    srcport: num(65535),
    dstport: num(65535),
    protocol: num(255),
    packets: num(1e9),
    'packets-lost-no-route': num(1e6),
    'packets-lost-blackhole': num(1e6),
    'packets-lost-mtu-exceeded': num(1e6),
    'packets-lost-ttl-expired': num(1e6),
    bytes: num(1e12),
    start: epoch,
    end: epoch,
    action: fc.constantFrom('ACCEPT', 'REJECT'),
    'log-status': fc.constantFrom('OK', 'NODATA', 'SKIPDATA'),
    'vpc-id': hex(17).map((h) => `vpc-${h}`),
    'subnet-id': hex(17).map((h) => `subnet-${h}`),
    'instance-id': hex(17).map((h) => `i-${h}`),
    'tcp-flags': num(255),
    type: fc.constantFrom('IPv4', 'IPv6', 'EFA'),
    region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-gov-west-1'),
    'az-id': fc.constantFrom('use1-az2', 'euw1-az1', 'apse2-az3', 'usw2-lax1-az1'),
    'sublocation-type': fc.constantFrom('wavelength', 'outpost', 'localzone'),
    'pkt-src-aws-service': fc.constantFrom('S3', 'AMAZON', 'ROUTE53_RESOLVER'),
    'pkt-dst-aws-service': fc.constantFrom('DYNAMODB', 'EC2'),
    'flow-direction': fc.constantFrom('ingress', 'egress'),
    'traffic-path': fc.integer({ min: 1, max: 8 }).map(String),
    'reject-reason': fc.constant('BPA'),
    'resource-type': fc.constantFrom('TransitGateway', 'TransitGatewayAttachment'),
    'tgw-id': hex(17).map((h) => `tgw-${h}`),
    'tgw-attachment-id': hex(17).map((h) => `tgw-attach-${h}`),
    'tgw-pair-attachment-id': hex(17).map((h) => `tgw-attach-${h}`),
    'ecs-cluster-arn': hex(8).map((h) => `arn:aws:ecs:us-east-1:123456789012:cluster/c-${h}`),
    'ecs-container-instance-arn': hex(32).map((h) => `arn:aws:ecs:us-east-1:123456789012:container-instance/c/${h}`),
    'ecs-task-definition-arn': hex(4).map((h) => `arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/t-${h}:3`),
    'ecs-task-arn': hex(32).map((h) => `arn:aws:ecs:us-east-1:123456789012:task/c/${h}`),
  };
  const valueOf = (name: string, l: Layout): fc.Arbitrary<string> => {
    if (name === 'version') return fc.constant(l.version!);
    const base = name.replace(/^tgw-(src|dst)-/, '');
    const arb =
      VALUE[name] ??
      (base === 'vpc-account-id' ? VALUE['account-id'] : base === 'eni' ? VALUE['interface-id'] : VALUE[base]) ??
      fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);
    return fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: fc.constant('-') });
  };
  const lineOf = (l: Layout) => fc.tuple(...l.fields.map((f) => valueOf(f, l))).map((t) => t.join(' '));

  test('a line of a documented layout is inferred as that layout or ambiguous, never as another one', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LAYOUTS).chain((l) => fc.tuple(fc.constant(l), lineOf(l))),
        ([l, line]) => {
          const r = inferLayout(line.split(' '));
          if (r.kind === 'match') expect(r.layout.id).toBe(l.id);
          else {
            expect(r.kind).toBe('ambiguous');
            if (r.kind === 'ambiguous') expect(r.layouts.map((x) => x.id)).toContain(l.id);
          }
        },
      ),
      { numRuns: runs(500) },
    );
  });
});
