# Gemini providers (type gemini): the exact generateContent request the
# provider receives, and the exact answer or chunk stream the client
# gets, from Gemini's documented shapes (text, tools, images, streams,
# usage with cached and thinking tokens, errors).
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;

our $Http = <<'_EOC_';
    llm_provider gem {
        type gemini;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1beta;
        api_key AIza-test;
        models gemini-*;
    }
    llm_virtual_key k { key sk-k; models *; }
    log_format tr "u=$llm_usage_source p=$llm_prompt_tokens c=$llm_completion_tokens k=$llm_cached_tokens cost=$llm_cost";
_EOC_

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', $::Http)
        unless defined $block->http_config;
    $block->set_value('config',
        "    location /v1/ { llm_gateway openai; access_log logs/error.log tr; }\n"
        . "    location /anthropic/ { llm_gateway anthropic; access_log logs/error.log tr; }\n")
        unless defined $block->config;
    $block->set_value('more_headers', 'Authorization: Bearer sk-k')
        unless defined $block->more_headers;
});

sub g_query {
    my ($method, $b, $accept, $model) = @_;
    $model //= 'gemini-2.5-flash';
    return "POST /v1beta/models/$model:$method HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\n"
        . "x-goog-api-key: AIza-test\r\nContent-Type: application/json\r\n"
        . "Content-Length: " . length($b) . "\r\nAccept: " . ($accept // 'application/json') . "\r\n\r\n$b";
}

sub events {
    return CORE::join '', map { "data: $_\r\n\r\n" } @_;
}

run_tests();

__DATA__

=== TEST 1: system, turns, sampling: the generateContent body; the answer as a chat.completion
--- request
POST /v1/chat/completions
{"model":"gemini-2.5-flash","max_tokens":100,"temperature":1.5,"top_p":0.9,"stop":["END"],"user":"u-1","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"},{"role":"assistant","content":"Hi."},{"role":"user","content":"How are you?"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"candidates":[{"content":{"parts":[{"text":"Well, "},{"text":"thanks."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":4,"totalTokenCount":30,"thoughtsTokenCount":6},"modelVersion":"gemini-2.5-flash","responseId":"resp-1"}')
--- tcp_query eval
main::g_query("generateContent", '{"contents":[{"role":"user","parts":[{"text":"Hello"}]},{"role":"model","parts":[{"text":"Hi."}]},{"role":"user","parts":[{"text":"How are you?"}]}],"systemInstruction":{"parts":[{"text":"Be brief."}]},"generationConfig":{"maxOutputTokens":100,"temperature":1.5,"topP":0.9,"stopSequences":["END"]}}')
--- response_body_like eval
qr/^\{"id":"resp-1","object":"chat\.completion","created":\d+,"model":"gemini-2\.5-flash","choices":\[\{"index":0,"message":\{"role":"assistant","content":"Well, thanks\."\},"finish_reason":"stop"\}\],"usage":\{"prompt_tokens":20,"completion_tokens":10,"total_tokens":30,"prompt_tokens_details":\{"cached_tokens":0\}\}\}\n$/
--- response_headers
x-llm-provider: gem
--- error_log
u=reported p=20 c=10 k=0 cost=0.000031



=== TEST 2: tools: declarations as JSON Schema, a call and its result by name, tool_choice required; a functionCall comes back as a tool call
--- request
POST /v1/chat/completions
{"model":"gemini-2.5-flash","tool_choice":"required","tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"additionalProperties":false}}}],"messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_a","content":"18C"},{"role":"user","content":"And Rome?"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"candidates":[{"content":{"parts":[{"text":"Checking.","thought":true},{"functionCall":{"name":"get_weather","args":{"city":"Rome"}}}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":50,"candidatesTokenCount":8,"totalTokenCount":58},"modelVersion":"gemini-2.5-flash"}')
--- tcp_query eval
main::g_query("generateContent", '{"contents":[{"role":"user","parts":[{"text":"Weather in Paris?"}]},{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},{"role":"user","parts":[{"functionResponse":{"response":{"content":"18C"},"name":"get_weather"}},{"text":"And Rome?"}]}],"tools":[{"functionDeclarations":[{"name":"get_weather","description":"Weather","parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"}},"additionalProperties":false}}]}],"toolConfig":{"functionCallingConfig":{"mode":"ANY"}}}')
--- response_body_like eval
qr/^\{"id":"chatcmpl-llm","object":"chat\.completion","created":\d+,"model":"gemini-2\.5-flash","choices":\[\{"index":0,"message":\{"role":"assistant","content":null,"tool_calls":\[\{"id":"call_0","type":"function","function":\{"name":"get_weather","arguments":"\{\\"city\\":\\"Rome\\"\}"\}\}\]\},"finish_reason":"tool_calls"\}\]/



=== TEST 3: an image as base64 becomes inlineData; cached tokens come apart
--- request
POST /v1/chat/completions
{"model":"gemini-2.5-flash","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},{"type":"text","text":"What is it?"}]}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"candidates":[{"content":{"parts":[{"text":"A logo."}],"role":"model"},"finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":1000,"cachedContentTokenCount":800,"candidatesTokenCount":3,"totalTokenCount":1003}}')
--- tcp_query eval
main::g_query("generateContent", '{"contents":[{"role":"user","parts":[{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},{"text":"What is it?"}]}]}')
--- response_body_like eval
qr/"message":\{"role":"assistant","content":"A logo\."\},"finish_reason":"length"\}\],"usage":\{"prompt_tokens":1000,"completion_tokens":3,"total_tokens":1003,"prompt_tokens_details":\{"cached_tokens":800\}\}\}\n$/
--- error_log
u=reported p=1000 c=3 k=800 cost=0.0000915



=== TEST 4: an image URL is refused with a 400 naming it
--- request
POST /v1/chat/completions
{"model":"gemini-2.5-flash","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}
--- error_code: 400
--- response_body
{"error":{"message":"The request cannot be translated for the provider \"gem\": an image URL cannot be translated for Gemini, which takes images as base64 data.","type":"invalid_request_error","param":null,"code":"invalid_request"}}



=== TEST 5: a stream: text chunks, the finish, the usage chunk, and [DONE] at the body's end, split across reads
--- request
POST /v1/chat/completions
{"model":"gemini-2.5-flash","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::cut(main::chunked("200 OK", "text/event-stream", main::events(
  '{"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":9,"totalTokenCount":9},"modelVersion":"gemini-2.5-flash","responseId":"r-s"}',
  '{"candidates":[{"content":{"parts":[{"text":"lo \"you\""}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":3,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash","responseId":"r-s"}')), 100, 260, 261)
--- tcp_query eval
main::g_query("streamGenerateContent?alt=sse", '{"contents":[{"role":"user","parts":[{"text":"Hello"}]}]}', 'text/event-stream')
--- response_body_like eval
my $h = 'data: \{"id":"r-s","object":"chat\.completion\.chunk","created":\d+,"model":"gemini-2\.5-flash","choices":\[';
qr/^${h}\{"index":0,"delta":\{"role":"assistant","content":""\},"finish_reason":null\}\]\}\n\n${h}\{"index":0,"delta":\{"content":"Hel"\},"finish_reason":null\}\]\}\n\n${h}\{"index":0,"delta":\{"content":"lo \\"you\\""\},"finish_reason":null\}\]\}\n\n${h}\{"index":0,"delta":\{\},"finish_reason":"stop"\}\]\}\n\n${h}\],"usage":\{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,"prompt_tokens_details":\{"cached_tokens":0\}\}\}\n\ndata: \[DONE\]\n\n$/
--- error_log
u=reported p=9 c=3 k=0



