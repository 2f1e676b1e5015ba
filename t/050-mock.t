# The built-in mock provider: deterministic answers, usage, streams,
# embeddings and latency, with no network.
use Test::Nginx::Socket 'no_plan';

our $HttpConfig = <<'_EOC_';
    llm_provider demo { type mock; models *; stream_events 3; }
    llm_provider slow { type mock; models *; latency 300ms; }
    llm_virtual_key demo { key sk-demo; models *; }
    log_format llm 'LLMLOG provider=$llm_provider in=$llm_prompt_tokens out=$llm_completion_tokens usage=$llm_usage_source ttft=$llm_ttft';
_EOC_

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value("http_config", $HttpConfig);
    $block->set_value("config", "    location /v1/ { llm_gateway openai; access_log logs/error.log llm; }");
    $block->set_value("more_headers", "Authorization: Bearer sk-demo");
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a stream in several events, no usage chunk unless asked
--- request
POST /v1/chat/completions
{"model":"demo/m","stream":true,"messages":[{"role":"user","content":"Hi"}]}
--- response_headers
Content-Type: text/event-stream
--- response_body eval
my $p = 'data: {"id":"chatcmpl-mock","object":"chat.completion.chunk","created":1735689600,"model":"m","choices":[{"index":0,';
$p . qq("delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n)
. $p . qq("delta":{"content":"This is a mock re"},"finish_reason":null}]}\n\n)
. $p . qq("delta":{"content":"sponse from demo/"},"finish_reason":null}]}\n\n)
. $p . qq("delta":{"content":"m. You said: Hi"},"finish_reason":null}]}\n\n)
. $p . qq("delta":{},"finish_reason":"stop"}]}\n\n)
. "data: [DONE]\n\n"
--- error_log
LLMLOG provider=demo in=9 out=10 usage=reported



=== TEST 2: a stream with include_usage ends with the usage chunk
--- request
POST /v1/chat/completions
{"model":"demo/m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hi"}]}
--- response_body_like eval
qr/"choices":\[\],"usage":\{"prompt_tokens":9,"completion_tokens":10,"total_tokens":19\}\}\n\ndata: \[DONE\]\n\n$/



=== TEST 3: the answer follows the last user message, multi-part content too
--- request
POST /v1/chat/completions
{"model":"demo/m","messages":[{"role":"user","content":"first"},{"role":"assistant","content":"ok"},{"role":"user","content":[{"type":"text","text":"second \"quoted\""}]}]}
--- response_body_like: "content":"This is a mock response from demo/m\. You said: second \\"quoted\\""



=== TEST 4: embeddings, one deterministic vector per input
--- request
POST /v1/embeddings
{"model":"demo/embed","input":["alpha","beta"]}
--- response_body
{"object":"list","data":[{"object":"embedding","index":0,"embedding":[-0.253,0.344,-0.274,-0.001,0.610,-0.764,-0.743,-0.386]},{"object":"embedding","index":1,"embedding":[-0.659,-0.288,-0.869,0.505,-0.309,-0.624,0.568,0.414]}],"model":"embed","usage":{"prompt_tokens":4,"total_tokens":4}}



=== TEST 5: latency delays the answer without blocking the worker
--- request
POST /v1/chat/completions
{"model":"slow/slow-1","messages":[{"role":"user","content":"x"}]}
--- response_body_like: You said: x
--- error_log eval
qr/LLMLOG provider=slow in=\d+ out=\d+ usage=reported ttft=0\.[2-9]\d\d/



=== TEST 6: malformed JSON never reaches the mock
--- request
POST /v1/chat/completions
{"model":"demo/m","messages":[{"role":
--- error_code: 400
--- response_body_like: "code":"invalid_json"



=== TEST 7: a client that leaves while the mock waits: the timer goes with it
--- request
POST /v1/chat/completions
{"model":"slow/x","messages":[{"role":"user","content":"x"}]}
--- timeout: 0.1
--- abort
--- wait: 0.4
--- no_error_log
[alert]
[crit]



=== TEST 8: and the worker still answers
--- request
POST /v1/chat/completions
{"model":"demo/m","messages":[{"role":"user","content":"x"}]}
--- response_body_like: You said: x
