/**
 * Every secret value dspfn holds (passwords, tokens, private keys, URLs with credentials) is
 * registered here when it is read, so that log lines and error messages can be scrubbed of it
 * wherever they are written, whichever library produced the text.
 */
const known = new Set<string>();

/** Shorter values would redact ordinary words; no real password, token or key is this short. */
const MIN_LENGTH = 4;

/** Remembers a secret (and, for a URL, the password in it) for redactSecrets. */
export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_LENGTH) return;
  known.add(value);
  // As it appears inside a JSON log line (quotes, backslashes, newlines of a PEM key escaped).
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) known.add(escaped);
  const password = urlPassword(value);
  if (password !== undefined && password.length >= MIN_LENGTH) {
    known.add(password);
    // Redis URLs carry the password percent-encoded; clients print either form.
    known.add(decodeURIComponentSafe(password));
  }
}

/** `text` with every registered secret replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  if (known.size === 0) return text;
  let out = text;
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out;
}

/** For tests: forget every registered secret. */
export function forgetSecrets(): void {
  known.clear();
}

function urlPassword(value: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^/@]+)@/i.exec(value);
  return match?.[1];
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
