#!/usr/bin/env bash
# Throwaway certificates for the test servers' TLS listeners (Kafka SASL_SSL and SSL, Redis
# tls-port), made with openssl in a few milliseconds (EC P-256 keys).
#
#   certs.sh DIR     write the files below into DIR (skipped when DIR/.complete exists)
#
#   ca.pem                 the test CA that signs everything the servers and good clients present
#   server.pem server.key  the servers' certificate: subjectAltName IP:127.0.0.1 only, so a client
#                          that connects by the name "localhost" sees a host name mismatch
#   server-keystore.pem    server.key + server.pem + ca.pem, Kafka's PEM keystore format
#   client.pem client.key  a client certificate (CN=dspfn-client) from the test CA, for mutual TLS
#   other-ca.pem           an unrelated CA: trusting only it must fail to verify the servers
#   other-client.pem other-client.key
#                          a client certificate from the unrelated CA: servers must refuse it
#
# Keys are unencrypted PKCS#8 and readable by the owner only; DIR is meant to be a temp dir
# removed after the run.
set -euo pipefail

die() { echo "certs.sh: $*" >&2; exit 1; }

(($# == 1)) || die "usage: certs.sh DIR"
DIR="$1"
[[ -f "$DIR/.complete" ]] && exit 0
# CI starts from a fresh machine: install openssl the way redis.sh installs redis-server.
if ! command -v openssl >/dev/null 2>&1; then
  asroot=()
  [[ $EUID -eq 0 ]] || { sudo -n true 2>/dev/null && asroot=(sudo -n); } || die "openssl not found and installing it needs root: apt-get install openssl"
  command -v apt-get >/dev/null 2>&1 || die "openssl not found: install it"
  "${asroot[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl >/dev/null 2>&1 ||
    { "${asroot[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 &&
      "${asroot[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl >/dev/null 2>&1; } ||
    die "apt-get install openssl failed"
fi

mkdir -p "$DIR"
umask 077
cd "$DIR"
DAYS=2

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# A self-signed CA: $1 name (file stem), $2 common name.
ca() {
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -sha256 -days "$DAYS" -subj "/O=dspfn tests/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$1.pem" 2>/dev/null
}

# A leaf signed by CA $2: $1 name, $3 common name, $4 extensions (one per line).
leaf() {
  key "$1.key"
  openssl req -new -key "$1.key" -subj "/O=dspfn tests/CN=$3" -out "$1.csr" 2>/dev/null
  printf '%s\n' "$4" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -sha256 -days "$DAYS" \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "dspfn test CA"
ca other-ca "dspfn other CA"
leaf server ca 127.0.0.1 "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=IP:127.0.0.1"
leaf client ca dspfn-client "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
leaf other-client other-ca dspfn-client "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
cat server.key server.pem ca.pem >server-keystore.pem
# The CA keys have done their job; nothing should sign anything else with them.
rm -f ca.key other-ca.key ./*.srl
# The broker JVM and redis-server run as this user; the CA bundles are public anyway.
chmod 644 ca.pem other-ca.pem server.pem client.pem other-client.pem
touch .complete
