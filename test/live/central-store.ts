/**
 * A central metrics store as an organisation runs one outside the cluster: a second VictoriaMetrics
 * (Apache-2.0) on loopback that takes writes only over HTTPS (a throwaway CA, a certificate for its
 * public host name) and only with HTTP basic auth (`-httpAuth.username`/`-httpAuth.password`). The live
 * stack's Prometheus reaches it through the transform's URL substitution (its public URL → loopback),
 * with the CA, server name and password from the files its Secret mounts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { request } from 'node:https';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { tool } from '../tools';
import { ManagedProcess } from './processes';

const LOOPBACK = '127.0.0.1';

/** Options of {@link startCentralStore}. */
export interface CentralStoreOptions {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** The host name its certificate is issued for (what the remote_write URL and `serverName` say). */
  readonly hostName: string;
  /** The basic-auth user. */
  readonly username: string;
}

/** Credentials of one request: the store's, wrong ones, or none. */
export type Credentials = { readonly username: string; readonly password: string } | undefined;

/** The running store. */
export interface CentralStore {
  readonly process: ManagedProcess;
  /** `https://127.0.0.1:<port>`, which the substitution points the public URL to. */
  readonly url: string;
  readonly username: string;
  /** A random password (only in its flag file and the Prometheus Secret). */
  readonly password: string;
  /** The CA certificate (PEM) that signs its certificate: the Prometheus Secret's `ca.crt`. */
  readonly caPem: string;
  /** GET `path` with `params` over TLS (verified against the CA, SNI = the host name): status and body. */
  get(path: string, params: Readonly<Record<string, string>>, credentials: Credentials): Promise<{ status: number; body: string }>;
  /**
   * `promtool push metrics` of an exposition text to its remote_write endpoint, as a remote_write
   * client would send it: exit status and output.
   */
  push(exposition: string, credentials: Credentials): { status: number | null; output: string };
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

/** A throwaway CA and a server certificate for `hostName` (EC P-256, one day), made with openssl. */
function makeCertificates(dir: string, hostName: string): { caFile: string; certFile: string; keyFile: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const key = (name: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  key('ca');
  openssl('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=central-store-test-ca', '-days', '1', '-out', 'ca.crt');
  key('server');
  openssl('req', '-new', '-key', 'server.key', '-subj', `/CN=${hostName}`, '-out', 'server.csr');
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=DNS:${hostName}\nextendedKeyUsage=serverAuth\n`);
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'server.ext', '-out', 'server.crt');
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}

/** Starts the store (not waiting: poll {@link CentralStore.get} of `/health`). */
export function startCentralStore(options: CentralStoreOptions): CentralStore {
  const dir = mkdtempSync(join(tmpdir(), 'flobs-central-'));
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  const { caFile, certFile, keyFile } = makeCertificates(dir, options.hostName);
  const password = `pw-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, password);
  const caPem = readFileSync(caFile, 'utf8');
  const process = new ManagedProcess({
    name: 'central-victoria-metrics',
    command: tool('victoria-metrics'),
    args: [
      `-httpListenAddr=${LOOPBACK}:${options.port}`,
      `-storageDataPath=${data}`,
      '-retentionPeriod=1d',
      '-tls',
      `-tlsCertFile=${certFile}`,
      `-tlsKeyFile=${keyFile}`,
      `-httpAuth.username=${options.username}`,
      // Read from a file: the password never shows in the process table.
      `-httpAuth.password=file://${passwordFile}`,
    ],
    env: { PATH: globalThis.process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
    cwd: dir,
    criLog: join(dir, 'output.log'),
  });

  const get: CentralStore['get'] = (path, params, credentials) =>
    new Promise((done) => {
      const query = new URLSearchParams(params).toString();
      const req = request(
        {
          host: LOOPBACK,
          port: options.port,
          path: query === '' ? path : `${path}?${query}`,
          ca: caPem,
          servername: options.hostName,
          ...(credentials === undefined ? {} : { auth: `${credentials.username}:${credentials.password}` }),
          timeout: 10_000,
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => done({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', () => done({ status: 0, body: '' }));
      req.on('timeout', () => req.destroy());
      req.end();
    });

  const push: CentralStore['push'] = (exposition, credentials) => {
    const pushDir = mkdtempSync(join(dir, 'push-'));
    writeFileSync(join(pushDir, 'metrics.prom'), exposition);
    // The client side as Prometheus's remote_write has it: CA and server name, basic auth when given
    // (promtool appends the remote_write path /api/v1/write to the URL).
    const http = {
      tls_config: { ca_file: caFile, server_name: options.hostName },
      ...(credentials === undefined ? {} : { basic_auth: { username: credentials.username, password: credentials.password } }),
    };
    writeFileSync(join(pushDir, 'http.yml'), stringify(http));
    const r = spawnSync(tool('promtool'), ['push', 'metrics', '--http.config.file=http.yml', '--timeout=10s', `https://${LOOPBACK}:${options.port}`, 'metrics.prom'], {
      cwd: pushDir,
      encoding: 'utf8',
    });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };

  return {
    process,
    url: `https://${LOOPBACK}:${options.port}`,
    username: options.username,
    password,
    caPem,
    get,
    push,
    async stop() {
      await process.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
