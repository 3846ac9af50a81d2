# shellcheck shell=bash
# Certificates and kubeconfigs of the local cluster (sourced by hack/local-cluster.sh). Expects PKI and SERVICE_IP.

# Signs a certificate with the cluster CA (or $CA). <name> <subject> <extensions>
sign_cert() {
  local name=$1 subj=$2 ext=$3 ca=${CA:-ca}
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -subj "$subj" \
    -out "$PKI/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

CLIENT_CERT_EXTENSIONS="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"

# Generated once per state dir and kept, so kubeconfigs survive down/up.
PKI_FILES=(ca admin apiserver kube-controller-manager kube-scheduler kwok front-proxy-ca front-proxy-client)
ensure_pki() {
  local f missing=0
  for f in "${PKI_FILES[@]}"; do [[ -f "$PKI/$f.crt" ]] || missing=1; done
  [[ -f "$PKI/.complete" && -f "$PKI/sa.key" && $missing == 0 ]] && return 0
  command -v openssl >/dev/null 2>&1 || die "openssl is required"
  log "generating certificates in $PKI"
  rm -rf "$PKI"
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.crt" \
    -days 3650 -sha256 -subj "/CN=healthcheck-operator-local-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  sign_cert apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:$SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  sign_cert admin "/O=system:masters/CN=kubernetes-admin" "$CLIENT_CERT_EXTENSIONS"
  # Identities with the built-in RBAC roles of these components.
  sign_cert kube-controller-manager "/CN=system:kube-controller-manager" "$CLIENT_CERT_EXTENSIONS"
  sign_cert kube-scheduler "/CN=system:kube-scheduler" "$CLIENT_CERT_EXTENSIONS"
  # kwok updates Node and Pod status and node Leases on behalf of fake kubelets.
  sign_cert kwok "/O=system:masters/CN=kwok" "$CLIENT_CERT_EXTENSIONS"
  # Front-proxy (request header) CA and client: the apiserver's aggregation layer
  # authenticates with it, and kube-controller-manager/kube-scheduler expect its CA
  # in kube-system/extension-apiserver-authentication (they log errors without it).
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$PKI/front-proxy-ca.key" -out "$PKI/front-proxy-ca.crt" \
    -days 3650 -sha256 -subj "/CN=healthcheck-operator-local-front-proxy-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  CA=front-proxy-ca sign_cert front-proxy-client "/CN=front-proxy-client" "$CLIENT_CERT_EXTENSIONS"
  # Service account token signing keypair.
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/sa.key" 2>/dev/null
  openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  touch "$PKI/.complete"
}

write_kubeconfig() { # <file> <client cert name>
  local b64="base64 -w0"
  cat >"$1.tmp" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: healthcheck-local
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $($b64 <"$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $($b64 <"$PKI/$2.crt")
    client-key-data: $($b64 <"$PKI/$2.key")
contexts:
- name: healthcheck-local
  context:
    cluster: healthcheck-local
    user: $2
current-context: healthcheck-local
KUBECONFIG
  chmod 600 "$1.tmp"
  mv -f "$1.tmp" "$1"
}
