#!/usr/bin/env bash
# Instructions per request, counted by callgrind: repeatable where req/s on
# a shared machine is not.  The bench's nginx runs as one process under
# valgrind and serves a scenario's request N and then 2N times, through
# plain proxy_pass and through the module; the difference of the two
# totals over N is one request's instructions, start and exit cancelled.
# Prints "| scenario | proxy_pass | module | added | ratio |" rows.
# Needs the build/bench tree bench/run.sh writes.
set -euo pipefail

W=$1 NGINX_BIN=$2
N=${BENCH_CG_REQUESTS:-50}
KEY=${BENCH_CG_KEY:-sk-bench}
P2=18602 P3=18603

# total instructions of an nginx that served "url" $3 times
total() {
    local url=$1 body=$2 n=$3 pid urls whole
    valgrind --tool=callgrind --callgrind-out-file="$W/callgrind.out" \
        "$NGINX_BIN" -p "$W/" -c "$W/nginx.conf" \
        -g 'daemon off; master_process off;' > "$W/callgrind.log" 2>&1 &
    pid=$!
    for _ in $(seq 300); do
        curl -s -o /dev/null "http://127.0.0.1:$P2/" && break
        sleep 0.1
    done
    urls=$(for _ in $(seq "$n"); do printf '%s ' "$url"; done)
    # shellcheck disable=SC2086
    curl -s -H "Authorization: Bearer $KEY" \
         -H 'Content-Type: application/json' --data-binary @"$body" \
         $urls > "$W/callgrind.body"
    kill -QUIT "$pid"
    wait "$pid" || true
    # every answer whole (a broken one would be counted as a cheap one)
    case $body in
        *stream*) whole='^data: \[DONE\]|"type":"message_stop"' ;;
        *)        whole='"(finish|stop)_reason":"(stop|end_turn)"' ;;
    esac
    if [ "$(grep -oE "$whole" "$W/callgrind.body" | wc -l)" != "$n" ] \
       || grep -q '"error"' "$W/callgrind.body"
    then
        echo "instructions: $url did not answer as it should" >&2
        exit 1
    fi
    awk '/^totals:/ {print $2}' "$W/callgrind.out"
}

per_request() {
    local a b
    a=$(total "$1" "$2" "$N")
    b=$(total "$1" "$2" $((2 * N)))
    echo $(( (b - a) / N ))
}

for scenario in ${BENCH_CG_SCENARIOS:-1k 32k 512k 1k-stream 1k-stream1000 \
                                    tr-2k tr-512k tr-2k-stream}
do
    body="$W/bodies/$scenario.json"
    case $scenario in
        tr-*stream)
                 base="http://127.0.0.1:$P2/anthsse/v1/messages" ;;
        tr-*)    base="http://127.0.0.1:$P2/anthropic/v1/messages" ;;
        *stream1000)
                 base="http://127.0.0.1:$P2/sse1k/v1/chat/completions" ;;
        *stream) base="http://127.0.0.1:$P2/sse/v1/chat/completions" ;;
        *)       base="http://127.0.0.1:$P2/json/v1/chat/completions" ;;
    esac
    # a baseline already counted may be given (BENCH_CG_BASE)
    b=${BENCH_CG_BASE:-$(per_request "$base" "$body")}
    m=$(per_request "http://127.0.0.1:$P3/v1/chat/completions" "$body")
    awk -v s="${BENCH_CG_LABEL:-}$scenario" -v b="$b" -v m="$m" 'BEGIN {
        printf "| %s | %d | %d | %d | %.2f |\n", s, b, m, m - b, b / m }'
done
