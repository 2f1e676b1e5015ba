# OpenAI passthrough: the provider receives the client's bytes except the
# model name and stream_options.include_usage; responses come back
# unchanged; usage is read for the $llm_* variables.
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;

our $HttpConfig = <<'_EOC_';
    llm_provider up {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        api_key sk-provider-secret;
        models gpt-4o gpt-4o-mini text-embedding-3-small;
    }
    llm_virtual_key alpha { key sk-alpha; models *; metadata team=ml; }
    log_format llm 'LLMLOG key=$llm_virtual_key provider=$llm_provider model=$llm_model requested=$llm_requested_model in=$llm_prompt_tokens out=$llm_completion_tokens cached=$llm_cached_tokens usage=$llm_usage_source attempts=$llm_attempts team=$llm_meta_team error="$llm_error" overhead=$llm_overhead';
_EOC_

our $Config = <<'_EOC_';
    location /v1/ {
        llm_gateway openai;
        access_log logs/error.log llm;
    }
_EOC_

sub head {
    my ($port, $body) = @_;
    return "POST /v1/$_[2] HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n"
        . "Authorization: Bearer sk-provider-secret\r\n"
        . "Content-Type: application/json\r\n"
        . "Content-Length: " . length($body) . "\r\n"
        . "Accept: " . ($_[3] || "application/json") . "\r\n\r\n" . $body;
}

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value("http_config", $HttpConfig)
        unless defined $block->http_config;
    $block->set_value("config", $Config) unless defined $block->config;
    $block->set_value("more_headers", "Authorization: Bearer sk-alpha")
        unless defined $block->more_headers;
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: bare model: the body goes byte for byte, the key is replaced
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json",
    '{"id":"c1","object":"chat.completion","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":2}}}',
    "x-request-id: req-1\r\nopenai-organization: org-secret\r\nx-ratelimit-remaining-requests: 99\r\n")
--- request
POST /v1/chat/completions
{ "model" : "gpt-4o",  "temperature":0.25, "messages":[{"role":"user","content":"caf\u00e9 \"q\""}], "extra":{"nested":[1,2,{"a":null}]} }
--- tcp_query eval
main::head($ENV{TEST_NGINX_RAND_PORT_1}, qq({ "model" : "gpt-4o",  "temperature":0.25, "messages":[{"role":"user","content":"caf\\u00e9 \\"q\\""}], "extra":{"nested":[1,2,{"a":null}]} }\n), "chat/completions")
--- response_headers
Content-Type: application/json
Content-Length: 145
!Transfer-Encoding
x-request-id: req-1
!openai-organization
!x-ratelimit-remaining-requests
--- response_body chomp
{"id":"c1","object":"chat.completion","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":2}}}
--- error_log eval
[ 'LLMLOG key=alpha provider=up model=gpt-4o requested=gpt-4o in=7 out=3 cached=2 usage=reported attempts=1 team=ml error="-"',
  qr/error="-" overhead=[1-9]\d*$/m ]
--- no_error_log
[error]



=== TEST 2: provider/model: only the model name changes
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
--- request
POST /v1/chat/completions
{"messages":[{"role":"user","content":"hi"}],"model":"up/gpt-4o-mini","n":1}
--- tcp_query eval
main::head($ENV{TEST_NGINX_RAND_PORT_1}, qq({"messages":[{"role":"user","content":"hi"}],"model":"gpt-4o-mini","n":1}\n), "chat/completions")
--- response_body chomp
{}
--- error_log
LLMLOG key=alpha provider=up model=gpt-4o-mini requested=up/gpt-4o-mini in=- out=- cached=- usage=missing



=== TEST 3: streaming without stream_options: include_usage is added
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: [DONE]\n\n"
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[]}
--- tcp_query eval
main::head($ENV{TEST_NGINX_RAND_PORT_1}, qq({"stream_options":{"include_usage":true},"model":"gpt-4o","stream":true,"messages":[]}\n), "chat/completions", "text/event-stream")
--- response_body eval
"data: [DONE]\n\n"



