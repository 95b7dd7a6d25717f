#!/usr/bin/env bash
# Publishing a one-line correction: `explainer deploy` against `aws s3 sync`
# on the same two builds of a generated site, against the same local S3
# server (moto), counting the objects each uploads and the bytes each sends.
#
#   scripts/deploy_bench.sh            # N = 10000 entities
#   scripts/deploy_bench.sh 1000       # a smaller site
#
# Needs moto_server and aws on PATH (pip install 'moto[server]' awscli) and
# python3. Environment:
#   BENCH_DIR   where the site and its two builds go (default /tmp/explainer-deploy-bench)
#   EXPLAINER   an explainer binary to use instead of building the release one
#
# Steps: generate the site (examples/gen_site.rs), build it (build A), add
# one sentence to one meeting's body, build again into another folder
# (build B). Each tool then syncs A to its own empty bucket, and B over it;
# only the second sync is measured. A counting TCP proxy between the tool
# and moto adds up every byte of every request (headers, listings and
# bodies), so both tools are measured the same way.
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "$0")/.."
ROOT=$(pwd)
N=${1:-10000}
DIR=${BENCH_DIR:-/tmp/explainer-deploy-bench}/$N
mkdir -p "$DIR"

for tool in moto_server aws python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool on PATH (pip install 'moto[server]' awscli)" >&2; exit 2; }
done

if [[ -z "${EXPLAINER:-}" ]]; then
  cargo build --release --quiet --bin explainer --example gen_site
  EXPLAINER=$ROOT/target/release/explainer
fi

SITE=$DIR/site
if [[ ! -f $SITE/site.yaml ]]; then
  cargo run --release --quiet --example gen_site -- "$N" "$SITE" --force
fi
rm -rf "$DIR/out-a" "$DIR/out-b"
git -C "$ROOT" rev-parse --short HEAD > "$DIR/commit" 2>/dev/null || true

# Build A, as published before the correction.
"$EXPLAINER" build --quiet --root "$SITE" --output "$DIR/out-a"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

MOTO_PORT=$(free_port)
moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$DIR/moto.log" 2>&1 &
MOTO_PID=$!
PROXY_PID=
cleanup() {
  [[ -n $PROXY_PID ]] && kill "$PROXY_PID" 2>/dev/null || true
  kill "$MOTO_PID" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $MOTO_PORT))" 2>/dev/null && break
  sleep 0.2
done

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_DEFAULT_REGION=us-east-1
unset AWS_PROFILE AWS_ENDPOINT
MOTO=http://127.0.0.1:$MOTO_PORT
aws --endpoint-url "$MOTO" s3 mb s3://explainer >/dev/null
aws --endpoint-url "$MOTO" s3 mb s3://awscli >/dev/null

# A proxy that counts the bytes clients send, printed when it is stopped.
PROXY_PY='
import asyncio, signal, sys
listen, upstream = int(sys.argv[1]), int(sys.argv[2])
sent = 0
async def pipe(reader, writer, count):
    global sent
    try:
        while data := await reader.read(65536):
            if count:
                sent += len(data)
            writer.write(data)
            await writer.drain()
    except Exception:
        pass
    finally:
        writer.close()
async def handle(client_r, client_w):
    server_r, server_w = await asyncio.open_connection("127.0.0.1", upstream)
    await asyncio.gather(pipe(client_r, server_w, True), pipe(server_r, client_w, False))
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    print("ready", flush=True)
    async with server:
        await stop
        print(sent, flush=True)
        server.close()
asyncio.run(main())
'
PROXY_PORT=
start_proxy() {
  PROXY_PORT=$(free_port)
  python3 -c "$PROXY_PY" "$PROXY_PORT" "$MOTO_PORT" >"$DIR/proxy.out" &
  PROXY_PID=$!
  for _ in $(seq 100); do grep -q ready "$DIR/proxy.out" 2>/dev/null && break; sleep 0.1; done
}
stop_proxy() {
  kill -TERM "$PROXY_PID"
  for _ in $(seq 100); do [[ $(tail -n 1 "$DIR/proxy.out") =~ ^[0-9]+$ ]] && break; sleep 0.1; done
  kill -KILL "$PROXY_PID" 2>/dev/null || true
  wait "$PROXY_PID" 2>/dev/null || true
  PROXY_PID=
  tail -n 1 "$DIR/proxy.out"
}

