/**
 * Saved objects through the Dashboards API. OpenSearch Dashboards cannot be installed here (it is
 * not published to npm/PyPI/Maven), so a small HTTP server on 127.0.0.1 plays its two endpoints
 * (`_bulk_get`, multipart `_import?overwrite=true`) with their documented request and response
 * shapes, and stores what is imported. OpenSearch itself is real. What this proves: the requests
 * setup sends (headers, multipart NDJSON), compare-before-import (a re-run imports nothing, a
 * changed object is re-imported alone), and a Dashboards failure reported without undoing the
 * templates.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@opensearch-project/opensearch';
import { applySetup, formatResult } from '../../lib/setup/apply';
import { savedObjects } from '../../lib/setup/dashboards';
import { dashboardsClient } from '../../lib/setup/dashboards-client';
import { cleanup, connect, uniquePrefix, type Cluster } from './setup-helpers';

jest.setTimeout(120_000);

interface Stored {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  references: unknown[];
}

let c: Cluster;
let server: Server;
let url = '';
let denyAll = false;
const store = new Map<string, Stored>();
const imports: { headers: Record<string, unknown>; objects: Stored[] }[] = [];
const prefix = uniquePrefix('dash');

beforeAll(async () => {
  c = await connect();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      res.setHeader('content-type', 'application/json');
      if (denyAll || req.headers['osd-xsrf'] !== 'true') {
        res.statusCode = denyAll ? 401 : 400;
        return res.end(JSON.stringify({ statusCode: res.statusCode, error: 'Unauthorized', message: 'no credentials' }));
      }
      if (req.method === 'POST' && req.url === '/api/saved_objects/_bulk_get') {
        const keys = JSON.parse(body) as { type: string; id: string }[];
        const saved_objects = keys.map((k) => store.get(`${k.type}:${k.id}`) ?? { ...k, error: { statusCode: 404, message: 'Not found' } });
        return res.end(JSON.stringify({ saved_objects }));
      }
      if (req.method === 'POST' && req.url === '/api/saved_objects/_import?overwrite=true') {
        const boundary = /boundary=(.+)$/.exec(String(req.headers['content-type']))?.[1];
        const part = body.split(`--${boundary}`)[1];
        const ndjson = part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
        const objects = ndjson.trim().split('\n').map((l) => JSON.parse(l) as Stored);
        imports.push({ headers: req.headers, objects });
        for (const o of objects) store.set(`${o.type}:${o.id}`, o);
        return res.end(JSON.stringify({ success: true, successCount: objects.length }));
      }
      res.statusCode = 404;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await cleanup(c, prefix);
  await c.client.close();
});

const run = async () => {
  const client = new Client({ node: url });
  try {
    return await applySetup(c.http, { prefix, detections: false, dashboards: dashboardsClient(client) });
  } finally {
    await client.close();
  }
};
const savedChanges = (r: Awaited<ReturnType<typeof run>>) => r.changes.filter((x) => x.kind === 'saved_object');

describe('setup with --dashboards-url', () => {
  it('imports every saved object once, as multipart NDJSON with the xsrf and tenant headers', async () => {
    const r = await run();
    const expected = savedObjects(prefix);
    expect(savedChanges(r).map((x) => x.status)).toEqual(expected.map(() => 'created'));
    expect(imports).toHaveLength(1);
    expect(imports[0].headers).toMatchObject({ 'osd-xsrf': 'true', securitytenant: 'global', 'content-type': expect.stringMatching(/^multipart\/form-data; boundary=/) });
    expect(imports[0].objects).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('imports nothing on a re-run, and only the object that changed in Dashboards', async () => {
    const again = await run();
    expect(savedChanges(again).every((x) => x.status === 'unchanged')).toBe(true);
    expect(imports).toHaveLength(1);

    const key = `dashboard:tributary-${prefix}-dash-overview`;
    const edited = store.get(key)!;
    store.set(key, { ...edited, attributes: { ...edited.attributes, title: 'renamed by a user' } });
    const third = await run();
    expect(savedChanges(third).filter((x) => x.status !== 'unchanged')).toEqual([{ kind: 'saved_object', name: key, status: 'updated' }]);
    expect(imports).toHaveLength(2);
    expect(imports[1].objects.map((o) => `${o.type}:${o.id}`)).toEqual([key]);
    expect(store.get(key)!.attributes.title).toBe('Tributary: overview');
  });

  it('reports Dashboards refusing as FAILED with the reason, templates still in place', async () => {
    denyAll = true;
    try {
      const r = await run();
      expect(savedChanges(r)).toEqual([
        { kind: 'saved_object', name: `${savedObjects(prefix).length} objects`, status: 'failed', detail: expect.stringMatching(/_bulk_get -> 401: .*no credentials/) },
      ]);
      expect(r.changes.filter((x) => x.kind === 'component_template').every((x) => x.status === 'unchanged')).toBe(true);
      expect(formatResult(r).at(-1)).toMatch(/, 1 FAILED$/);
    } finally {
      denyAll = false;
    }
  });
});
