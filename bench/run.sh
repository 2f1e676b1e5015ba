#!/usr/bin/env bash
# make bench: what the module costs over the nginx you already run.
#
# One nginx, one worker, three servers: a fast canned "provider", plain
# proxy_pass to it (the baseline) and the gateway in passthrough to it.
# The same wrk load against both, alternated, medians reported.  CPU per
# request comes from the worker's /proc/PID/stat, not wall time.
# Governance rows ("gov10-", "gov10k-") restart that nginx with 10 or
# 10,000 virtual keys from a keys file, each with two budgets, three
# limits, a team and a customer, and send the load with one of them.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE=${MODULE:-$ROOT/build/nginx/objs/ngx_http_llm_module.so}
NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}
SECONDS_PER_RUN=${BENCH_SECONDS:-3}
CONNS=${BENCH_CONNECTIONS:-16}
ROUNDS=${BENCH_ROUNDS:-3}
# a fixed latency of the canned provider, in ms (0: none, nginx serves it)
LATENCY=${BENCH_LATENCY:-0}
W=$ROOT/build/bench
OUT=$ROOT/bench/results.md
P1=18601 P2=18602 P3=18603

rm -rf "$W"
mkdir -p "$W/logs" "$W/tmp" "$W/bodies" "$W/static/json/v1/chat" \
         "$W/static/sse/v1/chat" "$W/static/sse1k/v1/chat" \
         "$W/static/anthropic/v1" "$W/static/anthsse/v1"

