import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeconfigError, kubeconfigFiles, loadKubeconfig } from '../../src/health/kubeconfig';
import { makePki, type Pki } from './pki';
import { tempDir, writeYaml } from './processes';

let pki: Pki;

beforeAll(() => {
  pki = makePki();
});

/** A kubeconfig with two contexts: `certs` (files next to it, relative paths) and `token` (inline data). */
function kubeconfig(dir: string = tempDir('kubeconfig')): string {
  copyFileSync(pki.caFile, join(dir, 'ca.crt'));
  copyFileSync(pki.clientCertFile, join(dir, 'client.crt'));
  copyFileSync(pki.clientKeyFile, join(dir, 'client.key'));
  writeFileSync(join(dir, 'token'), 'file-token\n');
  return writeYaml(dir, 'config', {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'certs',
    clusters: [
      { name: 'local', cluster: { server: 'https://127.0.0.1:6443/', 'certificate-authority': 'ca.crt' } },
      { name: 'inline', cluster: { server: 'https://127.0.0.1:7443', 'certificate-authority-data': Buffer.from(pki.pem(pki.caFile)).toString('base64'), 'tls-server-name': 'kubernetes' } },
    ],
    users: [
      { name: 'admin', user: { 'client-certificate': 'client.crt', 'client-key': 'client.key' } },
      { name: 'bot', user: { token: 'inline-token' } },
      { name: 'bot-file', user: { tokenFile: 'token' } },
      { name: 'plugin', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws' } } },
      { name: 'half', user: { 'client-certificate': 'client.crt' } },
    ],
    contexts: [
      { name: 'certs', context: { cluster: 'local', user: 'admin', namespace: 'fl-monitoring' } },
      { name: 'token', context: { cluster: 'inline', user: 'bot' } },
      { name: 'token-file', context: { cluster: 'local', user: 'bot-file' } },
      { name: 'plugin', context: { cluster: 'local', user: 'plugin' } },
      { name: 'half', context: { cluster: 'local', user: 'half' } },
      { name: 'lost', context: { cluster: 'nowhere', user: 'admin' } },
    ],
  });
}

test('the current context: server (trailing slash dropped), CA and client certificate read relative to the file', () => {
  const c = loadKubeconfig([kubeconfig()]);
  expect(c).toMatchObject({ context: 'certs', server: 'https://127.0.0.1:6443', namespace: 'fl-monitoring', insecureSkipTlsVerify: false });
  expect(c.ca).toBe(pki.pem(pki.caFile));
  expect(c.cert).toBe(pki.pem(pki.clientCertFile));
  expect(c.key).toBe(pki.pem(pki.clientKeyFile));
  expect(c.token).toBeUndefined();
});

test('another context by name: inline CA data, a token, tls-server-name; a token file', () => {
  const file = kubeconfig();
  const c = loadKubeconfig([file], 'token');
  expect(c).toMatchObject({ context: 'token', server: 'https://127.0.0.1:7443', token: 'inline-token', tlsServerName: 'kubernetes' });
  expect(c.ca).toBe(pki.pem(pki.caFile));
  expect(c.cert).toBeUndefined();
  expect(loadKubeconfig([file], 'token-file').token).toBe('file-token');
});

test('several files merge as kubectl does: the first definition of a name wins, the first current-context too', () => {
  const first = kubeconfig();
  const second = writeYaml(tempDir('kubeconfig2'), 'config', {
    'current-context': 'other',
    clusters: [{ name: 'local', cluster: { server: 'https://10.0.0.1:6443' } }, { name: 'other', cluster: { server: 'https://127.0.0.1:9443', 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'other', user: { token: 't2' } }],
    contexts: [{ name: 'other', context: { cluster: 'other', user: 'other' } }],
  });
  expect(loadKubeconfig([first, second]).server).toBe('https://127.0.0.1:6443');
  expect(loadKubeconfig([second, first]).context).toBe('other');
  expect(loadKubeconfig([first, second], 'other')).toMatchObject({ server: 'https://127.0.0.1:9443', insecureSkipTlsVerify: true, token: 't2' });
});

test('which files: --kubeconfig, else $KUBECONFIG as a path list, else ~/.kube/config', () => {
  expect(kubeconfigFiles('/a/config', { KUBECONFIG: '/b:/c' })).toEqual(['/a/config']);
  expect(kubeconfigFiles(undefined, { KUBECONFIG: '/b::/c' })).toEqual(['/b', '/c']);
  expect(kubeconfigFiles(undefined, { HOME: '/home/op' })).toEqual(['/home/op/.kube/config']);
});

test.each([
  ['missing', (f: string) => loadKubeconfig([f], 'missing'), /^context 'missing' is not in kubeconfig .*config \(contexts: certs, token, token-file, plugin, half, lost\)$/],
  ['lost', (f: string) => loadKubeconfig([f], 'lost'), /^context 'lost': cluster 'nowhere' is not in kubeconfig /],
  ['plugin', (f: string) => loadKubeconfig([f], 'plugin'), /users\[plugin\]\.exec is not supported \(no credential plugin is run\)/],
  ['half', (f: string) => loadKubeconfig([f], 'half'), /users\[half\] needs both client-certificate and client-key \(got only the certificate\)$/],
  ['unreadable', (_f: string) => loadKubeconfig(['/nonexistent/kubeconfig']), /^cannot read kubeconfig \/nonexistent\/kubeconfig: ENOENT/],
])('refused with a message naming the field and value: %s', (_name, load, message) => {
  const file = kubeconfig();
  expect(() => load(file)).toThrow(KubeconfigError);
  expect(() => load(file)).toThrow(message);
});

test('a server that is not an http(s) URL, and no current context, are refused by name', () => {
  const dir = tempDir('kubeconfig-bad');
  const bad = writeYaml(dir, 'config', {
    'current-context': 'c',
    clusters: [{ name: 'k', cluster: { server: '127.0.0.1:6443' } }],
    users: [],
    contexts: [{ name: 'c', context: { cluster: 'k' } }],
  });
  expect(() => loadKubeconfig([bad])).toThrow(/clusters\[k\]\.server must be an http\(s\) URL \(got "127\.0\.0\.1:6443"\)$/);
  const none = writeYaml(dir, 'none', { clusters: [], users: [], contexts: [{ name: 'a', context: { cluster: 'k' } }] });
  expect(() => loadKubeconfig([none])).toThrow(/has no current-context: pass --context \(contexts: a\)$/);
});