=== TEST 4: streaming with empty stream_options
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: [DONE]\n\n"
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"stream_options":{ },"messages":[]}
--- tcp_query eval
main::head($ENV{TEST_NGINX_RAND_PORT_1}, qq({"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true },"messages":[]}\n), "chat/completions", "text/event-stream")



=== TEST 5: streaming with include_usage false: the value flips
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: [DONE]\n\n"
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"stream_options":{"other":1,"include_usage":false},"messages":[]}
--- tcp_query eval
main::head($ENV{TEST_NGINX_RAND_PORT_1}, qq({"model":"gpt-4o","stream":true,"stream_options":{"other":1,"include_usage":true},"messages":[]}\n), "chat/completions", "text/event-stream")



=== TEST 6: streaming with stream_options null
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: [DONE]\n\n"
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"stream_options":null,"messages":[]}
--- tcp_query eval
main::head($ENV{TEST_NGINX_RAND_PORT_1}, qq({"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[]}\n), "chat/completions", "text/event-stream")



=== TEST 7: the client asked for usage: the body is untouched
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: [DONE]\n\n"
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[]}
--- tcp_query eval
main::head($ENV{TEST_NGINX_RAND_PORT_1}, qq({"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[]}\n), "chat/completions", "text/event-stream")



=== TEST 8: embeddings pass through, usage read
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::chunked("200 OK", "application/json",
    '{"object":"list","data":[{"embe', 'dding":[0.1,0.2]}],"usage":{"prompt_tokens":5,"total_tokens":5}}')
--- request
POST /v1/embeddings
{"model":"text-embedding-3-small","input":"hello"}
--- tcp_query eval
main::head($ENV{TEST_NGINX_RAND_PORT_1}, qq({"model":"text-embedding-3-small","input":"hello"}\n), "embeddings")
--- response_body chomp
{"object":"list","data":[{"embedding":[0.1,0.2]}],"usage":{"prompt_tokens":5,"total_tokens":5}}
--- error_log
LLMLOG key=alpha provider=up model=text-embedding-3-small requested=text-embedding-3-small in=5 out=0 cached=0 usage=reported



=== TEST 9: a provider 4xx is passed through with its body
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("400 Bad Request", "application/json",
    '{"error":{"message":"bad temperature","type":"invalid_request_error","code":null}}')
--- request
POST /v1/chat/completions
{"model":"gpt-4o","temperature":9,"messages":[]}
--- error_code: 400
--- response_body_like chop
^\{"error":\{"message":"bad temperature"



=== TEST 10: a 1 MB prompt spilled to a temp file reaches the provider whole
--- config
    location /v1/ {
        llm_gateway openai;
        client_body_buffer_size 16k;
    }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
--- request eval
"POST /v1/chat/completions\n" . '{"model":"gpt-4o","messages":[{"role":"user","content":"' . ("a" x 1048576) . '"}]}'
--- tcp_query_len eval
my $body = length('{"model":"gpt-4o","messages":[{"role":"user","content":"') + 1048576 + 4;
length(main::head($ENV{TEST_NGINX_RAND_PORT_1}, "x" x $body, "chat/completions"))
--- response_body chomp
{}
--- error_log
a client request body is buffered to a temporary file
--- timeout: 10



=== TEST 11: a 40 KB prompt read partly with the headers is parsed where nginx read it, reaches the provider byte for byte, and the connection serves a pipelined request next
--- config
    location /v1/ {
        llm_gateway openai;
        client_body_buffer_size 64k;
    }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"c1","choices":[]}')
--- raw_request eval
$main::Big = '{"model":"gpt-4o","messages":[{"role":"user","content":"'
    . CORE::join('', map { sprintf "%05d ", $_ } 1 .. 6800) . '"}]}';
my $small = '{"model":"gpt-4o","messages":[]}';
"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-alpha\r\nContent-Length: "
. length($main::Big) . "\r\n\r\n$main::Big"
. "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer sk-alpha\r\nContent-Length: "
. length($small) . "\r\n\r\n$small"
--- tcp_query eval
main::head($ENV{TEST_NGINX_RAND_PORT_1}, $main::Big, "chat/completions")
--- response_body_like chop
^\{"id":"c1","choices":\[\]\}HTTP/1.1 200 OK\r\n.*\r\n\r\n\{"id":"c1","choices":\[\]\}$
--- no_error_log
a client request body is buffered to a temporary file
[alert]
