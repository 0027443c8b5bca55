/**
 * Conformance against the shared corpus of third-party CloudTrail and API Gateway samples (skipped when
 * `../shared/corpus` is absent: the project's own tests never depend on it). Every file is decoded
 * and normalized exactly like `tributary normalize --source <source> FILE`; every record must parse,
 * except the documentation artefacts listed below, file by file, with the reason.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { decodeInput } from '../../lib/core/inputs';
import { normalize } from '../../lib/core/pipeline';
import type { SourceId } from '../../parsers/types';
import { expectValid } from '../helpers/schema';

const CORPUS = join(__dirname, '..', '..', '..', 'shared', 'corpus');
const NOW = new Date('2026-01-01T00:00:00.000Z');

/** Files that are not (only) valid log records as published, and how many records fail in each. */
const KNOWN_FAILURES: Record<string, { failed: number; why: string }> = {
  // The docs example has a raw line break inside a JSON string, so its one record is not JSON: one
  // failure (the file's records are split without parsing the file, so the bad record is the only loss).
  'cloudtrail/awsdocs-cloudtrail-user-guide/log-file-example-07-iam-createrole.json': { failed: 1, why: 'invalid JSON as published' },
  // A userIdentity illustration: the record has no eventTime/eventName (and an ARN with stray spaces).
  'cloudtrail/awsdocs-cloudtrail-user-guide/user-identity-05-assumedrole-sourceidentity.json': { failed: 1, why: 'fragment, not a full record' },
  // $context templates with backslash continuations, not log lines (comment lines are failures too: a
  // real access log has no comments).
  'apigateway/awsdocs-amazon-api-gateway-developer-guide/access-log-format-templates.txt': { failed: 38, why: 'format templates, not log lines' },
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(json|log|txt|gz)$/.test(name) && !name.endsWith('.expected.json') ? [p] : [];
  });
}

const sources: SourceId[] = ['cloudtrail', 'apigateway'];
const present = existsSync(CORPUS);
const all = present ? sources.flatMap((s) => (existsSync(join(CORPUS, s)) ? files(join(CORPUS, s)).map((f) => [relative(CORPUS, f), s] as const) : [])) : [];

(present ? describe : describe.skip)('corpus conformance: cloudtrail and apigateway', () => {
  test('the corpus has files for both sources', () => {
    expect(all.some(([, s]) => s === 'cloudtrail')).toBe(true);
    expect(all.some(([, s]) => s === 'apigateway')).toBe(true);
  });

  test.each(all)('%s', (rel, source) => {
    const decoded = decodeInput(readFileSync(join(CORPUS, rel)), rel);
    expect(decoded.unusable).toEqual([]);
    let failed = 0;
    let documents = 0;
    const reasons: string[] = [];
    for (const b of decoded.batches) {
      const r = normalize({ events: b.events, context: b.context, source }, { now: NOW });
      expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
      failed += r.counts.failed;
      documents += r.counts.documents;
      for (const d of r.failures) reasons.push(String(d.error?.message));
      for (const d of r.documents) {
        expectValid(d);
        expect(d.event.kind === 'event' || d.event.kind === 'alert').toBe(true);
        expect(d['@timestamp']).not.toBe(NOW.toISOString());
        if (source === 'cloudtrail') {
          expect(d.event.action ?? d.aws?.cloudtrail?.insight_details?.insight_type).toBeTruthy();
          expect(d.aws?.cloudtrail?.event_version).toBeTruthy();
        } else {
          expect(d.aws?.apigateway?.request_id).toBeTruthy();
          expect(d.http?.response?.status_code).toBeGreaterThanOrEqual(100);
        }
      }
    }
    const known = KNOWN_FAILURES[rel];
    if (known) {
      expect(failed).toBe(known.failed);
    } else {
      expect(reasons).toEqual([]);
      expect(documents).toBeGreaterThan(0);
    }
  });
});
