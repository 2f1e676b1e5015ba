# The Anthropic surface (llm_gateway anthropic): served by an OpenAI-
# dialect provider through the translators (the exact body the provider
# receives, the exact answer and event sequence the client gets), by an
# Anthropic provider byte for byte, and by the mock; errors in Anthropic's
# shape; count_tokens.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;

our $Http = <<'_EOC_';
    llm_provider gpt {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        api_key sk-oa;
        models gpt-*;
    }
    llm_provider claude {
        type anthropic;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        api_key sk-ant;
        models claude-*;
    }
    llm_provider demo { type mock; models mock-1; stream_events 2; }
    llm_virtual_key k { key sk-k; models *; }
    log_format tr "u=$llm_usage_source p=$llm_prompt_tokens c=$llm_completion_tokens k=$llm_cached_tokens cost=$llm_cost";
_EOC_

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', $::Http)
        unless defined $block->http_config;
    $block->set_value('config',
        "    location /anthropic/ { llm_gateway anthropic; access_log logs/error.log tr; }\n")
        unless defined $block->config;
    $block->set_value('more_headers', 'x-api-key: sk-k')
        unless defined $block->more_headers;
});

sub oa_query {
    my ($b, $accept) = @_;
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\n"
        . "Authorization: Bearer sk-oa\r\nContent-Type: application/json\r\n"
        . "Content-Length: " . length($b) . "\r\nAccept: " . ($accept // 'application/json') . "\r\n\r\n$b";
}

sub events {
    return CORE::join '', map { "data: $_\n\n" } @_;
}

run_tests();

__DATA__

=== TEST 1: system, turns, sampling, stop sequences, user: the body OpenAI receives; the answer as a Message
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":100,"system":"Be brief.","temperature":0.5,"top_p":0.9,"top_k":40,"stop_sequences":["END"],"metadata":{"user_id":"u-42"},"messages":[{"role":"user","content":"Hello"},{"role":"assistant","content":"Hi."},{"role":"user","content":[{"type":"text","text":"How are you?"}]}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"chatcmpl-B9M","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Well, thanks.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0}}}')
--- tcp_query eval
main::oa_query('{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"},{"role":"assistant","content":"Hi."},{"role":"user","content":"How are you?"}],"max_completion_tokens":100,"temperature":0.5,"top_p":0.9,"stop":["END"],"user":"u-42"}')
--- response_body
{"id":"chatcmpl-B9M","type":"message","role":"assistant","model":"gpt-4o-2024-08-06","content":[{"type":"text","text":"Well, thanks."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":19,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":10}}
--- response_headers
x-llm-provider: gpt
Content-Type: application/json
--- error_log
u=reported p=19 c=10 k=0 cost=0.0001475



=== TEST 2: tools: definitions, a call and its result in the history, tool_choice any; the answer's call as tool_use
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":200,"tools":[{"name":"get_weather","description":"Get the current weather in a given location","input_schema":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}],"tool_choice":{"type":"any","disable_parallel_tool_use":true},"messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"location":"Paris"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"18C, sunny"},{"type":"text","text":"And in Rome?"}]}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"chatcmpl-T","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Rome\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":80,"completion_tokens":15,"total_tokens":95}}')
--- tcp_query eval
main::oa_query('{"model":"gpt-4o","messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","tool_calls":[{"id":"toolu_01A","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}}],"content":"Checking."},{"role":"tool","tool_call_id":"toolu_01A","content":"18C, sunny"},{"role":"user","content":"And in Rome?"}],"tools":[{"type":"function","function":{"name":"get_weather","description":"Get the current weather in a given location","parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}}],"tool_choice":"required","parallel_tool_calls":false,"max_completion_tokens":200}')
--- response_body
{"id":"chatcmpl-T","type":"message","role":"assistant","model":"gpt-4o","content":[{"type":"tool_use","id":"call_9","name":"get_weather","input":{"location":"Rome"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":80,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":15}}



=== TEST 3: images by base64 and URL become image_url parts; cached input apart; length is max_tokens
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":20,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"image","source":{"type":"url","url":"https://upload.example/ant.jpg"}},{"type":"text","text":"Describe both.","cache_control":{"type":"ephemeral"}}]}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"c3","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"An ant; a logo"},"finish_reason":"length"}],"usage":{"prompt_tokens":1200,"completion_tokens":20,"total_tokens":1220,"prompt_tokens_details":{"cached_tokens":1024}}}')
--- tcp_query eval
main::oa_query('{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},{"type":"image_url","image_url":{"url":"https://upload.example/ant.jpg"}},{"type":"text","text":"Describe both."}]}],"max_completion_tokens":20}')
--- response_body
{"id":"c3","type":"message","role":"assistant","model":"gpt-4o","content":[{"type":"text","text":"An ant; a logo"}],"stop_reason":"max_tokens","stop_sequence":null,"usage":{"input_tokens":176,"cache_creation_input_tokens":0,"cache_read_input_tokens":1024,"output_tokens":20}}
--- error_log
u=reported p=1200 c=20 k=1024 cost=0.00192



=== TEST 4: OpenAI's error keeps its status, in Anthropic's shape
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"x"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("400 Bad Request", "application/json", '{"error":{"message":"Invalid value for \'max_completion_tokens\'.","type":"invalid_request_error","param":"max_completion_tokens","code":"invalid_value"}}')
--- error_code: 400
--- response_body
{"type":"error","error":{"type":"invalid_request_error","message":"Invalid value for 'max_completion_tokens'."}}



=== TEST 5: a server tool OpenAI cannot run is refused with a 400 naming it
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":5,"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":5}],"messages":[{"role":"user","content":"x"}]}
--- error_code: 400
--- response_body
{"type":"error","error":{"type":"invalid_request_error","message":"The request cannot be translated for the provider \"gpt\": \"tools\": the tool type \"web_search_20250305\" cannot be translated; only client tools with a name and input_schema."}}



=== TEST 6: a document block is refused with a 400 naming it
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}}]}]}
--- error_code: 400
--- response_body
{"type":"error","error":{"type":"invalid_request_error","message":"The request cannot be translated for the provider \"gpt\": messages[0]: a \"document\" block cannot be translated."}}



