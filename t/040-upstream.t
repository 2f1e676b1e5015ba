# The provider connection: failures before the first byte, timeouts,
# keep-alive reuse, HTTPS with verification and SNI, upstream{} blocks,
# failover to the next candidate.
use Test::Nginx::Socket 'no_plan';

our $Config = <<'_EOC_';
    location /v1/ {
        llm_gateway openai;
        access_log logs/error.log llm;
    }
_EOC_

our $Log = q{log_format llm 'LLMLOG provider=$llm_provider attempts=$llm_attempts ttft=$llm_ttft error="$llm_error"';};

our $Mock = <<'_EOC_';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location /v1/chat/completions {
            default_type application/json;
            return 200 '{"conn":"$connection","reqs":"$connection_requests"}';
        }
    }
_EOC_

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value("config", $Config) unless defined $block->config;
    (my $http = $block->http_config) =~ s/__MOCK__/$main::Mock/;
    $block->set_value("http_config", $main::Log . "\n" . $http);
    $block->set_value("more_headers", "Authorization: Bearer sk-alpha")
        unless defined $block->more_headers;
    $block->set_value("request", qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}\n})
        unless defined $block->request;
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: connection refused is 502 in OpenAI's shape
--- http_config
    llm_provider up { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_3/v1; models gpt-4o; }
    llm_virtual_key alpha { key sk-alpha; models *; }
--- error_code: 502
--- response_body
{"error":{"message":"Every provider failed (1 attempt): \"up\" (no valid answer)","type":"api_error","param":null,"code":"upstream_failed"}}
--- error_log
Connection refused
LLMLOG provider=up attempts=1 ttft=- error="Every provider failed (1 attempt): \x22up\x22 (no valid answer)"



=== TEST 2: no first byte within first_token is 504
--- http_config
    llm_provider up { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1; models gpt-4o; timeouts first_token=300ms; }
    llm_virtual_key alpha { key sk-alpha; models *; }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply_delay: 2s
--- tcp_reply: HTTP/1.1 200 OK
--- error_code: 504
--- response_body
{"error":{"message":"Every provider failed (1 attempt): \"up\" (timed out)","type":"api_error","param":null,"code":"upstream_failed"}}
--- error_log
upstream timed out



=== TEST 3: a response that is not HTTP is 502
--- http_config
    llm_provider up { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1; models gpt-4o; }
    llm_virtual_key alpha { key sk-alpha; models *; }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply: SSH-2.0-OpenSSH_9.2
--- error_code: 502
--- response_body_like: "code":"upstream_failed"
--- error_log
sent no valid HTTP/1.x header



=== TEST 4: the last provider's 500 becomes the gateway's 502 naming it
--- http_config
    llm_provider up { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1; models gpt-4o; }
    llm_virtual_key alpha { key sk-alpha; models *; }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
--- error_code: 502
--- response_body
{"error":{"message":"Every provider failed (1 attempt): \"up\" (status 500)","type":"api_error","param":null,"code":"upstream_failed"}}



=== TEST 5: the last provider's 429 is a 429
--- http_config
    llm_provider up { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1; models gpt-4o; cooldown 1s; }
    llm_virtual_key alpha { key sk-alpha; models *; }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n"
--- error_code: 429
--- response_body
{"error":{"message":"Every provider failed (1 attempt): \"up\" (status 429)","type":"rate_limit_error","param":null,"code":"upstream_rate_limited"}}



=== TEST 6: Anthropic's 529 counts as a failure too
--- http_config
    llm_provider up { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1; models gpt-4o; }
    llm_virtual_key alpha { key sk-alpha; models *; }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 529 Overloaded\r\nContent-Length: 0\r\n\r\n"
--- error_code: 502
--- response_body_like: \\"up\\" \(status 529\)



=== TEST 7: failover before the first byte: the backup (declared first) answers second
--- http_config
    llm_provider backup { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1; models gpt-4o; weight 0; }
    llm_provider first { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1; models gpt-4o; weight 1; }
    llm_virtual_key alpha { key sk-alpha; models *; }
