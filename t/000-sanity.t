# Loading the module, the mock provider, and the harness itself.
use Test::Nginx::Socket 'no_plan';

no_shuffle();
run_tests();

__DATA__

=== TEST 1: mock chat completion, exact body
--- http_config
    llm_provider demo { type mock; models *; }
    llm_virtual_key demo { key sk-demo; models *; }
--- config
    location /v1/ { llm_gateway openai; }
--- more_headers
Authorization: Bearer sk-demo
--- request
POST /v1/chat/completions
{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}
--- response_headers
Content-Type: application/json
--- response_body
{"id":"chatcmpl-mock","object":"chat.completion","created":1735689600,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"This is a mock response from demo/gpt-4o-mini. You said: Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":10,"total_tokens":19}}
--- no_error_log
[error]



=== TEST 2: tcp mock provider sees the request
--- http_config
    llm_provider up { type openai; url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1; api_key sk-up; models gpt-4o; }
    llm_virtual_key demo { key sk-demo; models *; }
--- config
    location /v1/ { llm_gateway openai; }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"
--- tcp_query eval
"POST /v1/chat/completions HTTP/1.1\r
Host: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r
Authorization: Bearer sk-up\r
Content-Type: application/json\r
Content-Length: 62\r
Accept: application/json\r
\r
{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}\n"
--- more_headers
Authorization: Bearer sk-demo
--- request
POST /v1/chat/completions
{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}
--- response_body chomp
{"ok":true}
