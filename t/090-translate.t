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



=== TEST 2: tools: definitions, a call, results; the call comes back as tool_calls
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":null,"tool_calls":[{"id":"toolu_01A","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"toolu_01A","content":"18C, sunny"},{"role":"user","content":"And in Rome?"}],"tools":[{"type":"function","function":{"name":"get_weather","description":"Get the current weather in a given location","parameters":{"type":"object","properties":{"location":{"type":"string","description":"The city"}},"required":["location"]}}}],"tool_choice":"auto"}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"msg_01Aq9w938a90dw8q","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"I will check Rome."},{"type":"tool_use","id":"toolu_01B","name":"get_weather","input":{"location":"Rome"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":500,"output_tokens":40}}')
--- tcp_query eval
my $b = '{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"location":"Paris"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":[{"type":"text","text":"18C, sunny"}]},{"type":"text","text":"And in Rome?"}]}],"max_tokens":4096,"tools":[{"name":"get_weather","description":"Get the current weather in a given location","input_schema":{"type":"object","properties":{"location":{"type":"string","description":"The city"}},"required":["location"]}}],"tool_choice":{"type":"auto"}}';
"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\nanthropic-version: 2023-06-01\r\nx-api-key: sk-ant-test\r\nContent-Type: application/json\r\nContent-Length: " . length($b) . "\r\nAccept: application/json\r\n\r\n$b"
--- response_body_like eval
qr/^\{"id":"msg_01Aq9w938a90dw8q","object":"chat\.completion","created":\d+,"model":"claude-sonnet-4-6","choices":\[\{"index":0,"message":\{"role":"assistant","content":"I will check Rome\.","tool_calls":\[\{"id":"toolu_01B","type":"function","function":\{"name":"get_weather","arguments":"\{\\"location\\":\\"Rome\\"\}"\}\}\]\},"finish_reason":"tool_calls"\}\],"usage":\{"prompt_tokens":500,"completion_tokens":40,"total_tokens":540,"prompt_tokens_details":\{"cached_tokens":0\}\}\}\n$/



=== TEST 3: images by URL and base64, cache tokens in the usage and the cost
--- request
POST /v1/chat/completions
{"model":"claude-haiku-4-5","max_completion_tokens":20,"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://upload.example/ant.jpg"}},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},{"type":"text","text":"Describe both."}]}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"msg_x","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"An ant; a logo."}],"stop_reason":"max_tokens","usage":{"input_tokens":100,"output_tokens":20,"cache_read_input_tokens":1000,"cache_creation_input_tokens":200}}')
--- tcp_query eval
my $b = '{"model":"claude-haiku-4-5","messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://upload.example/ant.jpg"}},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"text","text":"Describe both."}]}],"max_tokens":20}';
"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\nanthropic-version: 2023-06-01\r\nx-api-key: sk-ant-test\r\nContent-Type: application/json\r\nContent-Length: " . length($b) . "\r\nAccept: application/json\r\n\r\n$b"
--- response_body_like eval
qr/"choices":\[\{"index":0,"message":\{"role":"assistant","content":"An ant; a logo\."\},"finish_reason":"length"\}\],"usage":\{"prompt_tokens":1300,"completion_tokens":20,"total_tokens":1320,"prompt_tokens_details":\{"cached_tokens":1000,"cache_write_tokens":200\}\}\}\n$/
--- error_log
u=reported p=1300 c=20 k=1000 cost=0.00055



