#!/usr/bin/env bash
# The production set-up, end to end, on this machine: nginx from deploy/nginx (the
# shipped template, rendered by deploy/nginx/render) with a throwaway certificate in
# front of two app servers and the worker, each started by bin/serve as the systemd
# units in deploy/systemd start them, files in an S3 bucket (moto_server), and the
# PostgreSQL at DATABASE_URL (an empty database: it is migrated here). walk.py then
# uses the service through nginx as a browser would. Run as root on Debian 12
# (.ci/run runs it); everything it starts is stopped at the end.
#   DATABASE_URL=postgres://... tests/production/check.sh
# With LOAD_TEST=1, the same set-up over a database bench/grow.py grew is measured by
# bench/load.sh (issue 14's load test) instead of walked:
#   LOAD_TEST=1 DATABASE_URL=postgres://.../bench_years tests/production/check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?an empty PostgreSQL database: postgres://...}"

started=$(date +%s)
say() { printf '  [%ss] %s\n' "$(($(date +%s) - started))" "$*"; }

# nginx, envsubst (deploy/nginx/render) and openssl (the throwaway certificate), from Debian.
missing=()
for package in nginx gettext-base openssl; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (Debian's packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi

free_port() { .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HTTPS_PORT=${PRODUCTION_CHECK_HTTPS_PORT:-8443}
HTTP_PORT=$(free_port)
WEB_1=$(free_port)
WEB_2=$(free_port)
S3_PORT=$(free_port)

work=$(mktemp -d)
chmod 755 "$work" # nginx's workers (nobody) read the static files and write request bodies here
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop_all EXIT
# On failure, what each process said.
show_logs() {
  for log in "$work"/logs/*.log; do
    printf '\n--- %s (last 40 lines)\n' "$(basename "$log")"
    tail -n 40 "$log"
  done
}
trap 'show_logs' ERR
mkdir -p "$work/logs" "$work/static" "$work/media" "$work/tls"

# The service's settings, as /etc/dscb/dscb.env holds them in production (deploy/dscb.env.example).
export SECRET_KEY=ci-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123
export DEBUG=false
export ALLOWED_HOSTS=127.0.0.1
export SITE_URL=https://127.0.0.1:$HTTPS_PORT
# $host carries no port, so the browser's origin (with :8443) must be named.
export CSRF_TRUSTED_ORIGINS=https://127.0.0.1:$HTTPS_PORT
export TRUSTED_PROXY_COUNT=1
export TRUST_X_FORWARDED_PROTO=true
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
export STATIC_ROOT=$work/static
# Must stay empty: every file goes to the bucket.
export MEDIA_ROOT=$work/media
export S3_BUCKET=dscb-production-check
export S3_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
export S3_REGION=us-east-1
export AWS_ACCESS_KEY_ID=production-check
export AWS_SECRET_ACCESS_KEY=production-check
export WEB_CONCURRENCY=2

say "S3 (moto_server) on port $S3_PORT"
.venv/bin/moto_server -H 127.0.0.1 -p "$S3_PORT" >"$work/logs/moto.log" 2>&1 &
pids+=($!)

say "collectstatic and migrate"
.venv/bin/python manage.py collectstatic --noinput -v 0
chmod -R a+rX "$work/static"
.venv/bin/python manage.py migrate --noinput -v 0

if [ -n "${LOAD_TEST:-}" ]; then
  say "the bucket"
  .venv/bin/python tests/production/seed.py --bucket-only
else
  say "the bucket, and an Executive member with an authenticator, a plan and a report"
  .venv/bin/python tests/production/seed.py >"$work/seed.json"
fi

# Each app server as deploy/systemd/dscb-web@.service starts it: its Environment= line
# with the port for %i, then its ExecStart from this checkout rather than /srv/dscb.
unit_command() {
  local unit=$1 instance=${2:-}
  sed -n -e 's/%i/'"$instance"'/g' -e 's/^Environment=\(BIND=.*\)$/export \1;/p' \
    -e 's|^ExecStart=/srv/dscb/\(.*\)$|exec \1|p' "$unit"
}
for port in "$WEB_1" "$WEB_2"; do
  say "app server on port $port: $(unit_command deploy/systemd/dscb-web@.service "$port" | tr '\n' ' ')"
  bash -c "$(unit_command deploy/systemd/dscb-web@.service "$port")" >"$work/logs/web-$port.log" 2>&1 &
  pids+=($!)
done
say "the worker: $(unit_command deploy/systemd/dscb-worker.service | tr '\n' ' ')"
bash -c "$(unit_command deploy/systemd/dscb-worker.service)" >"$work/logs/worker.log" 2>&1 &
pids+=($!)

say "nginx on https://127.0.0.1:$HTTPS_PORT (HTTP on $HTTP_PORT) with a throwaway certificate"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" 2>/dev/null
DSCB_SERVER_NAME=127.0.0.1 DSCB_ORIGIN=https://127.0.0.1:$HTTPS_PORT \
  DSCB_HTTP_LISTEN=127.0.0.1:$HTTP_PORT DSCB_HTTPS_LISTEN=127.0.0.1:$HTTPS_PORT \
  DSCB_TLS_CERTIFICATE=$work/tls/cert.pem DSCB_TLS_CERTIFICATE_KEY=$work/tls/key.pem \
  DSCB_STATIC_ROOT=$work/static DSCB_LOG_DIR=$work/logs \
  DSCB_APP_SERVERS="127.0.0.1:$WEB_1 127.0.0.1:$WEB_2" \
  deploy/nginx/render >"$work/site.conf"
# What Debian's /etc/nginx/nginx.conf is in production: the http block around the site.
cat >"$work/nginx.conf" <<EOF
pid $work/nginx.pid;
error_log $work/logs/nginx-error.log;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path $work/nginx-body;
    proxy_temp_path $work/nginx-proxy;
    fastcgi_temp_path $work/nginx-fastcgi;
    uwsgi_temp_path $work/nginx-uwsgi;
    scgi_temp_path $work/nginx-scgi;
    include $work/site.conf;
}
EOF
nginx -t -q -p "$work" -c "$work/nginx.conf"
if command -v systemd-analyze >/dev/null 2>&1; then
  # The units as shipped, pointed at this checkout and an empty environment file.
  mkdir -p "$work/units"
  for unit in deploy/systemd/*.service; do
    sed -e "s|/srv/dscb|$PWD|g" -e "s|/etc/dscb/dscb.env|/dev/null|" "$unit" >"$work/units/$(basename "$unit")"
  done
  mv "$work/units/dscb-web@.service" "$work/units/dscb-web@$WEB_1.service"
  systemd-analyze verify "$work"/units/*.service
  say "systemd-analyze verify: the units in deploy/systemd are well formed"
else
  say "NOT CHECKED: the systemd units (no systemd-analyze here)"
fi
nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)

say "waiting for the app servers"
for port in "$WEB_1" "$WEB_2"; do
  for _ in $(seq 1 150); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.2
  done
  curl -s -o /dev/null "http://127.0.0.1:$port/" || { echo "the app server on port $port did not start" >&2; false; }
done

if [ -n "${LOAD_TEST:-}" ]; then
  say "the load test through nginx (bench/load.sh)"
  bench/load.sh "https://127.0.0.1:$HTTPS_PORT"
  trap - ERR
  say "measured"
  exit 0
fi

say "the walk through nginx (tests/production/walk.py)"
.venv/bin/python tests/production/walk.py \
  --origin "https://127.0.0.1:$HTTPS_PORT" --http-origin "http://127.0.0.1:$HTTP_PORT" \
  --certificate "$work/tls/cert.pem" --seed "$work/seed.json" --logs "$work/logs" \
  --app-servers "127.0.0.1:$WEB_1" "127.0.0.1:$WEB_2" --static-root "$work/static" --media-root "$work/media"
# Nothing fell over on the way: every app server, the worker, nginx and the bucket still run.
# (A child that has ended stays a zombie until waited for: its state says so.)
for pid in "${pids[@]}"; do
  state=$(ps -o stat= -p "$pid" || true)
  case "$state" in "" | Z*) echo "process $pid stopped during the walk" >&2 && false ;; esac
done

# The backup of this installation: its database and its bucket (the evidence and the report
# the walk stored there), restored into a fresh database and folder by the drill.
say "bin/backup of the database and the bucket, then bin/restore-drill"
bin/backup "$work/backup"
bin/restore-drill "$work/backup" # exits non-zero unless "0 differences"
for folder in evidence reports; do # what the walk stored in the bucket
  grep -q "  $folder/" "$work/backup/files.sha256" || { echo "the backup holds nothing in $folder/" >&2 && false; }
done
trap - ERR
say "passed"
