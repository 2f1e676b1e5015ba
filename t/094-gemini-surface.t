# The Gemini surface (llm_gateway gemini): generateContent,
# streamGenerateContent?alt=sse and countTokens, served by OpenAI and
# Anthropic providers through the translators (the exact body each
# provider receives, the exact answer and chunks the client gets), by
# Gemini providers byte for byte, and by the mock; errors in Google's
# shape.
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
    llm_provider gem {
        type gemini;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1beta;
        api_key AIza-test;
        models gemini-*;
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
        "    location /genai/ { llm_gateway gemini; access_log logs/error.log tr; }\n")
        unless defined $block->config;
    $block->set_value('more_headers', 'x-goog-api-key: sk-k')
        unless defined $block->more_headers;
});

sub oa_query {
    my ($b, $accept) = @_;
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\n"
        . "Authorization: Bearer sk-oa\r\nContent-Type: application/json\r\n"
        . "Content-Length: " . length($b) . "\r\nAccept: " . ($accept // 'application/json') . "\r\n\r\n$b";
}

sub ant_query {
    my ($b, $accept) = @_;
    return "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\n"
        . "anthropic-version: 2023-06-01\r\nx-api-key: sk-ant\r\nContent-Type: application/json\r\n"
        . "Content-Length: " . length($b) . "\r\nAccept: " . ($accept // 'application/json') . "\r\n\r\n$b";
}

sub g_query {
    my ($method, $b, $accept) = @_;
    return "POST /v1beta/models/gemini-2.5-flash:$method HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\n"
        . "x-goog-api-key: AIza-test\r\nContent-Type: application/json\r\n"
        . "Content-Length: " . length($b) . "\r\nAccept: " . ($accept // 'application/json') . "\r\n\r\n$b";
}

sub events {
    return CORE::join '', map { "data: $_\n\n" } @_;
}

sub gchunks {
    return CORE::join '', map { "data: $_\r\n\r\n" } @_;
}

run_tests();

__DATA__

=== TEST 1: system, a turn without a role, sampling, stop sequences: the body OpenAI receives; the answer as a GenerateContentResponse
--- request
POST /genai/v1beta/models/gpt-4o:generateContent
{"systemInstruction":{"parts":[{"text":"Be brief."}]},"contents":[{"parts":[{"text":"Hello"}]},{"role":"model","parts":[{"text":"Hi."}]},{"role":"user","parts":[{"text":"How are you?"}]}],"generationConfig":{"maxOutputTokens":100,"temperature":0.5,"topP":0.9,"topK":40,"stopSequences":["END"]},"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"chatcmpl-B9M","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Well, thanks.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0}}}')
--- tcp_query eval
main::oa_query('{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"},{"role":"assistant","content":"Hi."},{"role":"user","content":"How are you?"}],"max_completion_tokens":100,"temperature":0.5,"top_p":0.9,"stop":["END"]}')
--- response_body
{"candidates":[{"content":{"parts":[{"text":"Well, thanks."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":19,"candidatesTokenCount":10,"totalTokenCount":29},"modelVersion":"gpt-4o-2024-08-06","responseId":"chatcmpl-B9M"}
--- response_headers
x-llm-provider: gpt
Content-Type: application/json
--- error_log
u=reported p=19 c=10 k=0 cost=0.0001475



=== TEST 2: tools: OpenAPI types made JSON Schema, a call without an id and its response matched by name, ANY with one name; tool calls come back as functionCall parts with ids
--- request
POST /genai/v1beta/models/gpt-4o:generateContent
{"contents":[{"role":"user","parts":[{"text":"Weather in Paris?"}]},{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},{"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"content":"18C"}}},{"text":"And Rome and Oslo?"}]}],"tools":[{"functionDeclarations":[{"name":"get_weather","description":"Weather","parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING"}},"required":["city"]}}]}],"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}}}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"chatcmpl-T","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_r","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}},{"id":"call_o","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":60,"completion_tokens":20,"total_tokens":80}}')
--- tcp_query eval
main::oa_query('{"model":"gpt-4o","messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","tool_calls":[{"id":"call_0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}],"content":null},{"role":"tool","tool_call_id":"call_0","content":"18C"},{"role":"user","content":"And Rome and Oslo?"}],"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],"tool_choice":{"type":"function","function":{"name":"get_weather"}}}')
--- response_body
{"candidates":[{"content":{"parts":[{"functionCall":{"id":"call_r","name":"get_weather","args":{"city":"Rome"}}},{"functionCall":{"id":"call_o","name":"get_weather","args":{"city":"Oslo"}}}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":60,"candidatesTokenCount":20,"totalTokenCount":80},"modelVersion":"gpt-4o","responseId":"chatcmpl-T"}



=== TEST 3: a response given by id; an error response; images as inlineData and fileData
--- request
POST /genai/v1beta/models/gpt-4o:generateContent
{"contents":[{"role":"model","parts":[{"functionCall":{"id":"c1","name":"f","args":{}}},{"functionCall":{"id":"c2","name":"f","args":{"x":1}}}]},{"role":"user","parts":[{"functionResponse":{"id":"c2","name":"f","response":{"output":"two"}}},{"functionResponse":{"id":"c1","name":"f","response":{"error":"boom"}}},{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},{"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/a.jpg"}},{"text":"What now?"}]}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"x","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Done."},"finish_reason":"length"}],"usage":{"prompt_tokens":1000,"completion_tokens":3,"total_tokens":1003,"prompt_tokens_details":{"cached_tokens":800}}}')
--- tcp_query eval
main::oa_query('{"model":"gpt-4o","messages":[{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}},{"id":"c2","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}],"content":null},{"role":"tool","tool_call_id":"c2","content":"two"},{"role":"tool","tool_call_id":"c1","content":"boom"},{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},{"type":"image_url","image_url":{"url":"https://example.com/a.jpg"}},{"type":"text","text":"What now?"}]}]}')
--- response_body
{"candidates":[{"content":{"parts":[{"text":"Done."}],"role":"model"},"finishReason":"MAX_TOKENS","index":0}],"usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":3,"totalTokenCount":1003,"cachedContentTokenCount":800},"modelVersion":"gpt-4o","responseId":"x"}



=== TEST 4: an OpenAI stream as Gemini chunks, split across reads: text at once, tool call argument deltas gathered into one functionCall, the usage in the last chunk
--- request
POST /genai/v1beta/models/gpt-4o:streamGenerateContent?alt=sse
{"contents":[{"parts":[{"text":"Go"}]}],"tools":[{"functionDeclarations":[{"name":"f"}]}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
my $h = '{"id":"chatcmpl-S","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":';
main::cut(main::chunked("200 OK", "text/event-stream", main::events(
  $h . '[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
  $h . '[{"index":0,"delta":{"content":"Let me \"see\""},"finish_reason":null}]}',
  $h . '[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}]}',
  $h . '[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"q\":"}}]},"finish_reason":null}]}',
  $h . '[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"a \\\\\"b\\\\\"\"}"}}]},"finish_reason":null}]}',
  $h . '[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}]}',
  $h . '[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}',
  $h . '[],"usage":{"prompt_tokens":9,"completion_tokens":7,"total_tokens":16}}',
  '[DONE]')), 200, 401, 402, 900)
--- tcp_query eval
main::oa_query('{"model":"gpt-4o","messages":[{"role":"user","content":"Go"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{}}}}],"stream":true,"stream_options":{"include_usage":true}}', 'text/event-stream')
--- response_body eval
main::gchunks(
'{"candidates":[{"content":{"parts":[{"text":"Let me \"see\""}],"role":"model"},"index":0}],"modelVersion":"gpt-4o","responseId":"chatcmpl-S"}',
'{"candidates":[{"content":{"parts":[{"functionCall":{"id":"call_1","name":"f","args":{"q":"a \"b\""}}},{"functionCall":{"id":"call_2","name":"f","args":{}}}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":7,"totalTokenCount":16},"modelVersion":"gpt-4o","responseId":"chatcmpl-S"}')
--- response_headers
Content-Type: text/event-stream
--- error_log
u=reported p=9 c=7 k=0



=== TEST 5: an Anthropic stream as Gemini chunks: text, a tool_use's input_json deltas gathered, cumulative message_delta usage counted once, cache tokens
--- request
POST /genai/v1beta/models/claude-sonnet-4-6:streamGenerateContent?alt=sse
{"contents":[{"parts":[{"text":"Go"}]}],"generationConfig":{"maxOutputTokens":50}}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::cut(main::chunked("200 OK", "text/event-stream",
  "event: message_start\ndata: " . '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[],"stop_reason":null,"usage":{"input_tokens":10,"cache_read_input_tokens":100,"cache_creation_input_tokens":5,"output_tokens":1}}}' . "\n\n",
  "event: content_block_start\ndata: " . '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}' . "\n\n",
  "event: content_block_delta\ndata: " . '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Sure."}}' . "\n\n",
  "event: content_block_stop\ndata: " . '{"type":"content_block_stop","index":0}' . "\n\n",
  "event: content_block_start\ndata: " . '{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}}' . "\n\n",
  "event: content_block_delta\ndata: " . '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"q\": \"x"}}' . "\n\n",
  "event: content_block_delta\ndata: " . '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"y\"}"}}' . "\n\n",
  "event: content_block_stop\ndata: " . '{"type":"content_block_stop","index":1}' . "\n\n",
  "event: message_delta\ndata: " . '{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":8}}' . "\n\n",
  "event: message_delta\ndata: " . '{"type":"message_delta","delta":{},"usage":{"output_tokens":12}}' . "\n\n",
  "event: message_stop\ndata: " . '{"type":"message_stop"}' . "\n\n"), 300, 700)
--- tcp_query eval
main::ant_query('{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":[{"type":"text","text":"Go"}]}],"max_tokens":50,"stream":true}', 'text/event-stream')
--- response_body eval
main::gchunks(
'{"candidates":[{"content":{"parts":[{"text":"Sure."}],"role":"model"},"index":0}],"modelVersion":"claude-sonnet-4-6","responseId":"msg_1"}',
'{"candidates":[{"content":{"parts":[{"functionCall":{"id":"toolu_1","name":"f","args":{"q": "xy"}}}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":115,"candidatesTokenCount":12,"totalTokenCount":127,"cachedContentTokenCount":100},"modelVersion":"claude-sonnet-4-6","responseId":"msg_1"}')
--- error_log
u=reported p=115 c=12 k=100



=== TEST 6: an Anthropic answer as a GenerateContentResponse: the body Anthropic receives, the stop and the usage
--- request
POST /genai/v1beta/models/claude-sonnet-4-6:generateContent
{"systemInstruction":{"parts":[{"text":"Be brief."}]},"contents":[{"role":"user","parts":[{"text":"Hi"}]}],"generationConfig":{"maxOutputTokens":20}}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"Hello!"}],"stop_reason":"max_tokens","usage":{"input_tokens":12,"output_tokens":20}}')
--- tcp_query eval
main::ant_query('{"model":"claude-sonnet-4-6","system":[{"type":"text","text":"Be brief."}],"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}],"max_tokens":20}')
--- response_body
{"candidates":[{"content":{"parts":[{"text":"Hello!"}],"role":"model"},"finishReason":"MAX_TOKENS","index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":20,"totalTokenCount":32},"modelVersion":"claude-sonnet-4-6","responseId":"msg_2"}
--- error_log
u=reported p=12 c=20 k=0



=== TEST 7: Gemini providers pass through byte for byte (the model in the URL); usage read from the answer
--- request
POST /genai/v1beta/models/gemini-2.5-flash:generateContent
{"contents":[{"parts":[{"text":"Hi"}]}],"generationConfig":{"thinkingConfig":{"thinkingBudget":0}}}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":4,"cachedContentTokenCount":2,"candidatesTokenCount":1,"totalTokenCount":5}}')
--- tcp_query eval
main::g_query("generateContent", '{"contents":[{"parts":[{"text":"Hi"}]}],"generationConfig":{"thinkingConfig":{"thinkingBudget":0}}}' . "\n")
--- response_body: {"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":4,"cachedContentTokenCount":2,"candidatesTokenCount":1,"totalTokenCount":5}}
--- error_log
u=reported p=4 c=1 k=2



=== TEST 8: a Gemini stream passed through, split across reads, ends at its finishReason
--- request
POST /genai/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse
{"contents":[{"parts":[{"text":"Hi"}]}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::cut(main::chunked("200 OK", "text/event-stream", main::gchunks(
  '{"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":3}}',
  '{"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5}}')), 90, 150)
--- tcp_query eval
main::g_query("streamGenerateContent?alt=sse", '{"contents":[{"parts":[{"text":"Hi"}]}]}' . "\n", 'text/event-stream')
--- response_body eval
main::gchunks(
  '{"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":3}}',
  '{"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5}}')
--- error_log
u=reported p=3 c=2 k=0



=== TEST 9: a passed-through Gemini stream cut before its finishReason ends with an error event in Google's shape
--- request
POST /genai/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse
{"contents":[{"parts":[{"text":"Hi"}]}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::chunked("200 OK", "text/event-stream", main::gchunks(
  '{"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"}}]}'))
--- response_body eval
main::gchunks('{"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"}}]}')
. qq(data: {"error":{"code":502,"message":"The provider stream from \\"gem\\" was interrupted","status":"UNAVAILABLE","details":[{"\@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"stream_interrupted","domain":"ngx_http_llm_module"}]}}\n\n)



=== TEST 10: an OpenAI error chunk mid-stream becomes Google's error chunk and ends the stream
--- request
POST /genai/v1beta/models/gpt-4o:streamGenerateContent?alt=sse
{"contents":[{"parts":[{"text":"Go"}]}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::chunked("200 OK", "text/event-stream", main::events(
  '{"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"A"},"finish_reason":null}]}',
  '{"error":{"message":"server overloaded","type":"server_error"}}'))
--- response_body eval
main::gchunks(
  '{"candidates":[{"content":{"parts":[{"text":"A"}],"role":"model"},"index":0}],"modelVersion":"gpt-4o","responseId":"c"}',
  '{"error":{"code":502,"message":"server overloaded","status":"UNAVAILABLE"}}')



=== TEST 11: a provider's error answer in Google's shape, with its status
--- request
POST /genai/v1beta/models/gpt-4o:generateContent
{"contents":[{"parts":[{"text":"Go"}]}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("400 Bad Request", "application/json", '{"error":{"message":"Invalid value for temperature","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}')
--- error_code: 400
--- response_body
{"error":{"code":400,"message":"Invalid value for temperature","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"invalid_value","domain":"ngx_http_llm_module"}]}}



=== TEST 12: the mock answers in Gemini's shape, whole and streamed
--- request eval
["POST /genai/v1beta/models/mock-1:generateContent\n" . '{"contents":[{"parts":[{"text":"Hello there"}]}]}',
 "POST /genai/v1beta/models/mock-1:streamGenerateContent?alt=sse\n" . '{"contents":[{"role":"user","parts":[{"text":"Hi"}]}]}']
--- response_body eval
['{"candidates":[{"content":{"parts":[{"text":"This is a mock response from demo/mock-1. You said: Hello there"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":11,"totalTokenCount":21},"modelVersion":"mock-1","responseId":"chatcmpl-mock"}' . "\n",
 main::gchunks(
 '{"candidates":[{"content":{"parts":[{"text":"This is a mock response fro"}],"role":"model"},"index":0}],"modelVersion":"mock-1","responseId":"chatcmpl-mock"}',
 '{"candidates":[{"content":{"parts":[{"text":"m demo/mock-1. You said: Hi"}],"role":"model"},"index":0}],"modelVersion":"mock-1","responseId":"chatcmpl-mock"}',
 '{"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":11,"candidatesTokenCount":10,"totalTokenCount":21},"modelVersion":"mock-1","responseId":"chatcmpl-mock"}')]



=== TEST 13: countTokens: asked of a Gemini provider, estimated for others
--- request eval
["POST /genai/v1beta/models/gemini-2.5-flash:countTokens\n" . '{"contents":[{"parts":[{"text":"Hello"}]}]}',
 "POST /genai/v1beta/models/gpt-4o:countTokens\n" . '{"contents":[{"parts":[{"text":"Hello there, how are you?"}]}]}']
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"totalTokens":2}')
--- tcp_query eval
main::g_query("countTokens", '{"contents":[{"parts":[{"text":"Hello"}]}]}')
--- response_body eval
['{"totalTokens":2}', '{"totalTokens":13}' . "\n"]



=== TEST 14: no key: a 401 naming Gemini's header
--- more_headers
--- request
POST /genai/v1beta/models/mock-1:generateContent
{"contents":[{"parts":[{"text":"Hi"}]}]}
--- error_code: 401
--- response_body
{"error":{"code":401,"message":"Missing API key: send it as \"x-goog-api-key: KEY\".","status":"UNAUTHENTICATED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"invalid_api_key","domain":"ngx_http_llm_module"}]}}



=== TEST 15: bad requests, each a 400 in Google's shape naming what is wrong
--- request eval
["POST /genai/v1beta/models/gpt-4o:streamGenerateContent\n" . '{"contents":[]}',
 "POST /genai/v1beta/models/gpt-4o:generateContent\n" . '{"contents":{}}',
 "POST /genai/v1beta/models/gpt-4o:generateContent\n" . '{"contents":[{"parts":[{"text":"x"}]}',
 "POST /genai/v1beta/models/gpt-4o:generateContent\n" . '{"systemInstruction":{}}',
 "POST /genai/v1beta/models/gpt-4o:generateContent\n" . '{"contents":[{"parts":[{"text":"x"}]}],"tools":[{"googleSearch":{}}]}',
 "POST /genai/v1beta/models/gpt-4o:generateContent\n" . '{"contents":[{"parts":[{"text":"x"}]}],"cachedContent":"cachedContents/1"}',
 "POST /genai/v1beta/models/gpt-4o:generateContent\n" . '{"contents":[{"parts":[{"inlineData":{"mimeType":"application/pdf","data":"JVBERi0="}}]}]}',
 "POST /genai/v1beta/models/gpt-4o:generateContent\n" . '{"contents":[{"role":"user","parts":[{"functionResponse":{"name":"f","response":{}}}]}]}',
 "POST /genai/v1beta/models/gpt-4o:generateContent\n" . '{"contents":[{"role":"tool","parts":[]}]}',
 "POST /genai/v1beta/models/gpt-4o:generateContent\n" . '{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"maxOutputTokens":"many"}}',
 "POST /genai/v1beta/models/gpt-4o:generateContent\n" . '{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"candidateCount":2}}']
--- error_code eval
[400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400]
--- response_body_like eval
[qr/"message":"streamGenerateContent is served as server-sent events only: add \?alt=sse\.","status":"INVALID_ARGUMENT"/,
 qr/"message":"\\"contents\\" must be an array\.","status":"INVALID_ARGUMENT"/,
 qr/"message":"The request body is not valid JSON\.","status":"INVALID_ARGUMENT"/,
 qr/"message":"You must provide \\"contents\\"\.","status":"INVALID_ARGUMENT"/,
 qr/"message":"The request cannot be translated for the provider \\"gpt\\": \\"tools\\": the tool \\"googleSearch\\" cannot be translated; only functionDeclarations\."/,
 qr/"message":"The request cannot be translated for the provider \\"gpt\\": \\"cachedContent\\" cannot be translated\."/,
 qr/"message":"The request cannot be translated for the provider \\"gpt\\": contents\[0\]: only images \(inlineData or fileData with an image\/ mimeType\) can be translated\."/,
 qr/"message":"The request cannot be translated for the provider \\"gpt\\": contents\[0\]: the functionResponse \\"f\\" answers no functionCall before it\."/,
 qr/"message":"The request cannot be translated for the provider \\"gpt\\": contents\[0\]\.role must be \\"user\\" or \\"model\\"\."/,
 qr/"message":"\\"maxOutputTokens\\" must be a positive integer\."/,
 qr/"message":"The request cannot be translated for the provider \\"gpt\\": \\"candidateCount\\" other than 1 cannot be translated\."/]



=== TEST 16: unknown methods and models
--- request eval
["POST /genai/v1beta/models/gpt-4o:embedContent\n{}",
 "POST /genai/v1beta/models/other-9:generateContent\n" . '{"contents":[{"parts":[{"text":"x"}]}]}']
--- error_code eval
[404, 403]
--- response_body eval
['{"error":{"code":404,"message":"Unknown endpoint: POST /genai/v1beta/models/gpt-4o:embedContent.","status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"unknown_url","domain":"ngx_http_llm_module"}]}}' . "\n",
 '{"error":{"code":403,"message":"The model \"other-9\" is not allowed for this key.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"model_not_allowed","domain":"ngx_http_llm_module"}]}}' . "\n"]

