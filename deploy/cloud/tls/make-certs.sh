#!/bin/sh
# Makes a private CA and a server certificate for the cloud database, with openssl:
#
#   deploy/cloud/tls/make-certs.sh DIR NAME...      e.g.  make-certs.sh ./tls DNS:cloud.example.org IP:203.0.113.10
#
# NAMEs are the subject alternative names the edge will use as CLOUD_HOST (DNS:... or IP:...):
# with ssl-mode=VERIFY_IDENTITY the name in DATABASE_URL must be one of them. Writes into DIR:
#   ca.pem           the CA certificate: give it to every edge service (ssl-ca=...)
#   ca-key.pem       the CA's private key: keep it offline, it signs new server certificates
#   server-cert.pem  server-key.pem   for the database (--ssl-cert, --ssl-key)
# An existing CA in DIR is reused, so a renewed server certificate needs no change on the edge.
set -eu

[ $# -ge 2 ] || {
  echo "usage: $0 DIR DNS:name|IP:address..." >&2
  exit 2
}
dir=$1
shift
san=''
for name in "$@"; do
  case $name in
    DNS:?* | IP:?*) san="${san:+$san,}$name" ;;
    *)
      echo "$0: '$name' is not DNS:name or IP:address" >&2
      exit 2
      ;;
  esac
done
days=${CERT_DAYS:-825}

mkdir -p "$dir"
umask 077
if [ ! -f "$dir/ca.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj '/CN=clima database CA' \
    -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" 2>/dev/null
fi
openssl req -newkey rsa:2048 -nodes -sha256 -subj '/CN=clima database' \
  -keyout "$dir/server-key.pem" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
  "$san" >"$dir/server.ext"
openssl x509 -req -sha256 -days "$days" -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" \
  -CAcreateserial -extfile "$dir/server.ext" -out "$dir/server-cert.pem" 2>/dev/null
rm -f "$dir/server.csr" "$dir/server.ext" "$dir/ca.srl"
chmod 644 "$dir/ca.pem" "$dir/server-cert.pem"
echo "$dir: ca.pem, server-cert.pem and server-key.pem for $san"
