import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { KubeApiError, KubeClient, labelSelector, statusMessage } from '../../src/health/kube-client';
import type { KubeConnection } from '../../src/health/kubeconfig';
import { makePki, type Pki } from './pki';

// A loopback HTTPS server that authenticates like an API server (client certificate or bearer
// token) and answers what it saw: the client's TLS and auth wiring is exercised for real. The real
// kube-apiserver is the e2e test's job.
let pki: Pki;
let other: Pki;
let server: Server;
let base: string;

beforeAll(async () => {
  pki = makePki('health-test');
  other = makePki('stranger');
  server = createServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.pem(pki.caFile), requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const user = socket.authorized ? `cert:${socket.getPeerCertificate().subject.CN}` : req.headers.authorization === 'Bearer good-token' ? 'token:bot' : undefined;
    res.setHeader('content-type', 'application/json');
    if (user === undefined) {
      res.writeHead(401).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', code: 401 }));
    } else if (req.url === '/version') {
      res.writeHead(200).end(JSON.stringify({ gitVersion: 'v1.35.0', user, accept: req.headers.accept }));
    } else {
      res.writeHead(404).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `the server could not find the requested resource (${req.url})`, code: 404 }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

function connection(overrides: Partial<KubeConnection>): KubeConnection {
  return { context: 'test', server: base, ca: pki.pem(pki.caFile), insecureSkipTlsVerify: false, ...overrides };
}

test('a client certificate authenticates, the server is verified against the context CA', async () => {
  const kube = new KubeClient(connection({ cert: pki.pem(pki.clientCertFile), key: pki.pem(pki.clientKeyFile) }));
  expect(await kube.get('/version')).toEqual({ gitVersion: 'v1.35.0', user: 'cert:health-test', accept: 'application/json' });
});

test('a bearer token authenticates; without credentials the Status message is the error', async () => {
  expect(await new KubeClient(connection({ token: 'good-token' })).get('/version')).toMatchObject({ user: 'token:bot' });
  await expect(new KubeClient(connection({})).get('/version')).rejects.toThrow(new KubeApiError('/version', 401, 'Unauthorized'));
});

test('404: find gives undefined, get throws naming the path', async () => {
  const kube = new KubeClient(connection({ token: 'good-token' }));
  expect(await kube.find('/api/v1/namespaces/x/services/none')).toBeUndefined();
  await expect(kube.get('/api/v1/namespaces/x/services/none')).rejects.toThrow(
    'GET /api/v1/namespaces/x/services/none: HTTP 404: the server could not find the requested resource (/api/v1/namespaces/x/services/none)',
  );
});

test('a server certificate from another CA is refused; insecure-skip-tls-verify accepts it', async () => {
  await expect(new KubeClient(connection({ ca: other.pem(other.caFile), token: 'good-token' })).get('/version')).rejects.toThrow(
    new RegExp(`^GET ${base}/version: .*(certificate|self.signed)`),
  );
  expect(await new KubeClient(connection({ ca: undefined, insecureSkipTlsVerify: true, token: 'good-token' })).get('/version')).toMatchObject({ user: 'token:bot' });
});

test('tls-server-name is the name verified (the certificate holds DNS:kubernetes, not "elsewhere")', async () => {
  expect(await new KubeClient(connection({ tlsServerName: 'kubernetes', token: 'good-token' })).get('/version')).toMatchObject({ gitVersion: 'v1.35.0' });
  await expect(new KubeClient(connection({ tlsServerName: 'elsewhere', token: 'good-token' })).get('/version')).rejects.toThrow(/elsewhere/);
});

test('an API server that is not listening: the error names the URL', async () => {
  const kube = new KubeClient(connection({ server: 'https://127.0.0.1:1' }), 2000);
  await expect(kube.get('/version')).rejects.toThrow('GET https://127.0.0.1:1/version: connect ECONNREFUSED 127.0.0.1:1');
});

test('label selectors are sorted key=value pairs; Status messages are read from the body', () => {
  expect(labelSelector({ 'app.kubernetes.io/part-of': 'fl-observability', 'app.kubernetes.io/name': 'loki' })).toBe('app.kubernetes.io/name=loki,app.kubernetes.io/part-of=fl-observability');
  expect(statusMessage('{"kind":"Status","message":"no endpoints available for service \\"loki\\""}')).toBe('no endpoints available for service "loki"');
  expect(statusMessage('Bad Gateway\nmore')).toBe('Bad Gateway');
  expect(statusMessage('')).toBe('(empty body)');
});
