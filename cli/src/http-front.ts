// The front of the local stack: what Cloudflare's edge does before a deployed worker sees a request. workerd's
// own HTTP server answers a malformed request (`Content-Length: -1`, `abc`, `5, 5`, Content-Length beside
// chunked) with a plain-text 500 before any JavaScript runs, so `resnet-edge serve` listens with Node's strict
// parser instead: malformed framing gets the API's JSON 400 here, everything else is passed to `wrangler dev`
// byte for byte, streaming both ways. A declared Content-Length over the upload limit is refused here too, as
// Cloudflare's edge refuses bodies over its own limit: `wrangler dev` drains every body the worker did not read
// before it sends the worker's 413, so a client that declares 99999999999 bytes and sends five would wait
// forever (and cancelling the body inside the worker makes wrangler report "Your worker restarted"). The
// worker keeps its own check, which is the one a deployment uses.
import {
  Agent,
  createServer,
  request as forward,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';

export interface HttpFront {
  url: string;
  close(): Promise<void>;
}

export interface FrontOptions {
  host: string;
  port: number;
  upstream: { host: string; port: number };
  /** The worker's MAX_UPLOAD_BYTES: a larger declared Content-Length is answered 413 without forwarding. */
  maxUploadBytes: number;
  /** A request whose headers and body take longer than this is cut off (Node answers 408). */
  requestTimeoutMs?: number;
}

const FRAMING_ERRORS: Record<string, [number, string]> = {
  HPE_INVALID_CONTENT_LENGTH: [400, 'Content-Length must be one non-negative decimal number of bytes'],
  HPE_UNEXPECTED_CONTENT_LENGTH: [400, 'send Content-Length or Transfer-Encoding: chunked, not both'],
  HPE_INVALID_TRANSFER_ENCODING: [400, 'Transfer-Encoding must end with chunked and never come with Content-Length'],
  HPE_INVALID_CHUNK_SIZE: [400, 'a chunk size of the chunked body is not hexadecimal'],
  HPE_HEADER_OVERFLOW: [431, 'the request headers are too large'],
};

// Hop-by-hop: each side of the front frames its own connection.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

function jsonError(status: number, code: string, message: string): { status: number; body: string } {
  return { status, body: JSON.stringify({ error: { code, message } }) };
}

function answerMalformed(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
  const [status, why] = FRAMING_ERRORS[error.code ?? ''] ?? [
    400,
    `the request is not valid HTTP/1.1 (${error.code ?? error.message})`,
  ];
  const { body } = jsonError(status, status === 431 ? 'headers_too_large' : 'bad_request', why);
  const reason = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function endToEndHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

function relay(agent: Agent, upstream: FrontOptions['upstream'], maxUploadBytes: number) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxUploadBytes) {
      const { status, body } = jsonError(
        413,
        'payload_too_large',
        `the upload is ${declared} bytes; the limit is ${maxUploadBytes} bytes`,
      );
      res.shouldKeepAlive = false;
      req.resume();
      return void res
        .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
        .end(body);
    }
    const headers = endToEndHeaders(req.headers);
    // A body without a declared length goes on chunked, as it came.
    if (req.headers['transfer-encoding'] !== undefined) headers['transfer-encoding'] = 'chunked';
    const out = forward({ ...upstream, agent, method: req.method, path: req.url, headers }, (answer) => {
      // The worker answered before the whole body arrived (a refusal): stop relaying it and close afterwards.
      if (!req.complete) {
        req.unpipe(out);
        req.resume();
        res.shouldKeepAlive = false;
      }
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEndHeaders(answer.headers));
      answer.pipe(res);
    });
    out.on('error', (error) => {
      if (res.headersSent) return void res.destroy(error);
      const { status, body } = jsonError(
        502,
        'worker_unreachable',
        `the local worker did not answer: ${error.message}`,
      );
      res
        .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
        .end(body);
    });
    req.on('aborted', () => out.destroy());
    req.pipe(out);
  };
}

export async function startHttpFront(opts: FrontOptions): Promise<HttpFront> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = createServer(
    { requestTimeout: opts.requestTimeoutMs ?? 120_000 },
    relay(agent, opts.upstream, opts.maxUploadBytes),
  );
  server.on('clientError', answerMalformed);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    url: `http://${opts.host}:${opts.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
