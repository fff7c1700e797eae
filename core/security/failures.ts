/**
 * Security failures (refused credentials, certificates that do not verify) in words that name
 * what failed and what to set, instead of an OpenSSL error string. Messages hold user names,
 * host names and setting names, never a password, token or key.
 */

export type SecurityFailureKind = 'credentials' | 'permission' | 'server-certificate' | 'host-name' | 'client-certificate' | 'not-tls';

export interface SecurityFailure {
  kind: SecurityFailureKind;
  /** Whether reading the credentials again could help (a rotated password or certificate). */
  credentialsRefused: boolean;
  message: string;
}

export interface FailureContext {
  /** "Kafka", "Redis". */
  service: string;
  /** The user the client logged in as, when there is one. */
  user?: string | undefined;
  /** Setting names for the hints. */
  caSetting: string;
  certSetting: string;
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** TLS alerts a server sends when it rejects the client's certificate (RFC 8446 §6.2). */
const CLIENT_CERT_ALERTS: Record<number, string> = {
  42: 'bad certificate',
  43: 'unsupported certificate',
  44: 'certificate revoked',
  45: 'certificate expired',
  46: 'certificate unknown',
  48: 'unknown CA',
  116: 'certificate required',
};

/** The alert's name when a server ended the handshake over the client's certificate. */
function clientCertificateAlert(code: string, message: string): string | undefined {
  const number = /alert number (\d+)/.exec(message)?.[1];
  if (number !== undefined) return CLIENT_CERT_ALERTS[Number(number)];
  const name = /_ALERT_(\w+)$/.exec(code)?.[1]?.toLowerCase().replace(/_/g, ' ');
  return name !== undefined && Object.values(CLIENT_CERT_ALERTS).some((label) => label.toLowerCase() === name) ? name : undefined;
}

type Node = { code?: unknown; name?: unknown; message?: unknown; apiId?: unknown };

/**
 * The error and every error it wraps, depth first: `cause`, kafkajs's `originalError`, and the
 * `errors` of an AggregateError (@platformatic/kafka nests its retries and brokers as
 * MultipleErrors of causes of …). Bounded, since the tree comes from a library.
 */
function chain(error: unknown): Node[] {
  const out: Node[] = [];
  const seen = new Set<object>();
  const visit = (current: unknown, depth: number): void => {
    if (current === null || typeof current !== 'object' || seen.has(current) || depth > 10 || out.length >= 64) return;
    seen.add(current);
    out.push(current as Node);
    const { cause, originalError, errors } = current as { cause?: unknown; originalError?: unknown; errors?: unknown };
    visit(cause, depth + 1);
    visit(originalError, depth + 1);
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return out;
}

/** A refused SASL login, as kafkajs and @platformatic/kafka report it (Kafka error 58, SASL_AUTHENTICATION_FAILED). */
function saslRefused(e: Node): boolean {
  if (text(e.name) === 'KafkaJSSASLAuthenticationError') return true;
  if (text(e.apiId) === 'SASL_AUTHENTICATION_FAILED') return true;
  return text(e.code) === 'PLT_KFK_AUTHENTICATION' && /^SASL authentication failed/.test(text(e.message));
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** What went wrong, when `error` is a security failure; undefined for anything else. */
export function securityFailure(error: unknown, context: FailureContext): SecurityFailure | undefined {
  const who = context.user ? ` of user "${context.user}"` : '';
  for (const e of chain(error)) {
    const code = text(e.code);
    const message = text(e.message);
    const sasl = saslRefused(e);
    if (sasl || /^WRONGPASS\b/.test(message)) {
      const reply = sasl ? 'SASL authentication failed' : 'WRONGPASS';
      return {
        kind: 'credentials',
        credentialsRefused: true,
        message: `${context.service} refused the credentials${who}: wrong password or unknown user (${reply})`,
      };
    }
    if (/^NOAUTH\b/.test(message)) {
      return { kind: 'credentials', credentialsRefused: true, message: `${context.service} requires a user name and password; the URL gives none` };
    }
    if (/^NOPERM\b/.test(message)) {
      return { kind: 'permission', credentialsRefused: false, message: `${context.service} user${context.user ? ` "${context.user}"` : ''} lacks a permission dspfn needs: ${message.slice(0, 200)}` };
    }
    if (UNTRUSTED.has(code)) {
      return {
        kind: 'server-certificate',
        credentialsRefused: false,
        message: `${context.service} server certificate not trusted (${code}): it is not signed by a CA in ${context.caSetting} (or the public roots when that is unset)`,
      };
    }
    if (EXPIRED.has(code)) {
      return { kind: 'server-certificate', credentialsRefused: false, message: `${context.service} server certificate is not valid now (${code})` };
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /does not match certificate's altnames/.test(message)) {
      const detail = /Host: [^\n]*|IP: [^\n]*/.exec(message)?.[0];
      return {
        kind: 'host-name',
        credentialsRefused: false,
        message: `${context.service} server certificate does not match the host name connected to${detail ? ` (${detail.trim()})` : ''}: connect by a name the certificate lists`,
      };
    }
    const alert = clientCertificateAlert(code, message);
    if (alert !== undefined) {
      return {
        kind: 'client-certificate',
        credentialsRefused: true,
        message: `${context.service} refused the TLS client certificate (alert: ${alert}): set ${context.certSetting} to a certificate its CA trusts`,
      };
    }
    if (/wrong version number|packet length too long|unknown protocol/i.test(message)) {
      return { kind: 'not-tls', credentialsRefused: false, message: `${context.service} did not answer with TLS: is this port a TLS listener?` };
    }
  }
  return undefined;
}
