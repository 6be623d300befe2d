import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../src/health/kube-client';
import { DirectTransport, parseEndpointOverrides, RoutedTransport, ServiceProxyTransport, serviceProxyPath } from '../../src/health/transport';
import { makePki } from './pki';

const PROM = { service: 'prometheus', namespace: 'fl-monitoring', port: 9090 };

let api: Server;
let plain: HttpServer;
let apiUrl: string;
let plainUrl: string;
let ca: string;

// Loopback servers that answer with what they received: the request line and the credentials.
beforeAll(async () => {
  const pki = makePki();
  ca = pki.pem(pki.caFile);
  const echo = (req: { url?: string; headers: Record<string, unknown> }, res: { end: (s: string) => void }) =>
    res.end(JSON.stringify({ url: req.url, authorization: req.headers.authorization ?? null, accept: req.headers.accept }));
  api = createServer({ cert: pki.serverCert, key: pki.serverKey }, echo);
  plain = createHttpServer(echo);
  await Promise.all([new Promise<void>((r) => api.listen(0, '127.0.0.1', r)), new Promise<void>((r) => plain.listen(0, '127.0.0.1', r))]);
  apiUrl = `https://127.0.0.1:${(api.address() as AddressInfo).port}`;
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all([new Promise((r) => api.close(r)), new Promise((r) => plain.close(r))]);
});

test('the service proxy path names the scheme, Service and port; the query passes through', () => {
  expect(serviceProxyPath(PROM, '/api/v1/targets?state=active')).toBe('/api/v1/namespaces/fl-monitoring/services/http:prometheus:9090/proxy/api/v1/targets?state=active');
});

test('through the service proxy: the kube client GETs the proxy path with its credentials', async () => {
  const kube = new KubeClient({ context: 'c', server: apiUrl, ca, token: 'tok', insecureSkipTlsVerify: false });
  const transport = new ServiceProxyTransport(kube);
  const res = await transport.get('prometheus', PROM, '/-/ready');
  expect(JSON.parse(res.body)).toEqual({ url: '/api/v1/namespaces/fl-monitoring/services/http:prometheus:9090/proxy/-/ready', authorization: 'Bearer tok', accept: '*/*' });
  expect(transport.describe('prometheus', PROM, '/-/ready')).toBe(`${apiUrl}/api/v1/namespaces/fl-monitoring/services/http:prometheus:9090/proxy/-/ready`);
});

test('--endpoint overrides go straight to the URL (no credentials); others fall back to the proxy', async () => {
  const direct = new DirectTransport(parseEndpointOverrides([`prometheus=${plainUrl}/`]));
  const routed = new RoutedTransport(direct, new ServiceProxyTransport(new KubeClient({ context: 'c', server: apiUrl, ca, insecureSkipTlsVerify: false })));
  expect(JSON.parse((await routed.get('prometheus', PROM, '/-/ready')).body)).toMatchObject({ url: '/-/ready', authorization: null });
  expect(JSON.parse((await routed.get('loki', { ...PROM, service: 'loki', port: 3100 }, '/ready')).body)).toMatchObject({
    url: '/api/v1/namespaces/fl-monitoring/services/http:loki:3100/proxy/ready',
  });
  const noKube = new RoutedTransport(direct, undefined);
  expect(() => noKube.describe('loki', PROM, '/ready')).toThrow('no way to reach loki: give --endpoint loki=<url> or a kubeconfig');
});

test('--endpoint values are checked', () => {
  expect(parseEndpointOverrides(['loki=http://127.0.0.1:3100', 'grafana=https://127.0.0.1:3000/sub/'])).toEqual(
    new Map([
      ['loki', 'http://127.0.0.1:3100'],
      ['grafana', 'https://127.0.0.1:3000/sub'],
    ]),
  );
  expect(() => parseEndpointOverrides(['loki'])).toThrow("--endpoint must be <component>=<http(s) URL>, got 'loki'");
  expect(() => parseEndpointOverrides(['loki=127.0.0.1:3100'])).toThrow("--endpoint must be <component>=<http(s) URL>, got 'loki=127.0.0.1:3100'");
  expect(() => parseEndpointOverrides(['loki=http://a:1', 'loki=http://b:2'])).toThrow("--endpoint loki is given twice ('http://a:1' and 'http://b:2')");
});
