import * as http from 'node:http';
import * as https from 'node:https';

/** A response read whole: health endpoints answer small bodies. */
export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** Options of {@link httpGet}. */
export interface HttpGetOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** TLS settings for https URLs. */
  readonly tls?: https.RequestOptions;
  /** @default 10000 */
  readonly timeoutMs?: number;
  /** Bodies longer than this are cut (a probe never needs more). @default 8 MiB */
  readonly maxBytes?: number;
}

/** A transport failure (refused, reset, timed out, TLS): its message names the URL. */
export class HttpError extends Error {
  constructor(
    public readonly url: string,
    cause: string,
  ) {
    super(`GET ${url}: ${cause}`);
    this.name = 'HttpError';
  }
}

/** One GET with node's http/https, no redirects followed. */
export function httpGet(url: string, options: HttpGetOptions = {}): Promise<HttpResponse> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 8 * 2 ** 20;
  const target = new URL(url);
  const lib = target.protocol === 'https:' ? https : http;
  return new Promise((resolvePromise, reject) => {
    const req = lib.request(
      target,
      { method: 'GET', headers: { ...options.headers }, ...(target.protocol === 'https:' ? options.tls : {}), agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < maxBytes) {
            chunks.push(chunk);
            size += chunk.length;
          }
        });
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(new HttpError(url, err.message)));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => reject(new HttpError(url, err.message)));
    req.end();
  });
}

/** The first line of a body, shortened: enough to say why a request failed. */
export function firstLine(body: string, max = 160): string {
  const line = body.trim().split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
