/**
 * The two OpenSearch Dashboards saved-objects calls setup needs: `_bulk_get` (to compare before
 * writing) and `_import?overwrite=true` (the same NDJSON a user uploads in Dashboards Management →
 * Saved objects → Import). They go through an `@opensearch-project/opensearch` Client whose node is
 * the Dashboards URL, so the same factory signs them with SigV4 on Amazon OpenSearch Service
 * (`https://<domain>/_dashboards`) and sends Basic auth from `http://user:pass@host:5601` elsewhere.
 * Objects land in the global tenant when multi-tenancy is on, so every user sees them.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';
import { toNdjson, type SavedObject } from './saved-objects';

export interface StoredObject {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  references?: { name: string; type: string; id: string }[];
}

export interface DashboardsClient {
  /** Stored objects in request order; `undefined` where the object does not exist. */
  bulkGet(keys: { type: string; id: string }[]): Promise<(StoredObject | undefined)[]>;
  importObjects(objects: SavedObject[]): Promise<void>;
}

export class DashboardsError extends Error {}

const HEADERS = { 'osd-xsrf': 'true', securitytenant: 'global' };

/** Dashboards API over a Client built for the Dashboards URL (see `createOpenSearchClient`). */
export function dashboardsClient(client: Client): DashboardsClient {
  async function call(method: string, path: string, body: string | Buffer, contentType: string): Promise<unknown> {
    try {
      const res = await client.transport.request({ method, path, body }, { headers: { ...HEADERS, 'content-type': contentType } });
      return res.body;
    } catch (e) {
      const meta = (e as { meta?: { statusCode?: number; body?: unknown } }).meta;
      const detail = meta?.statusCode ? `${meta.statusCode}: ${JSON.stringify(meta.body)?.slice(0, 500)}` : (e as Error).message;
      throw new DashboardsError(`Dashboards ${method} ${path} -> ${detail}`);
    }
  }

  return {
    async bulkGet(keys) {
      const body = (await call('POST', '/api/saved_objects/_bulk_get', JSON.stringify(keys), 'application/json')) as {
        saved_objects: (StoredObject & { error?: { statusCode: number; message?: string } })[];
      };
      return body.saved_objects.map((o) => {
        if (!o.error) return o;
        if (o.error.statusCode === 404) return undefined;
        throw new DashboardsError(`Dashboards cannot read ${o.type}:${o.id}: ${o.error.message ?? o.error.statusCode}`);
      });
    },
    async importObjects(objects) {
      const boundary = `----tributary${randomBytes(12).toString('hex')}`;
      const form = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="tributary.ndjson"\r\n` +
          `Content-Type: application/ndjson\r\n\r\n${toNdjson(objects)}\r\n--${boundary}--\r\n`,
      );
      const body = (await call('POST', '/api/saved_objects/_import?overwrite=true', form, `multipart/form-data; boundary=${boundary}`)) as {
        success?: boolean;
        errors?: { id: string; type: string; error: { type: string; message?: string } }[];
      };
      if (!body?.success) {
        const errors = (body?.errors ?? []).map((e) => `${e.type}:${e.id} ${e.error.type}${e.error.message ? ` (${e.error.message})` : ''}`);
        throw new DashboardsError(`Dashboards import failed: ${errors.join('; ') || JSON.stringify(body)}`);
      }
    },
  };
}
