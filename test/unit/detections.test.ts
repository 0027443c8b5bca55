/**
 * The shape every shipped detection must fill (`lib/setup/detections.ts`): an ATT&CK technique and
 * a one-line runbook, shown in every alert; and the distinct-count threshold that makes one Lambda
 * timeout, logged on two records, count once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertMessage, webhookMessage } from '../../lib/setup/alerts';
import { attackUrl, DETECTIONS, detectionSearch, fires, triggerScript } from '../../lib/setup/detections';

describe('every detection', () => {
  it('names a MITRE ATT&CK technique (id and name) and one line of runbook', () => {
    const problems: string[] = [];
    for (const d of DETECTIONS) {
      if (!/^T\d{4}(\.\d{3})?$/.test(d.attack.id)) problems.push(`${d.id}: technique id ${d.attack.id}`);
      // A sub-technique is written "Technique: Sub-technique" by ATT&CK; a technique has no colon.
      if (d.attack.id.includes('.') !== d.attack.name.includes(': ')) problems.push(`${d.id}: technique name ${d.attack.name} for ${d.attack.id}`);
      if (!d.runbook.trim() || /[\r\n]/.test(d.runbook) || d.runbook.length > 300) problems.push(`${d.id}: runbook must be one line of at most 300 characters`);
    }
    expect(problems).toEqual([]);
    expect(new Set(DETECTIONS.map((d) => d.id)).size).toBe(DETECTIONS.length);
  });

  it('shows the technique, its ATT&CK page and the runbook in every alert', () => {
    for (const d of DETECTIONS) {
      const text = alertMessage(d, 'logs', {});
      expect(text).toContain(`MITRE ATT&CK ${d.attack.id} ${d.attack.name} (${attackUrl(d.attack)})`);
      expect(text).toContain(`Runbook: ${d.runbook}`);
      const json = JSON.parse(webhookMessage(d, 'logs').replace(/\{\{[^}]*\}\}/g, ''));
      expect(json).toMatchObject({ attack_technique_id: d.attack.id, attack_technique: d.attack.name, runbook: d.runbook });
    }
    expect(attackUrl({ id: 'T1562.008', name: 'Impair Defenses: Disable or Modify Cloud Logs' })).toBe('https://attack.mitre.org/techniques/T1562/008/');
    expect(attackUrl({ id: 'T1098', name: 'Account Manipulation' })).toBe('https://attack.mitre.org/techniques/T1098/');
  });
});

describe('the README', () => {
  it('lists every detection with its id and ATT&CK technique', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const rows = readme.split('\n').filter((l) => l.startsWith('| ') && l.includes('(`'));
    const missing = DETECTIONS.filter((d) => !rows.some((r) => r.includes(`(\`${d.id}\`)`) && r.includes(`${d.attack.id} ${d.attack.name}`))).map((d) => d.id);
    expect({ notInReadmeTable: missing }).toEqual({ notInReadmeTable: [] });
    // one row each, and no row for a detection that does not exist
    const ids = rows.flatMap((r) => [...r.matchAll(/\| [^|]*\(`([a-z0-9-]+)`\) \|/g)].map((m) => m[1])).filter((id) => /^[a-z0-9]+(-[a-z0-9]+)+$/.test(id));
    const listed = ids.filter((id) => DETECTIONS.some((d) => d.id === id) || rows.some((r) => r.includes(`(\`${id}\`) |`) && /\| T\d{4}/.test(r)));
    expect([...listed].sort()).toEqual(DETECTIONS.map((d) => d.id).sort());
  });
});

describe('Lambda timeouts spike', () => {
  const d = DETECTIONS.find((x) => x.id === 'lambda-timeouts-spike')!;
  const response = (buckets: { key: string; doc_count: number; distinct: { value: number } }[]) => ({
    hits: { total: { value: buckets.reduce((n, b) => n + b.doc_count, 0) } },
    aggregations: { by_group: { buckets } },
  });

  it('counts timed-out invocations (distinct request ids) per function, not timeout records', () => {
    expect(d.threshold).toEqual({ count: 3, groupBy: 'aws.lambda.function_name', distinct: 'aws.lambda.request_id' });
    const aggs = (detectionSearch(d) as { aggs: { by_group: { terms: Record<string, unknown>; aggs: Record<string, unknown> } } }).aggs.by_group;
    expect(aggs.terms).toMatchObject({ field: 'aws.lambda.function_name', min_doc_count: 3 });
    expect(aggs.aggs).toEqual({ distinct: { cardinality: { field: 'aws.lambda.request_id', precision_threshold: 1000 } } });
    // Two timeouts, each a "Task timed out" line and a REPORT: four records, two invocations.
    expect(fires(d, response([{ key: 'orders', doc_count: 4, distinct: { value: 2 } }]))).toBe(false);
    expect(fires(d, response([{ key: 'orders', doc_count: 6, distinct: { value: 3 } }]))).toBe(true);
    expect(fires(d, response([{ key: 'orders', doc_count: 4, distinct: { value: 2 } }, { key: 'payments', doc_count: 3, distinct: { value: 3 } }]))).toBe(true);
    // The trigger is the same rule in Painless.
    expect(triggerScript(d)).toBe('for (def b : ctx.results[0].aggregations.by_group.buckets) { if (b.distinct.value >= 3) { return true; } } return false;');
  });
});
