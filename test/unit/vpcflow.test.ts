/**
 * VPC / Transit Gateway Flow Logs parser: format sources and precedence, detection, field mapping,
 * bad lines, and properties (never throws, one outcome per event, schema-valid documents).
 */
import fc from 'fast-check';
import { normalize } from '../../lib/core/pipeline';
import { vpcflowParser, mapRecord } from '../../parsers/vpcflow';
import { ALL_VPC_FIELDS, compileFormat, formatFields, headerFormat, inferLayout, TGW_DEFAULT, type CompiledFormat } from '../../parsers/vpcflow-format';
import type { Fields, Outcome, ParseContext } from '../../parsers/types';
import { schemaErrors } from '../helpers/schema';
import { runs } from '../helpers/fuzz';

const V2 = '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const V2_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

function parse(lines: string[], ctx: ParseContext = {}): Outcome[] {
  return vpcflowParser.parse(
    lines.map((message, i) => ({ message, key: `t:${i}` })),
    ctx,
  );
}

function only(lines: string[], ctx: ParseContext = {}): Fields {
  const out = parse(lines, ctx).filter((o) => o.kind === 'document');
  expect(out).toHaveLength(1);
  return (out[0] as Extract<Outcome, { kind: 'document' }>).fields;
}

function compiled(format: string): CompiledFormat {
  const f = compileFormat(format);
  if (f instanceof Error) throw f;
  return f;
}

describe('vpcflow format compiler', () => {
  test('accepts ${field} and bare field lists alike', () => {
    expect(formatFields(V2_FORMAT)).toEqual(formatFields(V2_FORMAT.replace(/\$\{|\}/g, '')));
    expect(formatFields('  ${version}   ${srcaddr} ')).toEqual(['version', 'srcaddr']);
  });

  test('rejects a format that is not field names', () => {
    expect(compileFormat('version, srcaddr')).toBeInstanceOf(Error);
    expect(compileFormat('')).toBeInstanceOf(Error);
  });

  test('compiles a format once (cached by its text)', () => {
    expect(compileFormat(V2_FORMAT)).toBe(compileFormat(V2_FORMAT));
  });

  test('infers the documented headerless layouts only when the version matches the field count', () => {
    const layoutOf = (t: string[]) => {
      const r = inferLayout(t);
      return r.kind === 'match' ? r.layout.text : r.kind;
    };
    expect(layoutOf(V2.split(' '))).toBe(ALL_VPC_FIELDS.slice(0, 14).join(' '));
    const v5 = ['5', '123456789012', 'eni-0a1b2c3d4e5f67890', ...Array(26).fill('-')];
    expect(layoutOf(v5)).toBe(ALL_VPC_FIELDS.slice(0, 29).join(' '));
    expect(layoutOf(['3', ...v5.slice(1)])).toBe('none');
    const tgw = ['6', 'TransitGateway', ...Array(34).fill('-')];
    expect(layoutOf(tgw)).toBe(TGW_DEFAULT);
    expect(layoutOf(['6', 'Something', ...Array(34).fill('-')])).toBe('none');
  });
});

describe('vpcflow mapping', () => {
  test('maps the default v2 record of the AWS docs', () => {
    const doc = mapRecord(V2, compiled(V2_FORMAT)) as Fields;
    expect(doc).toMatchObject({
      '@timestamp': '2014-12-14T04:06:50.000Z',
      event: {
        action: 'accept',
        type: ['connection', 'allowed'],
        outcome: 'success',
        category: ['network'],
        start: '2014-12-14T04:06:50.000Z',
        end: '2014-12-14T04:07:50.000Z',
        duration: 60e9,
      },
      cloud: { account: { id: '123456789010' } },
      source: { ip: '172.31.16.139', port: 20641, packets: 20, bytes: 4249 },
      destination: { ip: '172.31.16.21', port: 22 },
      network: { transport: 'tcp', iana_number: '6', type: 'ipv4', bytes: 4249, packets: 20 },
      related: { ip: ['172.31.16.139', '172.31.16.21'] },
      aws: { vpcflow: { version: '2', interface_id: 'eni-1235b8ca123456789', log_status: 'OK' } },
    });
  });

  test('REJECT is a denied connection with a failure outcome', () => {
    const doc = only([V2.replace('ACCEPT', 'REJECT')]);
    expect(doc.event).toMatchObject({ action: 'reject', type: ['connection', 'denied'], outcome: 'failure' });
  });

  test('decodes tcp-flags and traffic-path, and maps flow-direction', () => {
    const fmt = '${version} ${srcaddr} ${dstaddr} ${tcp-flags} ${traffic-path} ${flow-direction}';
    const doc = only(['5 10.0.0.1 10.0.0.2 19 8 egress'], { options: { vpcFormat: fmt } });
    expect(doc.aws?.vpcflow).toMatchObject({ tcp_flags: 19, tcp_flags_array: ['fin', 'syn', 'ack'], traffic_path: 8, traffic_path_name: 'internet-gateway' });
    expect(doc.network?.direction).toBe('egress');
  });

  test('NODATA and SKIPDATA records are documents without addresses', () => {
    for (const status of ['NODATA', 'SKIPDATA']) {
      const doc = only([`2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - ${status}`]);
      expect(doc.aws?.vpcflow?.log_status).toBe(status);
      expect(doc.source).toBeUndefined();
      expect(doc.event?.action).toBeUndefined();
      expect(doc['@timestamp']).toBe('2015-05-10T18:01:16.000Z');
    }
  });

  test('account-id "unknown" stays out of cloud.account.id', () => {
    const doc = only([V2.replace('123456789010', 'unknown')]);
    expect(doc.cloud?.account).toBeUndefined();
    expect(doc.aws?.vpcflow?.account_id).toBe('unknown');
  });

  test('tolerates a double space (as in one AWS docs example)', () => {
    const doc = only([V2.replace(' 22 ', '  22 ')]);
    expect(doc.destination?.port).toBe(22);
  });

  test('unknown fields of a format are kept under aws.vpcflow.extra, - is absent', () => {
    const ctx = { options: { vpcFormat: `${V2_FORMAT} \${encryption-status} \${next-hop-vpc-id}` } };
    const doc = only([`${V2} 1 -`], ctx);
    expect(doc.aws?.vpcflow?.extra).toEqual({ 'encryption-status': '1' });
  });
});

