// An etcd that speaks only TLS and asks clients for a certificate (etcd's
// --client-cert-auth), with certificates made by openssl for the test: what
// the node, the renderer and the sidekick are tested against when etcd's
// endpoints are https. Shared by server and deploy tests.

import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from '@jest/globals';
import { Etcd3 } from 'etcd3';

const run = promisify(execFile);

/** PEM files: an authority, etcd's certificate and key for 127.0.0.1, a client's, and an authority nobody uses. */
export interface TlsFiles {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Another authority: what a client that trusts the wrong one has. */
  otherCa: string;
}

export interface TlsEtcd {
  /** `https://127.0.0.1:port`. */
  url: string;
  files: TlsFiles;
  /** A client with the client certificate. */
  client(): Etcd3;
  stop(): Promise<void>;
}

function need(program: string, apt: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error(`${program} is not installed; install it with: apt-get install -y ${apt}`);
  return found;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Makes the certificates of TlsFiles in `dir` (EC P-256, valid for a day). */
export async function makeCertificates(dir: string): Promise<TlsFiles> {
  const openssl = need('openssl', 'openssl');
  const file = (name: string) => path.join(dir, name);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const authority = async (name: string) =>
    run(openssl, [
      'req',
      '-x509',
      ...key,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.pem`),
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
    ]);
  const signed = async (name: string, extensions: string) => {
    await writeFile(file(`${name}.ext`), extensions);
    await run(openssl, ['req', ...key, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`]);
    await run(openssl, [
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.pem`),
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
    ]);
  };
  await Promise.all([authority('ca'), authority('other-ca')]);
  await signed('etcd', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await signed('news-forum', 'extendedKeyUsage=clientAuth\n');
  return {
    ca: file('ca.pem'),
    serverCert: file('etcd.pem'),
    serverKey: file('etcd.key'),
    clientCert: file('news-forum.pem'),
    clientKey: file('news-forum.key'),
    otherCa: file('other-ca.pem'),
  };
}

/** Starts a one-member etcd on 127.0.0.1 that takes only TLS clients with a certificate of `files.ca`. */
export async function startTlsEtcd(): Promise<TlsEtcd> {
  const etcd = need('etcd', 'etcd-server etcd-client');
  const dir = await mkdtemp(path.join(tmpdir(), 'news-forum-etcd-tls-'));
  const files = await makeCertificates(dir);
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `https://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  // etcd's own flags: https for clients, a client certificate required.
  const child: ChildProcess = spawn(
    etcd,
    [
      ...['--name', 'tls', '--data-dir', path.join(dir, 'data'), '--log-level', 'error', '--logger', 'zap'],
      ...['--listen-client-urls', url, '--advertise-client-urls', url],
      ...['--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `tls=${peer}`],
      ...['--cert-file', files.serverCert, '--key-file', files.serverKey, '--trusted-ca-file', files.ca, '--client-cert-auth'],
    ],
    { stdio: 'ignore' },
  );
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const client = () =>
    new Etcd3({
      hosts: [url],
      credentials: {
        rootCertificate: readFileSync(files.ca),
        certChain: readFileSync(files.clientCert),
        privateKey: readFileSync(files.clientKey),
      },
    });
  const stop = async () => {
    process.off('exit', onExit);
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const probe = client();
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`etcd exited (${child.exitCode}) before it answered on ${url}`);
      const ok = await probe.get('probe').then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`etcd did not answer on ${url} within 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    probe.close();
  }
  return { url, files, client, stop };
}

/**
 * A TlsEtcd for the tests of the enclosing describe: started before them,
 * stopped after. The function returned gives it and a client with the client
 * certificate, for reading what the tests wrote.
 */
export function useTlsEtcd(): () => { etcd: TlsEtcd; reader: Etcd3 } {
  let etcd: TlsEtcd | undefined;
  let reader: Etcd3 | undefined;
  beforeAll(async () => {
    etcd = await startTlsEtcd();
    reader = etcd.client();
  }, 60_000);
  afterAll(async () => {
    reader?.close();
    await etcd?.stop();
  });
  return () => {
    if (!etcd || !reader) throw new Error('useTlsEtcd: used outside a test');
    return { etcd, reader };
  };
}
