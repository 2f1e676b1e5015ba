# Routing: per-key and per-request fallbacks, the x-llm-provider header.
use Test::Nginx::Socket 'no_plan';

our $HttpConfig = <<'_EOC_';
    llm_provider up {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        api_key sk-up;
        models gpt-4o;
    }
    llm_provider good {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1;
        models gpt-4o gpt-4o-mini;
        weight 0;
    }
    llm_provider demo { type mock; models *; weight 0; }
    llm_virtual_key alpha { key sk-alpha; models up/* good/*; fallbacks good/gpt-4o-mini; }
    llm_virtual_key beta { key sk-beta; models up/* good/* demo/*; }
    log_format llm 'LLMLOG provider=$llm_provider model=$llm_model attempts=$llm_attempts';

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location /v1/chat/completions {
            default_type application/json;
            return 200 '{"served":"good"}';
        }
    }
_EOC_

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value("http_config", $HttpConfig);
    $block->set_value("config", "    location /v1/ { llm_gateway openai; access_log logs/error.log llm; }");
    $block->set_value("more_headers", "Authorization: Bearer sk-alpha")
        unless defined $block->more_headers;
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: the key's fallback answers when the provider fails
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
--- request
POST /v1/chat/completions
{"model":"up/gpt-4o","messages":[]}
--- response_headers
x-llm-provider: good
--- response_body chomp
{"served":"good"}
--- error_log
LLMLOG provider=good model=gpt-4o-mini attempts=2



=== TEST 2: the request's "fallbacks" are tried and removed from the body
--- more_headers
Authorization: Bearer sk-beta
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
--- request
POST /v1/chat/completions
{"model":"up/gpt-4o","fallbacks":["good/gpt-4o-mini"],"messages":[]}
--- tcp_query eval
my $b = qq({"model":"gpt-4o","messages":[]}\n);
"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\nAuthorization: Bearer sk-up\r\nContent-Type: application/json\r\nContent-Length: " . length($b) . "\r\nAccept: application/json\r\n\r\n$b"
--- response_headers
x-llm-provider: good
--- error_log
LLMLOG provider=good model=gpt-4o-mini attempts=2



=== TEST 3: "fallbacks" as the last member takes the comma before it
--- more_headers
Authorization: Bearer sk-beta
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
--- request
POST /v1/chat/completions
{"model":"up/gpt-4o","messages":[] , "fallbacks" : [ "good/gpt-4o-mini" ] }
--- tcp_query eval
my $b = qq({"model":"gpt-4o","messages":[]  }\n);
"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\nAuthorization: Bearer sk-up\r\nContent-Type: application/json\r\nContent-Length: " . length($b) . "\r\nAccept: application/json\r\n\r\n$b"
--- response_headers
x-llm-provider: up



=== TEST 4: a fallback the key may not call is 403
--- request
POST /v1/chat/completions
{"model":"up/gpt-4o","fallbacks":["demo/x"],"messages":[]}
--- error_code: 403
--- response_body_like: The model \\"demo/x\\" is not allowed



=== TEST 5: "fallbacks" that is not an array of strings is 400
--- request
POST /v1/chat/completions
{"model":"up/gpt-4o","fallbacks":["good/gpt-4o-mini", 7],"messages":[]}
--- error_code: 400
--- response_body_like: "\\"fallbacks\\" must be an array of model names\."



=== TEST 6: the mock names itself too
--- more_headers
Authorization: Bearer sk-beta
--- request
POST /v1/chat/completions
{"model":"demo/x","messages":[]}
--- response_headers
x-llm-provider: demo