describe('vpcflow format sources', () => {
  const custom = '${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}';
  const customLine = 'i-01234567890123456 eni-1111aaaa2222bbbb3 10.0.1.5 203.0.113.5 10.0.1.5 203.0.113.5';

  test('a header line sets the format for the following lines and is dropped as header', () => {
    const out = parse(['instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr', customLine]);
    expect(out[0]).toEqual({ kind: 'drop', index: 0, reason: 'header' });
    expect(out[1].kind).toBe('document');
  });

  test('the header wins over the configured format', () => {
    const out = parse(['instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr', customLine], { options: { vpcFormat: V2_FORMAT } });
    expect(out[1].kind).toBe('document');
  });

  test('a configured format wins over detection', () => {
    const out = parse([V2], { options: { vpcFormat: custom } });
    expect(out[0]).toMatchObject({ kind: 'failure', message: expect.stringContaining('srcaddr is not an IP address') });
  });

  test('an invalid configured format fails each line with the reason', () => {
    const out = parse([V2], { options: { vpcFormat: 'not, a format' } });
    expect(out[0]).toMatchObject({ kind: 'failure', type: 'invalid_format' });
  });

  test('without header, configuration or a known layout, the line fails and says how to fix it', () => {
    const out = parse(['10.0.1.5 203.0.113.5 eni-1111aaaa2222bbbb3 i-01234567890123456 10.0.1.5 203.0.113.5']);
    expect(out[0]).toMatchObject({ kind: 'failure', type: 'unknown_format', message: expect.stringContaining('vpcFormat') });
  });

  test('a batch with a header in the middle switches format there', () => {
    const out = parse([V2, 'instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr', customLine, V2]);
    expect(out.map((o) => o.kind)).toEqual(['document', 'drop', 'document', 'failure']);
  });
});

describe('headerFormat: the one definition of a header line (detection, parser, S3 ingest)', () => {
  test.each([
    ['version account-id interface-id srcaddr dstaddr', '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr}'],
    ['  instance-id   interface-id srcaddr\tdstaddr ', '${instance-id} ${interface-id} ${srcaddr} ${dstaddr}'],
    ['version account-id interface-id encryption-status resource-id', '${version} ${account-id} ${interface-id} ${encryption-status} ${resource-id}'],
    ['srcaddr dstaddr', '${srcaddr} ${dstaddr}'],
  ])('%j is a header', (line, format) => {
    expect(headerFormat(line)).toBe(format);
  });

  test.each([
    V2,
    'hello world',
    'start end action', // known names, but plain words: not only flow logs use them
    'srcaddr', // one token
    'version account-id foo bar baz', // fewer than half known
    'version account-id Interface-Id', // not field-name shaped
    '',
  ])('%j is not a header', (line) => {
    expect(headerFormat(line)).toBeUndefined();
  });
});