=== TEST 6: a streamed function call arrives whole, as one tool call chunk
--- request
POST /v1/chat/completions
{"model":"gemini-2.5-flash","stream":true,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"messages":[{"role":"user","content":"Go"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::chunked("200 OK", "text/event-stream", main::events(
  '{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"q":"a \"b\""}}}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2}}'))
--- response_body_like eval
qr/"delta":\{"tool_calls":\[\{"index":0,"id":"call_0","type":"function","function":\{"name":"f","arguments":"\{\\"q\\":\\"a \\\\\\"b\\\\\\"\\"\}"\}\}\]\},"finish_reason":null\}\]\}\n\n.*"delta":\{\},"finish_reason":"tool_calls"\}\]\}\n\ndata: \[DONE\]\n\n$/s



=== TEST 7: a stream cut in the middle ends with an error event, never [DONE]
--- request
POST /v1/chat/completions
{"model":"gemini-2.5-flash","stream":true,"messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
. main::chunks(main::events('{"candidates":[{"content":{"parts":[{"text":"12345678"}],"role":"model"}}]}'))
--- response_body_like eval
qr/"delta":\{"content":"12345678"\}.*\n\ndata: \{"error":\{"message":"The provider stream from \\"gem\\" was interrupted","type":"api_error","param":null,"code":"stream_interrupted"\}\}\n\n$/s
--- error_log
u=estimated



=== TEST 8: Google's error keeps its status and message, its status name as the code
--- request
POST /v1/chat/completions
{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"x"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("400 Bad Request", "application/json", '{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}')
--- error_code: 400
--- response_body
{"error":{"message":"API key not valid. Please pass a valid API key.","type":"invalid_request_error","param":null,"code":"INVALID_ARGUMENT"}}



=== TEST 9: the Anthropic surface served by Gemini (not streaming)
--- more_headers
x-api-key: sk-k
--- request
POST /anthropic/v1/messages
{"model":"gemini-2.5-flash","max_tokens":20,"system":"Be brief.","messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"candidates":[{"content":{"parts":[{"text":"Hi!"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":2},"modelVersion":"gemini-2.5-flash","responseId":"r9"}')
--- tcp_query eval
main::g_query("generateContent", '{"contents":[{"role":"user","parts":[{"text":"Hello"}]}],"systemInstruction":{"parts":[{"text":"Be brief."}]},"generationConfig":{"maxOutputTokens":20}}')
--- response_body
{"id":"r9","type":"message","role":"assistant","model":"gemini-2.5-flash","content":[{"type":"text","text":"Hi!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":7,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":2}}



=== TEST 10: the Anthropic surface streamed by Gemini: the Messages event sequence, completed at the body's end
--- more_headers
x-api-key: sk-k
--- request
POST /anthropic/v1/messages
{"model":"gemini-2.5-flash","max_tokens":20,"stream":true,"messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::cut(main::chunked("200 OK", "text/event-stream", main::events(
  '{"candidates":[{"content":{"parts":[{"text":"Let me"}],"role":"model"}}],"modelVersion":"gemini-2.5-flash","responseId":"r-a"}',
  '{"candidates":[{"content":{"parts":[{"text":" see."},{"functionCall":{"name":"f","args":{"q":"x"}}}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":7,"cachedContentTokenCount":2,"candidatesTokenCount":5}}')), 90, 200)
--- tcp_query eval
main::g_query("streamGenerateContent?alt=sse", '{"contents":[{"role":"user","parts":[{"text":"Hello"}]}],"generationConfig":{"maxOutputTokens":20}}', 'text/event-stream')
--- response_body eval
"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"r-a\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"gemini-2.5-flash\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}\n\n"
. "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
. "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me\"}}\n\n"
. "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" see.\"}}\n\n"
. "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
. "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_0\",\"name\":\"f\",\"input\":{}}}\n\n"
. "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"q\\\":\\\"x\\\"}\"}}\n\n"
. "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
. "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":5,\"cache_read_input_tokens\":2,\"output_tokens\":5}}\n\n"
. "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
--- error_log
u=reported p=7 c=5 k=2



=== TEST 11: a tool result for a call not in the history is refused by name
--- request
POST /v1/chat/completions
{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"x"},{"role":"tool","tool_call_id":"call_zz","content":"y"}]}
--- error_code: 400
--- response_body
{"error":{"message":"The request cannot be translated for the provider \"gem\": the tool result for \"call_zz\" answers no call in the history.","type":"invalid_request_error","param":null,"code":"invalid_request"}}




