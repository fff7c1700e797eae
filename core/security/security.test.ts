import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger/logger.ts';
import { securityFailure } from './failures.ts';
import { readPem, tlsClientOptions, warnInsecure } from './pem.ts';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAkeymaterial\n-----END PRIVATE KEY-----\n';
const NAMES = { ca: 'X_CA', cert: 'X_CERT', key: 'X_KEY', insecure: 'X_INSECURE' };
const dir = mkdtempSync(join(tmpdir(), 'dspfn-pem-'));

describe('readPem', () => {
  it('takes PEM text as is, with real or \\n-escaped newlines, or reads the file a path names', () => {
    expect(readPem(CERT, 'X_CA', 'certificate')).toBe(CERT);
    expect(readPem(CERT.replace(/\n/g, '\\n'), 'X_CA', 'certificate')).toBe(CERT);
    const file = join(dir, 'ca.pem');
    writeFileSync(file, CERT);
    expect(readPem(` ${file} `, 'X_CA', 'certificate')).toBe(CERT);
  });

  it('names a missing or empty certificate file, but never echoes what was given for a key', () => {
    expect(() => readPem('/no/such/ca.pem', 'X_CA', 'certificate')).toThrow(new ConfigError('X_CA: cannot read the certificate file "/no/such/ca.pem" (ENOENT); give a file path or the PEM text'));
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(() => readPem(notPem, 'X_CA', 'certificate')).toThrow(`X_CA: "${notPem}" holds no PEM certificate`);
    const keyMistypedAsText = 'MIGHAgEAkeymaterial-without-header';
    const error = (() => {
      try {
        readPem(keyMistypedAsText, 'X_KEY', 'key');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toBe('X_KEY is neither PEM text nor a readable file (ENOENT)');
    expect(() => readPem(notPem, 'X_KEY', 'key')).toThrow(/^X_KEY: the file holds no PEM private key$/);
  });
});

describe('tlsClientOptions', () => {
  it('verifies by default, passes the material on, and needs certificate and key together', () => {
    expect(tlsClientOptions({}, false, NAMES)).toEqual({ rejectUnauthorized: true });
    expect(tlsClientOptions({ ca: CERT, cert: CERT, key: KEY, keyPassword: 'pw' }, false, NAMES)).toEqual({ rejectUnauthorized: true, ca: CERT, cert: CERT, key: KEY, passphrase: 'pw' });
    expect(tlsClientOptions({}, true, NAMES)).toEqual({ rejectUnauthorized: false });
    expect(() => tlsClientOptions({ cert: CERT }, false, NAMES)).toThrow('a client certificate needs both X_CERT and X_KEY (only X_CERT is set)');
    expect(() => tlsClientOptions({ key: KEY }, false, NAMES)).toThrow('(only X_KEY is set)');
  });

  it('warns once per service, loudly, when verification is off', () => {
    const lines: unknown[] = [];
    const logger: Logger = { log: (level, message, fields) => void lines.push({ level, message, ...fields }) };
    warnInsecure(logger, 'TestService', 'X_INSECURE');
    warnInsecure(logger, 'TestService', 'X_INSECURE');
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', security: 'tls-verification-off', message: expect.stringMatching(/^TLS CERTIFICATE VERIFICATION IS OFF for TestService \(X_INSECURE\)/) })]);
  });
});

describe('securityFailure', () => {
  const context = { service: 'Kafka', user: 'svc', caSetting: 'X_CA', certSetting: 'X_CERT' };
  // Shapes as kafkajs and Node raise them (the integration tests see the real ones).
  const wrapped = (inner: object) => Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', cause: Object.assign(new Error(`Connection error: ${(inner as Error).message ?? ''}`), { name: 'KafkaJSConnectionError', ...inner }) });

  it.each([
    [Object.assign(new Error('SASL SCRAM SHA512 authentication failed'), { name: 'KafkaJSSASLAuthenticationError' }), 'credentials', 'Kafka refused the credentials of user "svc": wrong password or unknown user (SASL authentication failed)'],
    [new Error('WRONGPASS invalid username-password pair or user is disabled.'), 'credentials', 'Kafka refused the credentials of user "svc": wrong password or unknown user (WRONGPASS)'],
    [wrapped({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }), 'server-certificate', 'Kafka server certificate not trusted (SELF_SIGNED_CERT_IN_CHAIN): it is not signed by a CA in X_CA (or the public roots when that is unset)'],
    [Object.assign(new Error("Hostname/IP does not match certificate's altnames: Host: localhost. is not cert's CN: 127.0.0.1"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'host-name', "Kafka server certificate does not match the host name connected to (Host: localhost. is not cert's CN: 127.0.0.1): connect by a name the certificate lists"],
    [wrapped({ message: 'error:0A000416:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown:../rec_layer_s3.c:1601:SSL alert number 46\n' }), 'client-certificate', 'Kafka refused the TLS client certificate (alert: certificate unknown): set X_CERT to a certificate its CA trusts'],
    [Object.assign(new Error('error:0A000418:SSL routines::tlsv1 alert unknown ca'), { code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' }), 'client-certificate', 'Kafka refused the TLS client certificate (alert: unknown ca): set X_CERT to a certificate its CA trusts'],
    [Object.assign(new Error('CERT_HAS_EXPIRED'), { code: 'CERT_HAS_EXPIRED' }), 'server-certificate', 'Kafka server certificate is not valid now (CERT_HAS_EXPIRED)'],
    [new Error('NOPERM this user has no permissions to run the \'evalsha\' command'), 'permission', 'Kafka user "svc" lacks a permission dspfn needs: NOPERM this user has no permissions to run the \'evalsha\' command'],
    [new Error('error:0A00010B:SSL routines::wrong version number'), 'not-tls', 'Kafka did not answer with TLS: is this port a TLS listener?'],
  ])('explains %s', (error, kind, message) => {
    expect(securityFailure(error, context)).toMatchObject({ kind, message });
  });

  it('leaves other errors alone, and only refusals of credentials invite a re-read', () => {
    expect(securityFailure(new Error('connect ECONNREFUSED 127.0.0.1:1'), context)).toBeUndefined();
    expect(securityFailure('a string', context)).toBeUndefined();
    expect(securityFailure(new Error('WRONGPASS x'), context)?.credentialsRefused).toBe(true);
    expect(securityFailure(Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), context)?.credentialsRefused).toBe(false);
  });
});