__MOCK__
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
--- response_body_like: ^\{"conn":"\d+","reqs":"1"\}$
--- error_log
LLMLOG provider=backup attempts=2



=== TEST 8: keep-alive: the second request reuses the provider connection
--- http_config
    llm_provider up { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1; models gpt-4o; }
    llm_virtual_key alpha { key sk-alpha; models *; }
__MOCK__
--- request eval
[ qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}}, qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}}, qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}} ]
--- response_body_like eval
[ qr/"reqs":"1"/, qr/"reqs":"2"/, qr/"reqs":"3"/ ]
--- error_log
llm: cached provider connection



=== TEST 9: keep-alive through an upstream{} block named in url, with Host set
--- http_config
    upstream pool { server 127.0.0.1:$TEST_NGINX_RAND_PORT_2; keepalive 4; }
    llm_provider up { type openai; url http://pool/v1; host api.example.com; models gpt-4o; }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location /v1/chat/completions {
            default_type application/json;
            return 200 '{"host":"$host","reqs":"$connection_requests"}';
        }
    }
--- request eval
[ qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}}, qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}} ]
--- response_body eval
[ '{"host":"api.example.com","reqs":"1"}', '{"host":"api.example.com","reqs":"2"}' ]



=== TEST 10: HTTPS with certificate verification and SNI, and TLS keep-alive
--- http_config
    llm_ssl_trusted_certificate $TEST_NGINX_CERT_DIR/ca.crt;
    llm_provider up { type openai; url https://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1; host localhost; models gpt-4o; }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2 ssl;
        ssl_certificate $TEST_NGINX_CERT_DIR/server.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/server.key;
        location /v1/chat/completions {
            default_type application/json;
            return 200 '{"sni":"$ssl_server_name","reqs":"$connection_requests"}';
        }
    }
--- request eval
[ qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}}, qq{POST /v1/chat/completions\n{"model":"gpt-4o","messages":[]}} ]
--- response_body eval
[ '{"sni":"localhost","reqs":"1"}', '{"sni":"localhost","reqs":"2"}' ]



=== TEST 11: HTTPS to a certificate no trusted CA signed is refused
--- http_config
    llm_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
    llm_provider up { type openai; url https://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1; host localhost; models gpt-4o; }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2 ssl;
        ssl_certificate $TEST_NGINX_CERT_DIR/server.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/server.key;
        location / { return 200 'should not be reached'; }
    }
--- error_code: 502
--- response_body_like: "code":"upstream_failed"
--- error_log
upstream SSL certificate verify error



=== TEST 12: HTTPS whose certificate names another host is refused
--- http_config
    llm_ssl_trusted_certificate $TEST_NGINX_CERT_DIR/ca.crt;
    llm_provider up { type openai; url https://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1; host api.openai.com; models gpt-4o; }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2 ssl;
        ssl_certificate $TEST_NGINX_CERT_DIR/server.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/server.key;
        location / { return 200 'should not be reached'; }
    }
--- error_code: 502
--- error_log
upstream SSL certificate does not match "api.openai.com"



=== TEST 13: api_key from a file is sent as the bearer token
--- http_config
    llm_provider up { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1; api_key file:$TEST_NGINX_SERVER_ROOT/html/key.txt; models gpt-4o; }
    llm_virtual_key alpha { key sk-alpha; models *; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location /v1/chat/completions {
            default_type application/json;
            return 200 '{"auth":"$http_authorization"}';
        }
    }
--- user_files
>>> key.txt
sk-from-file
--- response_body chomp
{"auth":"Bearer sk-from-file"}



=== TEST 14: response headers larger than llm_buffer_size are 502
--- config
    location /v1/ {
        llm_gateway openai;
        llm_buffer_size 4k;
    }
--- http_config
    llm_provider up { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1; models gpt-4o; }
    llm_virtual_key alpha { key sk-alpha; models *; }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nX-Big: " . ("b" x 8000) . "\r\nContent-Length: 2\r\n\r\n{}"
--- error_code: 502
--- response_body_like: "code":"upstream_failed"
--- error_log
upstream sent too big header