# canned answers: one chat completion, and streams of 100 and 1,000 events
# (the longer one for the instruction count: cost against stream length)
perl -e '
  my $j = q({"id":"chatcmpl-b","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the bench provider."},"finish_reason":"stop"}],"usage":{"prompt_tokens":250,"completion_tokens":7,"total_tokens":257}});
  my $ev = q(data: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"token "},"finish_reason":null}]}) . "\n\n";
  my $end = q(data: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":250,"completion_tokens":100,"total_tokens":350}}) . "\n\ndata: [DONE]\n\n";
  my $s = ($ev x 100) . $end;
  open my $f, ">", "'"$W"'/static/json/v1/chat/completions"; print $f $j; close $f;
  # translation: an Anthropic answer, and OpenAI requests for it
  open $f, ">", "'"$W"'/static/anthropic/v1/messages";
  print $f q({"id":"msg_b","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"Hello from the bench provider."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":500,"output_tokens":7}});
  close $f;
  my $pre = q({"model":"anth/claude-sonnet-4-6","max_tokens":256,"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":");
  my $post = q("}]});
  # and the same requests streamed, from an Anthropic stream of 100 deltas
  (my $spre = $pre) =~ s/"anth\//"anthsse\//;
  $spre =~ s/,"max_tokens"/,"stream":true,"max_tokens"/;
  for my $kb (1, 2, 32, 512) {
    open $f, ">", "'"$W"'/bodies/tr-${kb}k.json";
    print $f $pre, "a" x ($kb * 1024 - length($pre) - length($post)), $post;
    close $f;
    open $f, ">", "'"$W"'/bodies/tr-${kb}k-stream.json";
    print $f $spre, "a" x ($kb * 1024 - length($spre) - length($post)),
             $post;
    close $f;
  }
  sub ev { "event: $_[0]\ndata: $_[1]\n\n" }
  open $f, ">", "'"$W"'/static/anthsse/v1/messages";
  print $f ev("message_start", q({"type":"message_start","message":{"id":"msg_b","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":500,"output_tokens":1}}})),
           ev("content_block_start", q({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})),
           ev("content_block_delta", q({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"token "}})) x 100,
           ev("content_block_stop", q({"type":"content_block_stop","index":0})),
           ev("message_delta", q({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":100}})),
           ev("message_stop", q({"type":"message_stop"}));
  close $f;
  open $f, ">", "'"$W"'/static/sse/v1/chat/completions"; print $f $s; close $f;
  open $f, ">", "'"$W"'/static/sse1k/v1/chat/completions";
  print $f ($ev x 1000), $end; close $f;
  for my $kb (1, 32, 512) {
    for my $stream (0, 1) {
      # streams go to the provider "sse", answers to "json"
      my $pre = ($stream ? q({"model":"sse/gpt-4o","stream":true)
                         : q({"model":"json/gpt-4o"))
                . q(,"messages":[{"role":"user","content":");
      my $post = q("}]});
      my $pad = $kb * 1024 - length($pre) - length($post);
      open $f, ">", "'"$W"'/bodies/${kb}k" . ($stream ? "-stream" : "") . ".json";
      print $f $pre, "a" x $pad, $post; close $f;
      next unless $stream && $kb == 1;
      $pre =~ s/"sse\//"sse1k\//;
      open $f, ">", "'"$W"'/bodies/1k-stream1000.json";
      print $f $pre, "a" x $pad, $post; close $f;
    }
  }'

# tenants: N keys over N/10 teams and N/100 customers, every tier governed
for n in 10 10000; do
    perl -e '
      my $n = shift;
      print "[";
      for my $i (1 .. $n) {
        my $t = int($i / 10); my $c = int($i / 100);
        print "," if $i > 1;
        print qq({"name":"k$i","key":"sk-gov-$i","team":"t$t",),
              qq("models":["json/*","sse/*"],),
              qq("budget":["1000000 1d","10000000 1M alert=90%"],),
              qq("limit":"requests=1000000000/1m tokens=1000000000000/1d concurrency=100000"}\n);
      }
      print "]\n";' "$n" > "$W/keys-$n.json"
    perl -e '
      my $n = shift;
      for my $c (0 .. int($n / 100)) {
        print "llm_customer c$c { budget 100000000 1M; limit requests=1000000000/1h; }\n";
      }
      for my $t (0 .. int($n / 10)) {
        my $c = int($t / 10);
        print "llm_team t$t { customer c$c; budget 10000000 1M; }\n";
      }' "$n" > "$W/tenants-$n.conf"
done

# the nginx of a run: $1 = how many tenants (0: none)
write_conf() {
local keys=$1
cat > "$W/nginx.conf" <<CONF
load_module $MODULE;
worker_processes 1;
error_log logs/error.log warn;
pid logs/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path tmp/body;
    client_max_body_size 8m;
    client_body_buffer_size 1m;
    log_format ovh '\$llm_overhead';
    log_format ovh_base '\$status';

    upstream provider { server 127.0.0.1:$P1; keepalive 64; }

$( [ "$LATENCY" = 0 ] && cat <<SERVER
    # POST to a static file is a 405: served as a 200 GET instead
    server {
        listen 127.0.0.1:$P1;
        root $W/static;
        error_page 405 =200 \$uri;
        location /json/ { default_type application/json; }
        location /sse/ { default_type text/event-stream; }
        location /sse1k/ { default_type text/event-stream; }
        location /anthropic/ { default_type application/json; }
        location /anthsse/ { default_type text/event-stream; }
    }
SERVER
)

    # both sides write one log line a request, so that logging is no
    # difference between them
    server {
        listen 127.0.0.1:$P2;
        access_log logs/baseline.log ovh_base;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        location /json/ { proxy_pass http://provider; }
        location /sse/ { proxy_pass http://provider; proxy_buffering off; }
        location /sse1k/ { proxy_pass http://provider; proxy_buffering off; }
        location /anthropic/ { proxy_pass http://provider; }
        location /anthsse/ { proxy_pass http://provider; proxy_buffering off; }
    }

    llm_provider json { type openai; url http://provider/json/v1; host 127.0.0.1; models gpt-4o; }
    llm_provider sse { type openai; url http://provider/sse/v1; host 127.0.0.1; models gpt-4o; }
    llm_provider sse1k { type openai; url http://provider/sse1k/v1; host 127.0.0.1; models gpt-4o; }
    llm_provider anth { type anthropic; url http://provider/anthropic/v1; host 127.0.0.1; models claude-sonnet-4-6; }
    llm_provider anthsse { type anthropic; url http://provider/anthsse/v1; host 127.0.0.1; models claude-sonnet-4-6; }
    llm_virtual_key bench { key sk-bench; models json/* sse/* sse1k/* anth/* anthsse/*; }
    llm_zone llm 16m;
$( [ "$keys" -gt 0 ] && echo "include $W/tenants-$keys.conf;
    llm_virtual_keys_file $W/keys-$keys.json;" )

    server {
        listen 127.0.0.1:$P3;
        location /v1/ {
            llm_gateway openai;
            access_log logs/overhead.log ovh;
        }
    }
}
CONF
}

# (re)start nginx with $1 tenants; WORKER is its one worker's pid
TENANTS=-1
start() {
    [ "$1" = "$TENANTS" ] && return
    if [ -s "$W/logs/nginx.pid" ]; then
        local old
        old=$(cat "$W/logs/nginx.pid")
        kill -QUIT "$old"
        while kill -0 "$old" 2>/dev/null; do sleep 0.05; done
    fi
    write_conf "$1"
    "$NGINX_BIN" -p "$W/" -c "$W/nginx.conf" -t -q
    "$NGINX_BIN" -p "$W/" -c "$W/nginx.conf"
    sleep 0.5
    WORKER=$(pgrep -P "$(cat "$W/logs/nginx.pid")" | head -1)
    TENANTS=$1
}

trap 'kill $(cat "$W/logs/nginx.pid" 2>/dev/null) ${SLOW:-} 2>/dev/null || true' EXIT

# with a latency the canned answers come from bench/latency.js instead
if [ "$LATENCY" != 0 ]; then
    node "$ROOT/bench/latency.js" "$W/static" "$P1" "$LATENCY" &
    SLOW=$!
fi
TICK=$(getconf CLK_TCK)

cat > "$W/post.lua" <<'LUA'
local f = io.open(os.getenv("BENCH_BODY"), "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
LUA

cpu() { awk '{print $14 + $15}' "/proc/$WORKER/stat"; }

# one run: prints "rps p50_ms p99_ms cpu_us_per_request"
run() {
    local url=$1 body=$2 key=$3 c0 c1 out
    c0=$(cpu)
    out=$(BENCH_BODY=$body BENCH_KEY=$key wrk -t1 -c"$CONNS" -d"${SECONDS_PER_RUN}s" \
          --latency -s "$W/post.lua" "$url")
    c1=$(cpu)
    echo "$out" | awk -v c0="$c0" -v c1="$c1" -v tick="$TICK" '
        function ms(v) { if (v ~ /us$/) return v / 1000;
                         if (v ~ /ms$/) return v + 0;
                         if (v ~ /s$/) return v * 1000; return v }
        / 50%/ { p50 = ms($2) } / 99%/ { p99 = ms($2) }
        /requests in/ { n = $1 }
        /Requests\/sec/ { rps = $2 }
        /Non-2xx/ { bad = $NF }
        END { if (bad) { print "non-2xx answers: " bad > "/dev/stderr"; exit 1 }
              printf "%.0f %.3f %.3f %.1f\n", rps, p50, p99,
                     (c1 - c0) * 1e6 / tick / n }'
}

# one request first: wrk counts only statuses, so a broken answer (a
# stream cut into an error event, say) would be measured as a fast one
check() {
    local url=$1 body=$2 key=$3 out
    out=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $key" \
          -H 'Content-Type: application/json' --data-binary @"$body" "$url")
    case $body in
        *stream*) want='^data: \[DONE\]$|"type":"message_stop"' ;;
        *)        want='"(finish|stop)_reason":"(stop|end_turn)"' ;;
    esac
    if [ "$(tail -n1 <<< "$out")" != 200 ] || ! grep -qE "$want" <<< "$out" \
       || grep -q '"error"' <<< "$out"
    then
        echo "bench: $url did not answer as it should:" >&2
        tail -c 600 <<< "$out" >&2
        exit 1
    fi
}

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

printf '| scenario | proxy_pass req/s | module req/s | ratio | p50 / p99 ms (proxy) | p50 / p99 ms (module) | CPU µs/req (proxy) | CPU µs/req (module) | added CPU µs/req | $llm_overhead µs |\n' > "$W/table"
printf '|---|---|---|---|---|---|---|---|---|---|\n' >> "$W/table"

RSS=""
GROWTH=""
rss=""
# the default rows fit in five minutes; BENCH_SCENARIOS=all runs every
# body size, streamed or not, for passthrough, translation and governance
SIZES="1k 32k 512k 1k-stream 32k-stream 512k-stream"
case ${BENCH_SCENARIOS:-} in
    "") SCENARIOS="$SIZES tr-2k gov10-1k gov10k-1k gov10-1k-stream
                   gov10k-1k-stream" ;;
    all) SCENARIOS="$SIZES tr-2k $(for p in tr gov10 gov10k; do
                                       for s in $SIZES; do
                                           printf '%s-%s ' "$p" "$s"
                                       done
                                   done)" ;;
    *) SCENARIOS=$BENCH_SCENARIOS ;;
esac

for scenario in $SCENARIOS; do
    case $scenario in
        gov10k-*) start 10000; key=sk-gov-5000 ;;
        gov10-*)  start 10; key=sk-gov-5 ;;
        *)        start 0; key=sk-bench ;;
    esac
    body="$W/bodies/${scenario#gov*-}.json"
    case $scenario in
        tr-*stream) base="http://127.0.0.1:$P2/anthsse/v1/messages" ;;
        tr-*)       base="http://127.0.0.1:$P2/anthropic/v1/messages" ;;
        *stream)    base="http://127.0.0.1:$P2/sse/v1/chat/completions" ;;
        *)          base="http://127.0.0.1:$P2/json/v1/chat/completions" ;;
    esac
    check "$base" "$body" "$key"
    check "http://127.0.0.1:$P3/v1/chat/completions" "$body" "$key"
    : > "$W/base" ; : > "$W/mod"
    for r in $(seq "$ROUNDS"); do
        run "$base" "$body" "$key" >> "$W/base"
        : > "$W/logs/overhead.log"
        kill -USR1 "$(cat "$W/logs/nginx.pid")"; sleep 0.1
        run "http://127.0.0.1:$P3/v1/chat/completions" "$body" "$key" >> "$W/mod"
        # the worker's resident memory after each round: a leak grows it
        rss="${rss:+$rss → }$(awk '/VmRSS/ {print $2}' "/proc/$WORKER/status")"
    done
    GROWTH="$GROWTH $scenario: $rss kB;"
    rss=""
    ovh=$(awk '{s += $1; n++} END {printf "%.1f", n ? s / n : 0}' "$W/logs/overhead.log")
    b_rps=$(cut -d' ' -f1 "$W/base" | median); m_rps=$(cut -d' ' -f1 "$W/mod" | median)
    b50=$(cut -d' ' -f2 "$W/base" | median); m50=$(cut -d' ' -f2 "$W/mod" | median)
    b99=$(cut -d' ' -f3 "$W/base" | median); m99=$(cut -d' ' -f3 "$W/mod" | median)
    bcpu=$(cut -d' ' -f4 "$W/base" | median); mcpu=$(cut -d' ' -f4 "$W/mod" | median)
    awk -v s="$scenario" -v br="$b_rps" -v mr="$m_rps" -v b50="$b50" -v b99="$b99" \
        -v m50="$m50" -v m99="$m99" -v bc="$bcpu" -v mc="$mcpu" -v o="$ovh" \
        'BEGIN { printf "| %s | %d | %d | %.2f | %.2f / %.2f | %.2f / %.2f | %.1f | %.1f | %.1f | %s |\n",
                 s, br, mr, mr / br, b50, b99, m50, m99, bc, mc, mc - bc, o }' >> "$W/table"
    RSS="$RSS $scenario: $(awk '/VmHWM/ {print $2 " " $3}' "/proc/$WORKER/status");"
done

# instructions per request, by callgrind: the nginx without tenants, and
# its own canned provider (no latency: the count is per request anyway)
kill -QUIT "$(cat "$W/logs/nginx.pid")"
while [ -s "$W/logs/nginx.pid" ]; do sleep 0.05; done
if [ -n "${SLOW:-}" ]; then kill "$SLOW"; wait "$SLOW" 2>/dev/null || true; fi
LATENCY=0
write_conf 0
"$ROOT/bench/instructions.sh" "$W" "$NGINX_BIN" > "$W/instructions"
# governance: the module's side with 10 and 10,000 keys, the same baseline
base1k=$(awk -F' *[|] *' '$2 == "1k" {print $3}' "$W/instructions")
for n in 10 10000; do
    write_conf $n
    BENCH_CG_SCENARIOS=1k BENCH_CG_KEY=sk-gov-$((n / 2)) \
    BENCH_CG_LABEL=gov$( [ $n = 10 ] && echo 10 || echo 10k )- \
    BENCH_CG_BASE=$base1k \
        "$ROOT/bench/instructions.sh" "$W" "$NGINX_BIN" >> "$W/instructions"
done

{
    echo "# Benchmark results"
    echo
    echo "Measured by \`make bench\` on $(date -u +%Y-%m-%d): $(nproc) cores,"
    echo "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo),"
    echo "$(uname -sr), nginx $("$NGINX_BIN" -v 2>&1 | sed 's/.*\///'), one worker;"
    echo "wrk -t1 -c$CONNS, ${SECONDS_PER_RUN}s runs, $ROUNDS alternated rounds, medians."
    if [ "${BENCH_LATENCY:-0}" = 0 ]; then
        echo "Same upstream for both: a canned provider in the same nginx, keep-alive"
        echo "(the worker serves it too, equally in both columns)."
    else
        echo "Same upstream for both: canned answers after ${BENCH_LATENCY} ms"
        echo "(bench/latency.js, BENCH_LATENCY, its own process), keep-alive."
    fi
    echo "Streams are 100 events; the baseline proxies them with proxy_buffering"
    echo "off (as SSE needs) and nginx's default proxy_buffer_size, so it reads"
    echo "them in more pieces than the gateway, whose buffer is llm_buffer_size."
    echo "CPU is the worker's, so *added CPU* is the module's cost."
    echo
    cat "$W/table"
    echo
    echo "Peak worker RSS after each scenario (one nginx per tenant count):"
    echo "$RSS"
    echo
    echo "Worker RSS after each round of each scenario (the same load again:"
    echo "a leak would grow it round after round; malloc keeps what the first"
    echo "large bodies took):"
    echo "$GROWTH"
    echo
    echo "gov10 / gov10k: the gateway with 10 or 10,000 virtual keys (and their"
    echo "teams and customers) loaded from a keys file; the load uses one key,"
    echo "which has two budgets and three limits, its team one budget, its"
    echo "customer a budget and a limit: every request is admitted and settled"
    echo "on seven counters under the zone's lock."
    echo
    echo "Instructions per request, counted by callgrind (user space only: the"
    echo "kernel's network work, most of the wall time, is not in them; they do"
    echo "not move with the machine's load as the columns above do):"
    echo
    echo "| scenario | proxy_pass | module | added | proxy_pass / module |"
    echo "|---|---|---|---|---|"
    cat "$W/instructions"
    echo
    echo "tr-2k: a 2 KB OpenAI chat request translated for an Anthropic"
    echo "provider and its answer translated back, against proxy_pass of the"
    echo "same Anthropic answer (the baseline does no translation at all)."
    echo "1k-stream1000: the 1 KB request answered by a stream of 1,000"
    echo "events instead of 100.  Cost against size: 1k, 32k, 512k bodies;"
    echo "against stream length: 100 and 1,000 events.  gov10-1k, gov10k-1k:"
    echo "the 1 KB request with governance on, 10 and 10,000 keys loaded"
    echo "(the proxy_pass column is the 1k row's).  tr-SIZE: translation of"
    echo "a request of that size; tr-SIZE-stream: answered by an Anthropic"
    echo "stream of 100 text deltas, translated event by event."
} > "$OUT"

cat "$OUT"
