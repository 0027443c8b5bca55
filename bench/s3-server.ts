/**
 * A minimal S3-compatible HTTP endpoint for the benchmark (path-style only): GetObject streams files
 * from disk or buffers from memory, PutObject and multipart uploads are read to the end and
 * discarded (their sizes are counted). The benchmark measures OUR code with the real AWS SDK and its
 * HTTP stack, not a local S3 emulator's speed (moto, in Python, would be the bottleneck).
 * Listens on 127.0.0.1 only.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StoredObject = { file: string } | { data: Buffer };

export interface S3Sink {
  url: string;
  /** Bytes received per key (PutObject and upload parts). */
  received: Map<string, number>;
  close(): Promise<void>;
}

function drain(req: IncomingMessage): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => resolve(n));
    req.on('error', reject);
  });
}

const xml = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
};

export async function startS3Sink(objects: Map<string, StoredObject>): Promise<S3Sink> {
  const received = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const [, bucket, ...rest] = url.pathname.split('/');
      const key = decodeURIComponent(rest.join('/'));
      const path = `${bucket}/${key}`;
      const etag = `"${randomUUID().replace(/-/g, '')}"`;
      if (req.method === 'GET' || req.method === 'HEAD') {
        const o = objects.get(path);
        if (!o) return xml(res, 404, `<Error><Code>NoSuchKey</Code><Message>no such key</Message><Key>${key}</Key></Error>`);
        const size = 'file' in o ? statSync(o.file).size : o.data.length;
        res.writeHead(200, { 'content-length': String(size), etag: '"bench"', 'content-type': 'application/octet-stream' });
        if (req.method === 'HEAD') return res.end();
        if ('file' in o) createReadStream(o.file, { highWaterMark: 1 << 20 }).pipe(res);
        else res.end(o.data);
        return;
      }
      const n = await drain(req);
      if (req.method === 'POST' && url.searchParams.has('uploads')) {
        return xml(res, 200, `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${randomUUID()}</UploadId></InitiateMultipartUploadResult>`);
      }
      if (req.method === 'POST' && url.searchParams.has('uploadId')) {
        return xml(res, 200, `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><ETag>${etag}</ETag></CompleteMultipartUploadResult>`);
      }
      if (req.method === 'PUT') {
        received.set(path, (received.get(path) ?? 0) + n);
        res.writeHead(200, { etag });
        return res.end();
      }
      if (req.method === 'DELETE') {
        res.writeHead(204);
        return res.end();
      }
      xml(res, 400, '<Error><Code>NotImplemented</Code></Error>');
    })().catch((e) => {
      res.destroy(e as Error);
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
