# --- secrets: root-only files from Secret Manager (projects/acme-prod-1234/secrets/hacluster-prod-control-plane), read with this VM's service account ---
hacluster_fetch_secrets() {
  local file='/run/hacluster/secrets.sh' token rc=0
  install -d -m 0700 '/run/hacluster'
  rm -f "$file"
  # A short-lived OAuth token of the VM's service account; it stays in this shell.
  token=$(curl -fsS --max-time 10 -H 'Metadata-Flavor: Google' 'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])') || return 1
  [[ -n $token ]] || return 1
  # The value is a script that writes root-only files: decoded into a root-only file, never printed.
  # The token reaches curl on stdin, never on a command line.
  if ! (umask 077; printf 'Authorization: Bearer %s\n' "$token" |
    curl -fsS --max-time 30 -H @- 'https://secretmanager.googleapis.com/v1/projects/acme-prod-1234/secrets/hacluster-prod-control-plane/versions/latest:access' |
    python3 -c 'import base64, json, sys; sys.stdout.buffer.write(base64.b64decode(json.load(sys.stdin)["payload"]["data"]))' >"$file"); then
    rm -f "$file"
    return 1
  fi
  if [[ $(head -n 1 "$file") != '#!/usr/bin/env bash' ]]; then
    echo "hacluster: secret projects/acme-prod-1234/secrets/hacluster-prod-control-plane does not hold a hacluster secrets script" >&2
    rm -f "$file"
    return 1
  fi
  bash "$file" || rc=$?
  rm -f "$file"
  return "$rc"
}
retry 30 10 hacluster_fetch_secrets