=== TEST 12: Gemini 3's thought signature: kept in the tool call's id for the OpenAI client, and given back with the call in the next turn
--- request eval
["POST /v1/chat/completions\n" . '{"model":"gemini-3-pro-preview","messages":[{"role":"user","content":"Weather in Paris?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}',
 "POST /v1/chat/completions\n" . '{"model":"gemini-3-pro-preview","messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_0_ts_CiQB-_xyz0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_0_ts_CiQB-_xyz0","content":"18C"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}']
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"CiQB+/xyz0=="}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":50,"candidatesTokenCount":8,"totalTokenCount":58}}')
--- tcp_query_sub eval
sub {
    my ($first, $all) = @_;
    return [$all->[-1], main::g_query("generateContent", '{"contents":[{"role":"user","parts":[{"text":"Weather in Paris?"}]},{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"CiQB+/xyz0=="}]},{"role":"user","parts":[{"functionResponse":{"response":{"content":"18C"},"name":"get_weather"}}]}],"tools":[{"functionDeclarations":[{"name":"get_weather","parametersJsonSchema":{"type":"object"}}]}]}', undef, 'gemini-3-pro-preview')];
}
--- response_body_like eval
[qr/"tool_calls":\[\{"id":"call_0_ts_CiQB-_xyz0","type":"function","function":\{"name":"get_weather","arguments":"\{\\"city\\":\\"Paris\\"\}"\}\}\]/,
 qr/"tool_calls":\[\{"id":"call_0_ts_CiQB-_xyz0"/]



=== TEST 13: Gemini 3 history with a call that carries no signature (made elsewhere): the first call gets Google's validator-skipping value
--- request
POST /v1/chat/completions
{"model":"gemini-3-pro-preview","messages":[{"role":"user","content":"Weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"toolu_01A","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},{"role":"tool","tool_call_id":"toolu_01A","content":"18C"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"candidates":[{"content":{"parts":[{"text":"Mild."}],"role":"model"},"finishReason":"STOP"}]}')
--- tcp_query eval
main::g_query("generateContent", '{"contents":[{"role":"user","parts":[{"text":"Weather?"}]},{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{}},"thoughtSignature":"skip_thought_signature_validator"}]},{"role":"user","parts":[{"functionResponse":{"response":{"content":"18C"},"name":"get_weather"}}]}]}', undef, 'gemini-3-pro-preview')
--- response_body_like: "content":"Mild\."
