import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './processes';

/** PEM files of a throwaway CA, a server certificate for 127.0.0.1 and a client certificate. */
export interface Pki {
  readonly dir: string;
  readonly caFile: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  readonly pem: (file: string) => string;
}

/**
 * Makes a CA and two leaf certificates with openssl (EC P-256, one day); the server certificate
 * carries `serverNames` (subjectAltName entries).
 */
export function makePki(clientCommonName = 'health-test', serverNames: readonly string[] = ['IP:127.0.0.1', 'DNS:kubernetes']): Pki {
  const dir = tempDir('pki');
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const key = (name: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  key('ca');
  openssl('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=health-test-ca', '-days', '1', '-out', 'ca.crt');
  const leaf = (name: string, subject: string, ext: string) => {
    key(name);
    openssl('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
  };
  leaf('server', '/CN=127.0.0.1', `subjectAltName=${serverNames.join(',')}\nextendedKeyUsage=serverAuth\n`);
  leaf('client', `/CN=${clientCommonName}/O=system:masters`, 'extendedKeyUsage=clientAuth\n');
  const pem = (file: string) => readFileSync(file, 'utf8');
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    serverCert: pem(join(dir, 'server.crt')),
    serverKey: pem(join(dir, 'server.key')),
    clientCertFile: join(dir, 'client.crt'),
    clientKeyFile: join(dir, 'client.key'),
    pem,
  };
}