=== TEST 7: a stream: OpenAI's chunks as the Messages event sequence, split across reads
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
my $h = '{"id":"chatcmpl-S","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[';
main::cut(main::chunked("200 OK", "text/event-stream", main::events(
  $h . '{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
  $h . '{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}',
  $h . '{"index":0,"delta":{"content":"lo \"you\""},"finish_reason":null}]}',
  $h . '{"index":0,"delta":{},"finish_reason":"stop"}]}',
  $h . '],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}',
  '[DONE]')), 120, 300, 301, 700)
--- tcp_query eval
main::oa_query('{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"max_completion_tokens":50,"stream":true,"stream_options":{"include_usage":true}}', 'text/event-stream')
--- response_body eval
"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"chatcmpl-S\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"gpt-4o\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}\n\n"
. "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
. "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n"
. "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo \\\"you\\\"\"}}\n\n"
. "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
. "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":9,\"cache_read_input_tokens\":0,\"output_tokens\":3}}\n\n"
. "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
--- response_headers
Content-Type: text/event-stream
--- error_log
u=reported p=9 c=3 k=0 cost=0.0000525



=== TEST 8: a streamed tool call after text: a tool_use block and its input_json_delta events
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":50,"stream":true,"tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"Weather?"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
my $h = '{"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[';
main::chunked("200 OK", "text/event-stream", main::events(
  $h . '{"index":0,"delta":{"role":"assistant","content":"Let me see."},"finish_reason":null}]}',
  $h . '{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}',
  $h . '{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}]}',
  $h . '{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]},"finish_reason":null}]}',
  $h . '{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":30,"completion_tokens":12,"total_tokens":42}}',
  '[DONE]'))
--- response_body eval
"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"c\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"gpt-4o\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}\n\n"
. "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
. "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me see.\"}}\n\n"
. "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
. "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"get_weather\",\"input\":{}}}\n\n"
. "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\"}}\n\n"
. "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Oslo\\\"}\"}}\n\n"
. "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
. "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":30,\"cache_read_input_tokens\":0,\"output_tokens\":12}}\n\n"
. "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"



