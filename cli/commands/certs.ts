// gsched certs init DIR: a local certificate authority and certificates for a test cluster,
// made with the system's openssl: the scheduler's server certificate (HTTPS and gRPC) and an
// agent client certificate (gRPC mutual TLS). Keys are written readable by the owner only.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { print, printJson } from '../output.js';

export interface CertFiles {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  agentCert: string;
  agentKey: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new CliError('openssl is not installed (apt-get install openssl)', 1);
    throw new CliError(`openssl ${args[0]} failed: ${e.stderr?.toString().trim().split('\n').pop() ?? e.message}`, 1);
  }
}

/** Writes ca.pem (+ ca.key), server.pem/.key and agent.pem/.key into `dir`. */
export function initCerts(dir: string, hosts: string[], days: number, force = false): CertFiles {
  const d = resolve(dir);
  const files: CertFiles = { dir: d, ca: join(d, 'ca.pem'), serverCert: join(d, 'server.pem'), serverKey: join(d, 'server.key'), agentCert: join(d, 'agent.pem'), agentKey: join(d, 'agent.key') };
  if (!force && existsSync(files.ca)) throw new CliError(`${files.ca} exists already: choose another folder or pass --force to replace it`, 2);
  mkdirSync(d, { recursive: true, mode: 0o700 });
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts])];
  const san = names.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', String(days), '-subj', '/CN=gsched local CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], d);
  const leaf = (name: string, cn: string, ext: string): void => {
    openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], d);
    writeFileSync(join(d, `${name}.ext`), ext);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', String(days), '-extfile', `${name}.ext`], d);
    rmSync(join(d, `${name}.csr`));
    rmSync(join(d, `${name}.ext`));
  };
  leaf('server', 'gsched scheduler', `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
  leaf('agent', 'gsched agent', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  rmSync(join(d, 'ca.srl'), { force: true });
  for (const k of ['ca.key', 'server.key', 'agent.key']) chmodSync(join(d, k), 0o600);
  return files;
}

export function registerCertsCommands(program: Command): void {
  const certs = program.command('certs').description('TLS certificates for a test cluster');
  certs
    .command('init')
    .description('make a local CA, a scheduler certificate (HTTPS + gRPC) and an agent client certificate (mTLS) with openssl')
    .argument('<dir>', 'folder to write them to')
    .option('--host <name>', 'another host name or address the scheduler is reached by (repeat for more; localhost, 127.0.0.1 and ::1 are always in)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--days <n>', 'validity in days', '365')
    .option('--force', 'replace certificates already in the folder')
    .option('--json', 'print the file paths as JSON')
    .action((dir: string, opts: { host?: string[]; days: string; force?: boolean; json?: boolean }) => {
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1 || days > 36_500) throw new CliError(`--days must be a whole number from 1 to 36500, got ${JSON.stringify(opts.days)}`, 2);
      for (const h of opts.host ?? []) {
        if (!/^[A-Za-z0-9.:-]{1,253}$/.test(h)) throw new CliError(`--host ${JSON.stringify(h)} is not a host name or address`, 2);
      }
      const f = initCerts(dir, opts.host ?? [], days, opts.force === true);
      if (opts.json) return printJson(f);
      print(`certificates in ${f.dir}: ca.pem, server.pem/.key (scheduler), agent.pem/.key (agents); keys are mode 600`);
      print(`start with TLS: gsched up --tls ${dir}   (the CLI then trusts <state>/ca.pem for https URLs)`);
    });
}