=== TEST 4: an Anthropic error keeps its status and message, in OpenAI's shape
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","max_tokens":999999,"messages":[{"role":"user","content":"x"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("400 Bad Request", "application/json", '{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: 999999 > 64000, which is the maximum allowed"}}')
--- error_code: 400
--- response_body
{"error":{"message":"max_tokens: 999999 > 64000, which is the maximum allowed","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}



=== TEST 5: Anthropic's 529 (overloaded) fails over like a 503
--- http_config
    llm_provider claude {
        type anthropic;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        api_key sk-ant-test;
        models claude-*;
    }
    llm_provider gpt {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1;
        models gpt-4o;
    }
    llm_virtual_key k { key sk-k; models *; fallbacks gpt/gpt-4o; }
    log_format tr "u=$llm_usage_source";
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location / {
            default_type application/json;
            return 200 '{"id":"c","object":"chat.completion","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}';
        }
    }
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"x"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("529 Overloaded", "application/json", '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')
--- response_body eval
'{"id":"c","object":"chat.completion","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}'
--- response_headers
x-llm-provider: gpt



=== TEST 6: a field Messages cannot express is refused with a 400 naming it
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","n":3,"messages":[{"role":"user","content":"x"}]}
--- error_code: 400
--- response_body
{"error":{"message":"The request cannot be translated for the provider \"claude\": \"n\" other than 1 cannot be translated.","type":"invalid_request_error","param":null,"code":"invalid_request"}}



=== TEST 7: a stream: Anthropic's events as OpenAI chunks, split across reads
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
my $s = CORE::join '', map { "event: x\ndata: $_\n\n" }
  '{"type":"message_start","message":{"id":"msg_1nZd","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-6","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}',
  '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
  '{"type": "ping"}',
  '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}',
  '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}',
  '{"type":"content_block_stop","index":0}',
  '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}',
  '{"type":"message_stop"}';
main::cut(main::chunked("200 OK", "text/event-stream", $s), 100, 250, 251, 600)
--- response_body_like eval
my $h = 'data: \{"id":"msg_1nZd","object":"chat\.completion\.chunk","created":\d+,"model":"claude-sonnet-4-6","choices":\[';
qr/^${h}\{"index":0,"delta":\{"role":"assistant","content":""\},"finish_reason":null\}\]\}\n\n${h}\{"index":0,"delta":\{"content":"Hello"\},"finish_reason":null\}\]\}\n\n${h}\{"index":0,"delta":\{"content":"!"\},"finish_reason":null\}\]\}\n\n${h}\{"index":0,"delta":\{\},"finish_reason":"stop"\}\]\}\n\n${h}\],"usage":\{"prompt_tokens":25,"completion_tokens":15,"total_tokens":40,"prompt_tokens_details":\{"cached_tokens":0\}\}\}\n\ndata: \[DONE\]\n\n$/
--- error_log
u=reported p=25 c=15 k=0 cost=0.0003



=== TEST 7b: a stream cut after a delta ends with an error event, charged as estimated
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","stream":true,"messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
. main::chunks('event: message_start' . "\n" . 'data: {"type":"message_start","message":{"id":"m","model":"claude-sonnet-4-6","usage":{"input_tokens":40,"output_tokens":1}}}' . "\n\n"
. 'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"12345678"}}' . "\n\n")
--- response_body_like eval
qr/"delta":\{"content":"12345678"\}.*\n\ndata: \{"error":\{"message":"The provider stream from \\"claude\\" was interrupted","type":"api_error","param":null,"code":"stream_interrupted"\}\}\n\n$/s
--- error_log
u=estimated p=40 c=2 k=0



=== TEST 7c: an error event mid-stream becomes the OpenAI error event that ends it
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","stream":true,"messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::chunked("200 OK", "text/event-stream",
  'data: {"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":4}}}' . "\n\n",
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}' . "\n\n",
  'event: error' . "\n" . 'data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' . "\n\n")
--- response_body_like eval
qr/"delta":\{"content":"Hi"\}.*\n\ndata: \{"error":\{"message":"Overloaded","type":"api_error","param":null,"code":"stream_interrupted"\}\}\n\n$/s



=== TEST 7d: an event that is not part of a Messages stream ends it with an error event
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","stream":true,"messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::chunked("200 OK", "text/event-stream",
  'data: {"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":4}}}' . "\n\n",
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}' . "\n\n",
  'data: {"type":"content_block_delta","delta":{"type":"text_delta","text":"broken' . "\n\n")
--- response_body_like eval
qr/"delta":\{"content":"Hi"\}.*\n\ndata: \{"error":\{"message":"The provider stream from \\"claude\\" was interrupted","type":"api_error","param":null,"code":"stream_interrupted"\}\}\n\n$/s
--- error_log
sent an event that could not be translated



=== TEST 8: an answer that is not a Messages response: an error body, logged
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"x"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"choices":[]}')
--- response_body
{"error":{"message":"The provider \"claude\" sent an answer that could not be translated.","type":"api_error","param":null,"code":"translation_failed"}}
--- error_log
sent an answer that could not be translated: not a Messages response



=== TEST 9: a chunked answer split across reads translates the same
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"x"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::cut(main::chunked("200 OK", "application/json", '{"id":"m","type":"message","content":[{"type":"text",', '"text":"split"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}'), 40, 90, 130)
--- response_body_like eval
qr/^\{"id":"m","object":"chat\.completion","created":\d+,"choices":\[\{"index":0,"message":\{"role":"assistant","content":"split"\},"finish_reason":"stop"\}\],"usage":\{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4,/



=== TEST 10: config: anthropic_version is Anthropic's; sent when set
--- http_config
    llm_provider p { type openai; url http://127.0.0.1:1/v1; models *; anthropic_version 2023-01-01; }
--- must_die
--- error_log eval
qr/"anthropic_version" in llm_provider "p" needs "type anthropic"/
