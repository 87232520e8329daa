import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Accept a certificate the machine does not trust (a rehearsal deployment's own CA). */
  insecure?: boolean;
  timeoutMs?: number;
}

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };

/** Trust this CA (PEM) besides the machine's own for https targets (`--ca`, a rehearsal deployment's own CA). */
export function trustCa(pem: string): void {
  agents.https.destroy();
  agents.https = new https.Agent({ keepAlive: true, maxSockets: 64, ca: [...tls.rootCertificates, pem] });
}

/** OpenSSL's codes for a certificate that does not verify (node:tls). */
const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)|ALTNAME/;

/**
 * Before a run against a deployment: that the address answers, and over https that its
 * certificate verifies (the load generator itself never checks one, so this is where an
 * untrusted certificate stops the run). Throws with a message fit for the operator.
 */
export async function checkReachable(url: string, host: string, insecure: boolean): Promise<void> {
  try {
    await request(`${url}/health`, { headers: { host }, insecure, timeoutMs: 10_000 });
  } catch (err) {
    const e = err as Error & { code?: string };
    if (CERTIFICATE_ERRORS.test(e.code ?? '')) {
      throw new Error(`${url}: ${e.message} (${e.code}): this machine does not trust the deployment's certificate; give its CA with --ca <file.pem>, or --insecure for a rehearsal`, { cause: err });
    }
    throw new Error(`${url} does not answer: ${e.message}`, { cause: err });
  }
}

/**
 * One request with node:http(s). Not fetch(): fetch drops a `Host` header, and the
 * gateway routes by Host (the vote site and the results site share one address).
 */
export function request(url: string, opts: RequestOptions = {}): Promise<Answer> {
  const u = new URL(url);
  const secure = u.protocol === 'https:';
  const mod = secure ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        agent: secure ? (opts.insecure ? undefined : agents.https) : agents.http,
        ...(secure && opts.insecure ? { rejectUnauthorized: false } : {}),
        ...(secure && opts.headers?.host ? { servername: opts.headers.host.replace(/:\d+$/, '') } : {}),
        timeout: opts.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${u.pathname}: no answer in ${opts.timeoutMs ?? 15_000} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Closes the kept-alive sockets (end of a run). */
export function closeAgents(): void {
  agents.http.destroy();
  agents.https.destroy();
}