describe('vpcflow bad lines', () => {
  test.each([
    ['non-numeric port', V2.replace('20641', 'ssh'), 'srcport'],
    ['port out of range', V2.replace(' 22 ', ' 65536 '), 'dstport'],
    ['invalid IP', V2.replace('172.31.16.21', '172.31.16.256'), 'dstaddr'],
    ['protocol out of range', V2.replace(' 6 20 ', ' 300 20 '), 'protocol'],
    ['non-numeric bytes', V2.replace('4249', '4k'), 'bytes'],
    ['non-numeric start', V2.replace('1418530010', 'now'), 'start'],
  ])('%s', (_label, line, field) => {
    const out = parse(['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status', line]);
    expect(out[1]).toMatchObject({ kind: 'failure', message: expect.stringContaining(field) });
  });

  test('wrong field count for the known format', () => {
    const out = parse([V2, '2 1'], { options: { vpcFormat: V2_FORMAT } });
    expect(out[1]).toMatchObject({ kind: 'failure', message: expect.stringContaining('expected 14 fields') });
  });

  test('blank lines are counted drops', () => {
    expect(parse(['', '   '])).toEqual([
      { kind: 'drop', index: 0, reason: 'blank' },
      { kind: 'drop', index: 1, reason: 'blank' },
    ]);
  });
});

describe('vpcflow properties', () => {
  const token = fc.oneof(
    fc.constantFrom('-', '2', '5', '6', '8', 'ACCEPT', 'REJECT', 'OK', 'NODATA', 'IPv4', 'IPv6', 'eni-0a1b2c3d', 'TransitGateway', 'version', 'srcaddr', 'egress'),
    fc.ipV4(),
    fc.ipV6(),
    fc.nat({ max: 70000 }).map(String),
    fc.integer({ min: 0, max: 4_102_444_800 }).map(String),
    fc.string({ maxLength: 12 }),
  );
  const line = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.integer({ min: 1, max: 45 }).chain((n) => fc.array(token, { minLength: n, maxLength: n }).map((t) => t.join(' '))),
  );
  const format = fc.option(
    fc.shuffledSubarray([...ALL_VPC_FIELDS, 'tgw-id', 'packets-lost-no-route', 'brand-new-field'], { minLength: 1 }).map((f) => f.map((x) => `\${${x}}`).join(' ')),
    { nil: undefined },
  );

  test('never throws, accounts for every event once, and every document validates', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), format, (lines, vpcFormat) => {
        const ctx: ParseContext = vpcFormat ? { options: { vpcFormat } } : {};
        const outcomes = parse(lines, ctx);
        expect(outcomes).toHaveLength(lines.length);
        outcomes.forEach((o, i) => {
          expect(['document', 'drop', 'failure']).toContain(o.kind);
          expect(o.kind === 'document' ? o.indices : [o.index]).toEqual([i]);
          if (o.kind === 'failure') expect(o.type).not.toBe('parser_bug');
        });
        const r = normalize({ events: lines.map((message, i) => ({ message, key: `p:${i}` })), context: ctx, source: 'vpcflow' }, { now: new Date(0) });
        expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
        for (const d of [...r.documents, ...r.failures]) expect(schemaErrors(d)).toBe('');
      }),
      { numRuns: runs(400) },
    );
  });

  test('a valid all-fields v5 record maps its values exactly', () => {
    const rec = fc.record({
      src: fc.oneof(fc.ipV4(), fc.ipV6()),
      dst: fc.ipV4(),
      sport: fc.integer({ min: 0, max: 65535 }),
      dport: fc.integer({ min: 0, max: 65535 }),
      proto: fc.constantFrom(1, 6, 17, 58),
      packets: fc.nat(),
      bytes: fc.nat(),
      start: fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }),
      len: fc.integer({ min: 0, max: 600 }),
      flags: fc.integer({ min: 0, max: 63 }),
      action: fc.constantFrom('ACCEPT', 'REJECT'),
    });
    fc.assert(
      fc.property(rec, (r) => {
        const fields = [
          '5', '123456789012', 'eni-0a1b2c3d4e5f67890', r.src, r.dst, r.sport, r.dport, r.proto, r.packets, r.bytes, r.start,
          r.start + r.len, r.action, 'OK', 'vpc-1', 'subnet-1', 'i-1', r.flags, '-', r.src, r.dst, 'us-east-1', 'use1-az1', '-', '-',
          '-', '-', 'ingress', '-',
        ];
        const doc = only([fields.join(' ')]);
        expect(doc.source).toEqual({ ip: r.src, port: r.sport, packets: r.packets, bytes: r.bytes });
        expect(doc.destination).toEqual({ ip: r.dst, port: r.dport });
        expect(doc.network?.iana_number).toBe(String(r.proto));
        expect(doc.event?.duration).toBe(r.len * 1e9);
        expect(doc['@timestamp']).toBe(new Date(r.start * 1000).toISOString());
        expect(doc.aws?.vpcflow?.tcp_flags).toBe(r.flags);
        expect(doc.event?.outcome).toBe(r.action === 'ACCEPT' ? 'success' : 'failure');
      }),
      { numRuns: runs(300) },
    );
  });
});
