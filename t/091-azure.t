# Azure OpenAI: the deployment in the path, api-version, the api-key
# header; the body passes through as for any OpenAI-compatible host.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;

our $Http = <<'_EOC_';
    llm_provider az {
        type azure;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        api_key az-secret;
        models gpt-4o gpt-4o-mini text-embedding-3-small;
        deployment gpt-4o prod-4o;
    }
    llm_virtual_key k { key sk-k; models *; }
_EOC_

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', $::Http)
        unless defined $block->http_config;
    $block->set_value('config', "    location /v1/ { llm_gateway openai; }\n")
        unless defined $block->config;
    $block->set_value('more_headers', 'Authorization: Bearer sk-k')
        unless defined $block->more_headers;
});

run_tests();

__DATA__

=== TEST 1: a mapped model: its deployment, the default api-version, api-key
--- request
POST /v1/chat/completions
{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"c","object":"chat.completion","choices":[],"usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3}}')
--- tcp_query eval
my $b = '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}' . "\n";
"POST /openai/deployments/prod-4o/chat/completions?api-version=2024-10-21 HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\napi-key: az-secret\r\nContent-Type: application/json\r\nContent-Length: " . length($b) . "\r\nAccept: application/json\r\n\r\n$b"
--- response_body eval
'{"id":"c","object":"chat.completion","choices":[],"usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3}}'
--- response_headers
x-llm-provider: az



=== TEST 2: an unmapped model names its deployment; embeddings; a set api_version
--- http_config
    llm_provider az {
        type azure;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/base;
        api_key az-secret;
        api_version 2025-01-01-preview;
        models text-embedding-3-small;
    }
    llm_virtual_key k { key sk-k; models *; }
--- request
POST /v1/embeddings
{"model":"text-embedding-3-small","input":"x"}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"object":"list","data":[],"usage":{"prompt_tokens":1,"total_tokens":1}}')
--- tcp_query eval
my $b = '{"model":"text-embedding-3-small","input":"x"}' . "\n";
"POST /base/openai/deployments/text-embedding-3-small/embeddings?api-version=2025-01-01-preview HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\napi-key: az-secret\r\nContent-Type: application/json\r\nContent-Length: " . length($b) . "\r\nAccept: application/json\r\n\r\n$b"
--- response_body eval
'{"object":"list","data":[],"usage":{"prompt_tokens":1,"total_tokens":1}}'



=== TEST 3: config: deployment belongs to azure providers
--- http_config
    llm_provider p { type openai; url http://127.0.0.1:1/v1; models *; deployment gpt-4o d; }
--- must_die
--- error_log eval
qr/"api_version" and "deployment" in llm_provider "p" need "type azure"/



=== TEST 4: config: deployment takes a model and a name
--- http_config
    llm_provider p { type azure; url http://127.0.0.1:1; models *; deployment gpt-4o; }
--- must_die
--- error_log eval
qr/invalid deployment, allowed: deployment MODEL NAME/
