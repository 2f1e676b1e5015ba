# Streaming passthrough: events split across TCP reads and chunk
# boundaries, the usage chunk the gateway added removed again, usage read,
# and broken or stalled streams ending with an explicit error event.
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;

our $HttpConfig = <<'_EOC_';
    llm_provider up {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        api_key sk-up;
        models gpt-4o;
        timeouts idle=500ms;
    }
    llm_virtual_key alpha { key sk-alpha; models *; }
    log_format llm 'LLMLOG in=$llm_prompt_tokens out=$llm_completion_tokens cached=$llm_cached_tokens usage=$llm_usage_source';
_EOC_

our $Config = <<'_EOC_';
    location /v1/ {
        llm_gateway openai;
        access_log logs/error.log llm;
    }
_EOC_

our @E = (
    qq(data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n),
    qq(data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n),
    qq(data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\n),
);
our $Usage = qq(data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":4}}}\n\n);
our $Done = "data: [DONE]\n\n";
our $Head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
          . "Transfer-Encoding: chunked\r\n\r\n";

sub error_event {
    my ($msg) = @_;
    return qq(data: {"error":{"message":"$msg","type":"api_error","param":null,"code":"stream_interrupted"}}\n\n);
}

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value("http_config", $HttpConfig)
        unless defined $block->http_config;
    $block->set_value("config", $Config) unless defined $block->config;
    $block->set_value("more_headers", "Authorization: Bearer sk-alpha");
    $block->set_value("tcp_listen", '$TEST_NGINX_RAND_PORT_1');
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: events and chunk framing split across reads; usage chunk removed
--- tcp_reply eval
my $body = $main::Head . main::chunks($main::E[0] . $main::E[1], $main::E[2],
                                      $main::Usage, $main::Done) . "0\r\n\r\n";
# cuts inside the chunk-size line, inside "data:", inside the JSON and
# between the two CR LF of a chunk end
main::cut($body, length($main::Head) + 1, length($main::Head) + 30, 150, 260,
          300, length($body) - 20, length($body) - 3)
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}
--- response_headers
Content-Type: text/event-stream
!Content-Length
--- response_body eval
$main::E[0] . $main::E[1] . $main::E[2] . $main::Done
--- error_log
LLMLOG in=12 out=2 cached=4 usage=reported
--- no_error_log
[error]



=== TEST 2: the client asked for usage: the chunk is kept
--- tcp_reply eval
[$main::Head . main::chunks(@main::E), main::chunks($main::Usage, $main::Done) . "0\r\n\r\n"]
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[]}
--- response_body eval
CORE::join('', @main::E) . $main::Usage . $main::Done
--- error_log
LLMLOG in=12 out=2 cached=4 usage=reported



=== TEST 3: CRLF line endings and a byte-at-a-time event
--- tcp_reply eval
my $ev = qq(data: {"choices":[{"delta":{"content":"x"}}]}\r\n\r\n);
my $body = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n" . $ev . "data: [DONE]\r\n\r\n";
main::cut($body, map { 52 + $_ } 0 .. 12)
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[]}
--- response_body eval
qq(data: {"choices":[{"delta":{"content":"x"}}]}\r\n\r\ndata: [DONE]\r\n\r\n)
--- timeout: 5



=== TEST 4: the provider resets mid-stream: an error event, never [DONE]
--- tcp_reply eval
[$main::Head . main::chunks($main::E[0]), main::chunks($main::E[1])]
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[]}
--- error_code: 200
--- response_body eval
$main::E[0] . $main::E[1] . main::error_event('The provider stream from \"up\" was interrupted')
--- error_log
upstream prematurely closed connection
LLMLOG in=1 out=1 cached=0 usage=estimated



=== TEST 5: the provider stalls mid-stream: the idle timeout ends it with an error event
--- tcp_reply eval
[$main::Head . main::chunks($main::E[0])]
--- tcp_no_close
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[]}
--- response_body eval
$main::E[0] . main::error_event('The provider stream from \"up\" was interrupted (idle timeout)')
--- error_log
upstream timed out



=== TEST 6: a stream without a length that ends without [DONE] is broken too
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" . $main::E[0]
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[]}
--- response_body eval
$main::E[0] . main::error_event('The provider stream from \"up\" was interrupted')



=== TEST 7: an event over 1 MB is refused, with an error event
--- tcp_reply eval
[$main::Head . main::chunks($main::E[0]), main::chunks("data: " . ("x" x 600000)), main::chunks("y" x 600000)]
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[]}
--- response_body eval
$main::E[0] . main::error_event('The provider stream from \"up\" was interrupted')
--- error_log
sent an event larger than 1048576



=== TEST 8: a provider error event inside a 200 stream is passed on as is
--- tcp_reply eval
$main::Head . main::chunks($main::E[0], qq(data: {"error":{"message":"overloaded","type":"server_error"}}\n\n)) . "0\r\n\r\n"
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[]}
--- response_body eval
$main::E[0] . qq(data: {"error":{"message":"overloaded","type":"server_error"}}\n\n) . main::error_event('The provider stream from \"up\" was interrupted')



=== TEST 9: garbage in a chunked body ends the stream with an error event
--- tcp_reply eval
$main::Head . main::chunks($main::E[0]) . "zz\r\nnot a chunk\r\n"
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[]}
--- response_body eval
$main::E[0] . main::error_event('The provider stream from \"up\" was interrupted')
--- error_log
sent an invalid chunked response



=== TEST 10: a stream cut after some text is estimated from that text
--- tcp_reply eval
[$main::Head . main::chunks(@main::E)]
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"0123456789abcdef"}]}
--- response_body eval
CORE::join('', @main::E) . main::error_event('The provider stream from \"up\" was interrupted')
--- error_log
LLMLOG in=12 out=2 cached=0 usage=estimated



=== TEST 11: the client leaves mid-stream: the provider connection is closed, usage estimated
--- tcp_reply eval
[$main::Head . main::chunks($main::E[0], $main::E[1])]
--- tcp_no_close
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[]}
--- timeout: 0.3
--- abort
--- wait: 0.2
--- error_log
LLMLOG in=1 out=1 cached=0 usage=estimated
--- no_error_log
[alert]
[crit]



=== TEST 12: and the worker goes on serving
--- tcp_reply eval
[$main::Head . main::chunks($main::E[0], $main::Done) . "0\r\n\r\n"]
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[]}
--- response_body eval
$main::E[0] . $main::Done



=== TEST 13: OpenAI's chunks carry "usage":null when usage was asked for: a cut stream is still estimated from its text
--- tcp_reply eval
my @e = map { (my $x = $_) =~ s/\}\n\n$/,"usage":null}\n\n/; $x } @main::E;
[$main::Head . main::chunks(@e)]
--- request
POST /v1/chat/completions
{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"0123456789abcdef"}]}
--- response_body eval
my @e = map { (my $x = $_) =~ s/\}\n\n$/,"usage":null}\n\n/; $x } @main::E;
CORE::join('', @e) . main::error_event('The provider stream from \"up\" was interrupted')
--- error_log
LLMLOG in=12 out=2 cached=0 usage=estimated
