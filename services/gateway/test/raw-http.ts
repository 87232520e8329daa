import { type Socket, connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  json(): any;
}

/**
 * An HTTP/1.1 client on one raw socket (node:net), for what http clients smooth over:
 * pipelining, Expect: 100-continue, bodies the server refuses, malformed requests. Reads
 * responses in order (Content-Length or chunked bodies; 1xx have none).
 */
export class RawConnection {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  ended = false;
  error: Error | null = null;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (e) => {
      this.error = e;
      this.wake();
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(data, () => resolve());
    });
  }

  /** The next complete response, or null when the socket ended first; rejects after `ms`. */
  async next(ms = 10_000): Promise<RawResponse | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const parsed = this.tryParse();
      if (parsed) return parsed;
      if (this.ended || this.error) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no response within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private tryParse(): RawResponse | null {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end === -1) return null;
    const head = this.buf.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0);
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    let rest = this.buf.subarray(end + 4);
    let body = Buffer.alloc(0);
    if (status >= 100 && status < 200) {
      // Interim answers have no body.
    } else if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const chunks: Buffer[] = [];
      let at = 0;
      for (;;) {
        const lineEnd = rest.indexOf('\r\n', at);
        if (lineEnd === -1) return null;
        const size = parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
        if (Number.isNaN(size)) throw new Error('bad chunk size');
        if (rest.length < lineEnd + 2 + size + 2) return null;
        if (size === 0) {
          at = lineEnd + 4;
          break;
        }
        chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(chunks);
      rest = rest.subarray(at);
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (rest.length < length) return null;
      body = rest.subarray(0, length);
      rest = rest.subarray(length);
    }
    this.buf = rest;
    return { status, headers, body, json: () => JSON.parse(body.toString('utf8')) };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A request as raw bytes: `headers` in order; Content-Length added for a body unless given. */
export function rawRequest(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`];
  const names = Object.keys(headers).map((n) => n.toLowerCase());
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== undefined && !names.includes('content-length') && !names.includes('transfer-encoding')) lines.push(`content-length: ${Buffer.byteLength(body)}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body === undefined ? head : Buffer.concat([head, Buffer.isBuffer(body) ? body : Buffer.from(body)]);
}
