/** Reads a results site's public API (docs/verification.md). Only `fetch`: nothing of the project's own code. */
export class Site {
  constructor(
    private readonly base: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  private url(path: string): URL {
    return new URL(path.replace(/^\//, ''), this.base.endsWith('/') ? this.base : `${this.base}/`);
  }

  /** GET a JSON document; throws with the URL and status on anything but 200. */
  async json<T = unknown>(path: string): Promise<T> {
    const res = await this.fetchImpl(this.url(path));
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }

  /** GET a JSON document, or null on 404. */
  async optionalJson<T = unknown>(path: string): Promise<T | null> {
    const res = await this.fetchImpl(this.url(path));
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }

  /** GET raw bytes. */
  async bytes(path: string): Promise<Buffer> {
    const res = await this.fetchImpl(this.url(path));
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }
}
