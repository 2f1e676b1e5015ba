# Failover: key pools and cooldowns, Retry-After, the circuit breaker,
# time-to-first-token.
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;

our $Config = <<'_EOC_';
    location /v1/ {
        llm_gateway openai;
        access_log logs/error.log llm;
    }
_EOC_

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value("config", $Config) unless defined $block->config;
    $block->set_value("http_config", q{log_format llm 'LLMLOG provider=$llm_provider attempts=$llm_attempts status=$status';} . "\n" . $block->http_config);
    $block->set_value("more_headers", "Authorization: Bearer sk-alpha");
    $block->set_value("request", qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}\n})
        unless defined $block->request;
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: key pool: a key answering 429 cools down and the next key answers
--- http_config
    llm_provider pool {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1;
        api_key sk-first weight=1000000;
        api_key sk-second;
        models gpt-4o;
    }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location / {
            if ($http_authorization = "Bearer sk-first") {
                add_header Retry-After 7 always;
                return 429;
            }
            default_type application/json;
            return 200 '{"key":"$http_authorization"}';
        }
    }
--- request eval
[ qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}}, qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}} ]
--- response_body eval
[ '{"key":"Bearer sk-second"}', '{"key":"Bearer sk-second"}' ]
--- error_log
provider "pool" key #0 answered 429, cooling it down for 7000 ms
LLMLOG provider=pool attempts=2 status=200
LLMLOG provider=pool attempts=1 status=200



=== TEST 2: a key answering 401 is cooled down too, and never shown to the client
--- http_config
    llm_provider pool {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1;
        api_key sk-revoked weight=1000000;
        api_key sk-good;
        models gpt-4o;
        cooldown 60s;
    }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location / {
            if ($http_authorization = "Bearer sk-revoked") {
                return 401 '{"error":{"message":"Incorrect API key provided: sk-revoked"}}';
            }
            default_type application/json;
            return 200 '{"ok":true}';
        }
    }
--- response_body chomp
{"ok":true}
--- error_log
provider "pool" key #0 answered 401, cooling it down for 60000 ms
--- no_error_log
[error]



=== TEST 3: every key refused: the gateway's error, no provider body
--- http_config
    llm_provider pool {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1;
        api_key sk-a;
        api_key sk-b;
        models gpt-4o;
    }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location / { return 401 '{"error":{"message":"Incorrect API key provided: sk-..."}}'; }
    }
--- error_code: 502
--- response_body
{"error":{"message":"Every provider failed (2 attempts): \"pool\" (status 401), \"pool\" (status 401)","type":"api_error","param":null,"code":"upstream_failed"}}



=== TEST 4: the circuit opens after N consecutive failures
--- http_config
    llm_provider flaky {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1;
        models gpt-4o;
        circuit_breaker failures=2 cooldown=1s;
    }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        root $TEST_NGINX_SERVER_ROOT/html;
        location / {
            if (-f $document_root/healthy) {
                return 200 '{"healthy":true}';
            }
            return 500;
        }
    }
--- request eval
[ qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}}, qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}}, qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}} ]
--- error_code eval
[502, 502, 503]
--- response_body_like eval
[ qr/status 500/, qr/status 500/, qr/No provider could be tried \(cooling down, circuit open or no access token\): \\"flaky\\"/ ]
--- error_log
provider "flaky" circuit open for 1000 ms after 2 consecutive failures
--- wait: 1.1



=== TEST 5: after the cooldown one probe goes through, and its success closes the circuit
--- http_config
    llm_provider flaky {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1;
        models gpt-4o;
        circuit_breaker failures=2 cooldown=1s;
    }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        root $TEST_NGINX_SERVER_ROOT/html;
        location / {
            if (-f $document_root/healthy) {
                return 200 '{"healthy":true}';
            }
            return 500;
        }
    }
--- user_files
>>> healthy
yes
--- request eval
[ qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}}, qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}} ]
--- response_body eval
[ '{"healthy":true}', '{"healthy":true}' ]
--- error_log
provider "flaky" circuit closed



=== TEST 6: no first byte within first_token: the next provider answers in time
--- http_config
    llm_provider slow {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        models gpt-4o;
        timeouts first_token=500ms;
    }
    llm_provider fast {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1;
        models gpt-4o;
        weight 0;
    }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location / { return 200 '{"fast":true}'; }
    }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply_delay: 5s
--- tcp_reply: HTTP/1.1 200 OK
--- timeout: 1.5
--- response_body chomp
{"fast":true}
--- error_log
upstream timed out
LLMLOG provider=fast attempts=2 status=200



=== TEST 7: a 200 stream whose first event is an error fails over
--- http_config
    llm_provider bad {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        models gpt-4o;
    }
    llm_provider good {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1;
        models gpt-4o;
        weight 0;
    }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location / {
            default_type text/event-stream;
            return 200 'data: {"choices":[{"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n';
        }
    }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
