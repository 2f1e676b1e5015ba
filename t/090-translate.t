# The OpenAI surface served by an Anthropic provider: the exact request
# the provider receives, and the exact answer the client gets, built from
# Anthropic's documented examples (text, system, tools, images, errors).
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;

our $Http = <<'_EOC_';
    llm_provider claude {
        type anthropic;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        api_key sk-ant-test;
        models claude-*;
    }
    llm_virtual_key k { key sk-k; models *; }
    log_format tr "u=$llm_usage_source p=$llm_prompt_tokens c=$llm_completion_tokens k=$llm_cached_tokens cost=$llm_cost";
_EOC_

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', $::Http)
        unless defined $block->http_config;
    $block->set_value('config',
        "    location /v1/ { llm_gateway openai; access_log logs/error.log tr; }\n")
        unless defined $block->config;
    $block->set_value('more_headers', 'Authorization: Bearer sk-k')
        unless defined $block->more_headers;
});

run_tests();

__DATA__

=== TEST 1: text, system prompt, sampling: the request Anthropic receives
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","max_tokens":50,"temperature":0.2,"stop":["END"],"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello, Claude"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"Hi! My name is Claude."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2095,"output_tokens":503}}')
--- tcp_query eval
my $b = '{"model":"claude-sonnet-4-6","system":[{"type":"text","text":"Be brief."}],"messages":[{"role":"user","content":[{"type":"text","text":"Hello, Claude"}]}],"max_tokens":50,"stop_sequences":["END"],"temperature":0.2}';
"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\nanthropic-version: 2023-06-01\r\nx-api-key: sk-ant-test\r\nContent-Type: application/json\r\nContent-Length: " . length($b) . "\r\nAccept: application/json\r\n\r\n$b"
--- response_body_like eval
qr/^\{"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","object":"chat\.completion","created":\d+,"model":"claude-sonnet-4-6","choices":\[\{"index":0,"message":\{"role":"assistant","content":"Hi! My name is Claude\."\},"finish_reason":"stop"\}\],"usage":\{"prompt_tokens":2095,"completion_tokens":503,"total_tokens":2598,"prompt_tokens_details":\{"cached_tokens":0\}\}\}\n$/
--- response_headers
x-llm-provider: claude
! content-length
--- error_log
u=reported p=2095 c=503 k=0 cost=0.01383