=== TEST 9: a stream cut after a delta ends with an Anthropic error event, charged as estimated
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"Hello there"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
. main::chunks(main::events('{"id":"c","choices":[{"index":0,"delta":{"content":"12345678"},"finish_reason":null}]}'))
--- response_body_like eval
qr/"text":"12345678"\}\}\n\nevent: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The provider stream from \\"gpt\\" was interrupted"\}\}\n\n$/s
--- error_log
u=estimated p=11 c=2 k=0



=== TEST 10: an error chunk mid-stream becomes the error event that ends it
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::chunked("200 OK", "text/event-stream", main::events(
  '{"id":"c","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}',
  '{"error":{"message":"The server had an error","type":"server_error"}}'))
--- response_body_like eval
qr/"text":"Hi"\}\}\n\nevent: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The server had an error"\}\}\n\n$/s



=== TEST 11: a chunk that is not JSON ends the stream with an error event, logged
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::chunked("200 OK", "text/event-stream", main::events(
  '{"id":"c","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}',
  '{"id":"c","choices":[{"index":0,"delta":{"content":"bro'))
--- response_body_like eval
qr/"text":"Hi"\}\}\n\nevent: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The provider stream from \\"gpt\\" was interrupted"\}\}\n\n$/s
--- error_log
sent an event that could not be translated



=== TEST 12: a tool call whose arguments are not a JSON object is not mended: an error body, logged
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"x"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]},"finish_reason":"length"}]}')
--- response_body
{"type":"error","error":{"type":"api_error","message":"The provider \"gpt\" sent an answer that could not be translated."}}
--- error_log
the arguments of tool call "call_1" are not a JSON object
u=estimated p=8 c=50 k=0