# explainer deploy: its target points at the proxy. First build A, by both tools.
sed -i '/^deploy:/,$d' "$SITE/site.yaml"
deploy_to() {
  printf 'deploy:\n  targets:\n    - {name: bench, url: "s3://explainer/?region=us-east-1&endpoint=http://127.0.0.1:%s"}\n' "$1" >> "$SITE/site.yaml"
}
restore_site_yaml() { sed -i '/^deploy:/,$d' "$SITE/site.yaml"; }

start_proxy; deploy_to "$PROXY_PORT"
"$EXPLAINER" deploy --quiet --root "$SITE" --output "$DIR/out-a"
stop_proxy >/dev/null; restore_site_yaml

start_proxy
aws --endpoint-url "http://127.0.0.1:$PROXY_PORT" s3 sync "$DIR/out-a" s3://awscli/ \
  --exclude '.explainer-output' --only-show-errors
stop_proxy >/dev/null

# Build B, after a one-sentence body edit of one meeting, as a desk
# publishes a correction: a later build than what the bucket holds.
# `sed -n 1p`, not `head`: head would close the pipe early and, with
# pipefail, sort's SIGPIPE would end the script at 10,000 entities.
MEETING=$(find "$SITE/content/meetings" -name '*.md' | sort | sed -n 1p)
cp "$MEETING" "$DIR/meeting.orig"
printf '\nCorrection: an earlier version of this page misstated the date.\n' >> "$MEETING"
"$EXPLAINER" build --quiet --root "$SITE" --output "$DIR/out-b"
cp "$DIR/meeting.orig" "$MEETING"

start_proxy; deploy_to "$PROXY_PORT"
started=$(date +%s.%N)
"$EXPLAINER" deploy --root "$SITE" --output "$DIR/out-b" | tee "$DIR/explainer.out"
ended=$(date +%s.%N)
EXPLAINER_BYTES=$(stop_proxy); restore_site_yaml
EXPLAINER_OBJECTS=$(sed -n 's/.*: \([0-9]*\) uploaded.*/\1/p' "$DIR/explainer.out")
EXPLAINER_DELETED=$(sed -n 's/.* \([0-9]*\) deleted.*/\1/p' "$DIR/explainer.out")
EXPLAINER_SECONDS=$(python3 -c "print(f'{$ended - $started:.2f}')")

# aws s3 sync (size and modification time), the same two builds.
start_proxy
started=$(date +%s.%N)
aws --endpoint-url "http://127.0.0.1:$PROXY_PORT" s3 sync "$DIR/out-b" s3://awscli/ \
  --exclude '.explainer-output' --delete --no-progress >"$DIR/aws.out"
ended=$(date +%s.%N)
AWS_BYTES=$(stop_proxy)
AWS_OBJECTS=$(grep -c '^upload:' "$DIR/aws.out" || true)
AWS_DELETED=$(grep -c '^delete:' "$DIR/aws.out" || true)
AWS_SECONDS=$(python3 -c "print(f'{$ended - $started:.2f}')")

FILES=$(find "$DIR/out-b" -type f ! -name '.explainer-output' | wc -l)
CHANGED=$(python3 - "$DIR/out-a" "$DIR/out-b" <<'EOF'
import os, sys
a, b = sys.argv[1], sys.argv[2]
n = 0
for d, _, files in os.walk(b):
    for f in files:
        if f == ".explainer-output":
            continue
        p = os.path.join(d, f)
        q = os.path.join(a, os.path.relpath(p, b))
        if not os.path.exists(q) or open(p, "rb").read() != open(q, "rb").read():
            n += 1
print(n)
EOF
)

echo
echo "Site: $N entities, $FILES files; the edit changed the bytes of $CHANGED files."
echo
echo "| tool | objects uploaded | deleted | bytes sent (all requests) | wall time |"
echo "|---|---:|---:|---:|---:|"
echo "| explainer deploy | $EXPLAINER_OBJECTS | $EXPLAINER_DELETED | $EXPLAINER_BYTES | $EXPLAINER_SECONDS s |"
echo "| aws s3 sync | $AWS_OBJECTS | $AWS_DELETED | $AWS_BYTES | $AWS_SECONDS s |"
