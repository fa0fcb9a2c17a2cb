// A real S3-compatible server for local use and tests: npm `s3rver` on 127.0.0.1, fronted by a small proxy
// that enforces the conditional headers s3rver ignores (If-None-Match: * and If-Match on PUT). Without the
// proxy a "create only" publish or a pointer move could silently overwrite, which is the bug we guard against.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface DevS3Server {
  /** What clients use: the enforcing proxy. */
  endpoint: string;
  /** s3rver itself, for tests that tamper with objects behind the registry's back. */
  backendEndpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

/** s3rver accepts these fixed credentials. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startDevS3Server(
  opts: { bucket?: string; directory?: string; port?: number } = {},
): Promise<DevS3Server> {
  const bucket = opts.bucket ?? 'resnet-edge';
  const directory = opts.directory ?? mkdtempSync(join(tmpdir(), 'resnet-edge-s3-'));
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }],
  });
  const backend = (await s3.run()) as AddressInfo;
  const backendEndpoint = `http://127.0.0.1:${backend.port}`;
  const proxy = createConditionalProxy(backend.port);
  await new Promise<void>((resolve) => proxy.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (proxy.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    backendEndpoint,
    bucket,
    credentials: CREDENTIALS,
    async stop() {
      await new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      });
      await s3.close();
    },
  };
}

function createConditionalProxy(backendPort: number): Server {
  // Conditional PUTs on one key run one at a time, so "check the ETag, then write" is atomic.
  const locks = new Map<string, Promise<void>>();
  return createServer((req, res) => {
    const conditional = req.method === 'PUT' && (req.headers['if-none-match'] || req.headers['if-match']);
    if (!conditional) {
      forward(req, res, backendPort);
      return;
    }
    const path = (req.url ?? '').split('?')[0]!;
    const previous = locks.get(path) ?? Promise.resolve();
    const current = previous.then(() => handleConditionalPut(req, res, backendPort, path));
    const tail = current.catch(() => undefined);
    locks.set(path, tail);
    void tail.then(() => {
      if (locks.get(path) === tail) locks.delete(path);
    });
  });
}

async function handleConditionalPut(
  req: IncomingMessage,
  res: ServerResponse,
  port: number,
  path: string,
): Promise<void> {
  const current = await headEtag(port, path, req.headers);
  const ifNoneMatch = req.headers['if-none-match'];
  const ifMatch = req.headers['if-match'];
  const strip = (e: string) => e.replace(/^W\//, '').replace(/"/g, '').trim();
  const failed =
    (ifNoneMatch === '*' && current !== null) ||
    (typeof ifMatch === 'string' && (current === null || strip(ifMatch) !== strip(current)));
  if (failed) {
    req.resume();
    res.writeHead(412, { 'content-type': 'application/xml' });
    res.end(
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
        '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
        `<Condition>${ifNoneMatch ? 'If-None-Match' : 'If-Match'}</Condition></Error>`,
    );
    return;
  }
  await new Promise<void>((resolve) => {
    res.on('close', resolve);
    forward(req, res, port);
  });
}

function headEtag(port: number, path: string, headers: IncomingMessage['headers']): Promise<string | null> {
  return new Promise((resolve, reject) => {
    // s3rver does not check signatures of requests it does not recognise as signed; a plain HEAD is fine.
    const r = request(
      { host: '127.0.0.1', port, path, method: 'HEAD', headers: { host: headers.host ?? '' } },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200 ? String(res.headers.etag ?? '') : null);
      },
    );
    r.on('error', reject);
    r.end();
  });
}

function forward(req: IncomingMessage, res: ServerResponse, port: number): void {
  const upstream = request(
    { host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(String(err));
  });
  req.pipe(upstream);
}
