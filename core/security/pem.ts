import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger/logger.ts';
import { registerSecret } from '../secrets/redact.ts';

/** Certificates and key for a TLS client, as PEM text. */
export interface TlsMaterial {
  /** CA bundle the server's certificate must chain to; default: Node's public roots. */
  ca?: string;
  /** Client certificate (chain) for mutual TLS. */
  cert?: string;
  /** Private key of the client certificate (PKCS#8 or the key's own PEM form). */
  key?: string;
  /** Passphrase of an encrypted key. */
  keyPassword?: string;
}

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;

/**
 * A PEM setting's text: the value itself when it is PEM (an environment variable may hold it,
 * with real newlines or `\n` escapes), else the file it names. A private key is never echoed in
 * a message, nor its path (which could be the key mistyped as text).
 */
export function readPem(value: string, setting: string, kind: 'certificate' | 'key'): string {
  const text = value.includes('\\n') && PEM.test(value) ? value.replace(/\\n/g, '\n') : value;
  if (PEM.test(text)) {
    if (kind === 'key') registerSecret(text);
    return text;
  }
  let contents: string;
  try {
    contents = readFileSync(text.trim(), 'utf8');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(
      kind === 'key'
        ? `${setting} is neither PEM text nor a readable file (${why})`
        : `${setting}: cannot read the ${kind} file "${text.trim()}" (${why}); give a file path or the PEM text`,
    );
  }
  if (!PEM.test(contents)) {
    throw new ConfigError(kind === 'key' ? `${setting}: the file holds no PEM private key` : `${setting}: "${text.trim()}" holds no PEM ${kind}`);
  }
  if (kind === 'key') registerSecret(contents);
  return contents;
}

/** Names of the settings a client reads its TLS material from, for messages. */
export interface TlsSettingNames {
  ca: string;
  cert: string;
  key: string;
  insecure: string;
}

/**
 * Node TLS options for a client: verification stays on (chain and host name) unless `insecure`,
 * which a caller only sets from an explicit setting and always logs (warnInsecure).
 */
export function tlsClientOptions(material: TlsMaterial, insecure: boolean, names: TlsSettingNames): ConnectionOptions {
  if ((material.cert === undefined) !== (material.key === undefined)) {
    throw new ConfigError(`a client certificate needs both ${names.cert} and ${names.key} (only ${material.cert === undefined ? names.key : names.cert} is set)`);
  }
  const options: ConnectionOptions = { rejectUnauthorized: !insecure };
  if (material.ca !== undefined) options.ca = material.ca;
  if (material.cert !== undefined) options.cert = material.cert;
  if (material.key !== undefined) options.key = material.key;
  if (material.keyPassword !== undefined) options.passphrase = material.keyPassword;
  return options;
}

const warned = new Set<string>();

/** Says, once per process and service, that certificates are not checked, and what that exposes. */
export function warnInsecure(logger: Logger, service: string, setting: string): void {
  if (warned.has(service)) return;
  warned.add(service);
  logger.log(
    'warn',
    `TLS CERTIFICATE VERIFICATION IS OFF for ${service} (${setting}): the server's identity is not checked, so anyone on the network path can impersonate it and read the credentials sent to it. Use only against a test server; set the CA bundle instead.`,
    { security: 'tls-verification-off', service, setting },
  );
}