=== TEST 13: passthrough to an Anthropic provider: the client's bytes, its anthropic-beta, the answer unchanged, its usage read
--- more_headers
x-api-key: sk-k
anthropic-version: 2023-06-01
anthropic-beta: prompt-caching-2024-07-31
--- request
POST /anthropic/v1/messages
{"model":"claude/claude-sonnet-4-6", "max_tokens":10,"system":[{"type":"text","text":"S","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"Hi"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"Hello"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":2000,"cache_read_input_tokens":0,"output_tokens":3}}')
--- tcp_query eval
my $b = '{"model":"claude-sonnet-4-6", "max_tokens":10,"system":[{"type":"text","text":"S","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"Hi"}]}' . "\n";
"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\nanthropic-version: 2023-06-01\r\nanthropic-beta: prompt-caching-2024-07-31\r\nx-api-key: sk-ant\r\nContent-Type: application/json\r\nContent-Length: " . length($b) . "\r\nAccept: application/json\r\n\r\n$b"
--- response_body: {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"Hello"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":2000,"cache_read_input_tokens":0,"output_tokens":3}}
--- response_headers
x-llm-provider: claude
--- error_log
u=reported p=2010 c=3 k=0 cost=0.007575



=== TEST 14: a passthrough stream goes out byte for byte; message_delta's cumulative usage is not counted twice
--- request
POST /anthropic/v1/messages
{"model":"claude-sonnet-4-6","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"Hi"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
our $stream = CORE::join '', map { "event: $_->[0]\ndata: $_->[1]\n\n" }
  ['message_start', '{"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-6","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_read_input_tokens":100,"output_tokens":1}}}'],
  ['content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'],
  ['ping', '{"type": "ping"}'],
  ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}'],
  ['content_block_stop', '{"type":"content_block_stop","index":0}'],
  ['message_delta', '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":7}}'],
  ['message_delta', '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}'],
  ['message_stop', '{"type":"message_stop"}'];
main::cut(main::chunked("200 OK", "text/event-stream", $stream), 90, 400, 401)
--- response_body eval
$::stream
--- error_log
u=reported p=125 c=15 k=100 cost=0.00033



=== TEST 15: a passthrough stream cut before message_stop ends with an error event, its input count kept
--- request
POST /anthropic/v1/messages
{"model":"claude-sonnet-4-6","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"Hi"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
. main::chunks("event: message_start\ndata: " . '{"type":"message_start","message":{"id":"m","usage":{"input_tokens":40,"output_tokens":1}}}' . "\n\n",
  "event: content_block_delta\ndata: " . '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"12345678"}}' . "\n\n")
--- response_body_like eval
qr/"text":"12345678"\}\}\n\nevent: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The provider stream from \\"claude\\" was interrupted"\}\}\n\n$/s
--- error_log
u=estimated p=40 c=2 k=0



=== TEST 16: the mock answers in Anthropic's shape
--- request
POST /anthropic/v1/messages
{"model":"mock-1","max_tokens":10,"messages":[{"role":"user","content":"Hi there"}]}
--- response_body
{"id":"chatcmpl-mock","type":"message","role":"assistant","model":"mock-1","content":[{"type":"text","text":"This is a mock response from demo/mock-1. You said: Hi there"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":11}}



=== TEST 17: the mock streams the Messages event sequence
--- request
POST /anthropic/v1/messages
{"model":"mock-1","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"Hi"}]}
--- response_body eval
"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"chatcmpl-mock\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"mock-1\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}\n\n"
. "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
. "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"This is a mock response fro\"}}\n\n"
. "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"m demo/mock-1. You said: Hi\"}}\n\n"
. "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
. "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":9,\"cache_read_input_tokens\":0,\"output_tokens\":10}}\n\n"
. "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"



=== TEST 18: count_tokens without an Anthropic provider: the gateway's estimate, nothing charged
--- request
POST /anthropic/v1/messages/count_tokens
{"model":"gpt-4o","system":"You are terse.","messages":[{"role":"user","content":"Hello, world"}]}
--- response_body
{"input_tokens":15}
--- error_log
u=- p=- c=- k=- cost=-



=== TEST 19: count_tokens with an Anthropic provider: asked of it, at /messages/count_tokens
--- request
POST /anthropic/v1/messages/count_tokens
{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"input_tokens":8}')
--- tcp_query eval
my $b = '{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"Hello"}]}' . "\n";
"POST /v1/messages/count_tokens HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\nanthropic-version: 2023-06-01\r\nx-api-key: sk-ant\r\nContent-Type: application/json\r\nContent-Length: " . length($b) . "\r\nAccept: application/json\r\n\r\n$b"
--- response_body: {"input_tokens":8}



=== TEST 20: the gateway's own errors in Anthropic's shape: no key
--- more_headers
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":5,"messages":[]}
--- error_code: 401
--- response_body
{"type":"error","error":{"type":"authentication_error","message":"Missing API key: send it as \"x-api-key: KEY\"."}}



=== TEST 21: a Claude Code style bearer token authenticates too; a model not allowed is a permission_error
--- more_headers
Authorization: Bearer sk-k
--- request
POST /anthropic/v1/messages
{"model":"llama-3","max_tokens":5,"messages":[]}
--- error_code: 403
--- response_body
{"type":"error","error":{"type":"permission_error","message":"The model \"llama-3\" is not allowed for this key."}}



=== TEST 22: truncated JSON is a 400 invalid_request_error
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":5,"messages":[
--- error_code: 400
--- response_body
{"type":"error","error":{"type":"invalid_request_error","message":"The request body is not valid JSON."}}



=== TEST 23: wrong types are refused with a 400 naming the field
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":5,"messages":"hi"}
--- error_code: 400
--- response_body
{"type":"error","error":{"type":"invalid_request_error","message":"\"messages\" must be an array."}}



=== TEST 24: an unknown URL is a not_found_error, a GET a 405
--- request
GET /anthropic/v1/complete
--- error_code: 404
--- response_body
{"type":"error","error":{"type":"not_found_error","message":"Unknown endpoint: GET /anthropic/v1/complete."}}



=== TEST 25: GET on /v1/messages is not allowed
--- request
GET /anthropic/v1/messages
--- error_code: 405
--- response_body
{"type":"error","error":{"type":"invalid_request_error","message":"GET is not allowed on /anthropic/v1/messages."}}



=== TEST 26: every provider failing is an api_error listing the attempts
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"x"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("500 Internal Server Error", "application/json", '{"error":{"message":"boom"}}')
--- error_code: 502
--- response_body
{"type":"error","error":{"type":"api_error","message":"Every provider failed (1 attempt): \"gpt\" (status 500)"}}