[ "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n",
  main::chunks(": keep-alive comment first\n\n"),
  main::chunks(qq(data: {"error":{"message":"overloaded","code":529}}\n\n)) . "0\r\n\r\n" ]
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[]}
--- response_headers
x-llm-provider: good
--- response_body eval
qq(data: {"choices":[{"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n)
--- error_log
provider "bad" sent an error as its first event
LLMLOG provider=good attempts=2 status=200



=== TEST 8: the last provider's error as first event is the gateway's 502
--- http_config
    llm_provider bad {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        models gpt-4o;
    }
    llm_virtual_key alpha { key sk-alpha; models *; }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n" . qq(data: {"error":{"message":"boom"}}\n\n)
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[]}
--- error_code: 502
--- response_body
{"error":{"message":"Every provider failed (1 attempt): \"bad\" (no valid answer)","type":"api_error","param":null,"code":"upstream_failed"}}



=== TEST 9: a stream whose headers came but no event within first_token fails over
--- http_config
    llm_provider mute {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        models gpt-4o;
        timeouts first_token=500ms;
    }
    llm_provider fast {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1;
        models gpt-4o;
        weight 0;
    }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location / {
            default_type text/event-stream;
            return 200 'data: [DONE]\n\n';
        }
    }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n: waiting\n\n"
--- tcp_no_close
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[]}
--- timeout: 1.5
--- response_headers
x-llm-provider: fast
--- response_body eval
"data: [DONE]\n\n"
--- error_log
upstream timed out



=== TEST 10: one request through every kind of failure to the provider that answers
--- config
    location /v1/ {
        llm_gateway openai;
        llm_next_upstream_tries 10;
        access_log logs/error.log llm;
    }
--- http_config
    llm_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
    llm_provider refused { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_5/v1; models gpt-4o; }
    llm_provider garbage { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1; models gpt-4o; weight 0; }
    llm_provider overloaded { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_3/v1; models gpt-4o; weight 0; }
    llm_provider untrusted { type openai; url https://127.0.0.1:$TEST_NGINX_RAND_PORT_4/v1; host localhost; models gpt-4o; weight 0; }
    llm_provider good { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1; models gpt-4o; weight 0; }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_3;
        location / { return 529; }
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_4 ssl;
        ssl_certificate $TEST_NGINX_CERT_DIR/server.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/server.key;
        location / { return 200 'not trusted'; }
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location / { return 200 '{"good":true}'; }
    }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply: 220 smtp.example.com ESMTP ready
--- response_headers
x-llm-provider: good
--- response_body chomp
{"good":true}
--- error_log
Connection refused
sent no valid HTTP/1.x header
provider "overloaded" answered 529
upstream SSL certificate verify error
LLMLOG provider=good attempts=5 status=200



=== TEST 11: llm_next_upstream_tries bounds the attempts; the error lists them
--- config
    location /v1/ {
        llm_gateway openai;
        llm_next_upstream_tries 2;
        access_log logs/error.log llm;
    }
--- http_config
    llm_provider a { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_5/v1; models gpt-4o; }
    llm_provider b { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_3/v1; models gpt-4o; weight 0; }
    llm_provider c { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1; models gpt-4o; weight 0; }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_3;
        location / { return 502; }
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location / { return 200 'never reached'; }
    }
--- error_code: 502
--- response_body
{"error":{"message":"Every provider failed (2 attempts): \"a\" (no valid answer), \"b\" (status 502)","type":"api_error","param":null,"code":"upstream_failed"}}



=== TEST 12: a provider that never reads the request: send timeout, next provider
--- config
    location /v1/ {
        llm_gateway openai;
        llm_max_body_size 32m;
        client_body_buffer_size 32m;
        access_log logs/error.log llm;
    }
--- http_config eval
# a listener that never accepts: the kernel buffers a few MB, then the
# gateway's send stalls
$main::Stuck = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1',
                                     LocalPort => 0, Proto => 'tcp')
    or die "listen: $!";
my $stuck = $main::Stuck->sockport;
qq{
    llm_provider stuck {
        type openai;
        url http://127.0.0.1:$stuck/v1;
        models gpt-4o;
        timeouts send=300ms;
    }
    llm_provider good { type openai; url http://127.0.0.1:\$TEST_NGINX_RAND_PORT_2/v1; models gpt-4o; weight 0; }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:\$TEST_NGINX_RAND_PORT_2;
        client_max_body_size 32m;
        location / { return 200 '{"good":true}'; }
    }
}
--- request eval
"POST /v1/chat/completions\n" . '{"model":"gpt-4o","messages":[{"role":"user","content":"' . ("x" x (24 * 1024 * 1024)) . '"}]}'
--- timeout: 5
--- response_body chomp
{"good":true}
--- error_log
upstream timed out
LLMLOG provider=good attempts=2 status=200



=== TEST 13: any 5xx fails over, not only the four nginx knows
--- http_config
    llm_provider odd { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_3/v1; models gpt-4o; }
    llm_provider good { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1; models gpt-4o; weight 0; }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_3;
        location / { return 501; }
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location / { return 200 '{"good":true}'; }
    }
--- response_body chomp
{"good":true}
--- error_log
provider "odd" answered 501
LLMLOG provider=good attempts=2 status=200
