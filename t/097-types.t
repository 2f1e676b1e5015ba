# Members of the wrong type (issue 14).  On translated paths a request
# member of another type than its dialect gives it is refused with 400
# invalid_type, naming its path, in the surface's own error shape; an
# answer from a provider with wrong types is a 502, never a crash, and
# its spend is estimated.  Passthrough stays byte for byte: the provider
# judges its own dialect.
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
    llm_provider demo { type mock; models mock-*; }
    llm_virtual_key k { key sk-k; models *; }
    llm_price gemini-x* input=1 output=1;
    log_format tr "u=$llm_usage_source p=$llm_prompt_tokens c=$llm_completion_tokens err=$llm_error";
_EOC_

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', $::Http)
        unless defined $block->http_config;
    $block->set_value('config', <<'_EOC_')
    access_log logs/error.log tr;
    location /v1/ { llm_gateway openai; }
    location /anthropic/ { llm_gateway anthropic; }
    location /genai/ { llm_gateway gemini; }
_EOC_
        unless defined $block->config;
    $block->set_value('more_headers', 'Authorization: Bearer sk-k')
        unless defined $block->more_headers;
});

sub oa_query {
    my ($b) = @_;
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}\r\n"
        . "Authorization: Bearer sk-oa\r\nContent-Type: application/json\r\n"
        . "Content-Length: " . length($b) . "\r\nAccept: application/json\r\n\r\n$b";
}

sub events {
    return CORE::join '', map { "data: $_\n\n" } @_;
}

run_tests();

__DATA__

=== TEST 1: the reproducer of issue 14: a tool that is an array, Gemini surface to the mock (an OpenAI-dialect provider), is a 400 naming tools[0]
--- request
POST /genai/v1beta/models/mock-1:generateContent
{"contents":[{"parts":[{"text":"hi"}]}],"tools":[[[]]]}
--- error_code: 400
--- response_body
{"error":{"code":400,"message":"Invalid type for \"tools[0]\": expected an object, but got an array instead.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"invalid_type","domain":"ngx_http_llm_module"}]}}
--- no_error_log
[alert]



=== TEST 2: the same, streamed, with a tool array holding an object, to an OpenAI provider
--- request
POST /genai/v1beta/models/gpt-4o:streamGenerateContent?alt=sse
{"contents":[{"parts":[{"text":"hi"}]}],"tools":[[{"type":"function"}]]}
--- error_code: 400
--- response_body
{"error":{"code":400,"message":"Invalid type for \"tools[0]\": expected an object, but got an array instead.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"invalid_type","domain":"ngx_http_llm_module"}]}}
--- no_error_log
[alert]



=== TEST 3: "tools":[1] was answered 200 with the tools dropped; now a 400 naming tools[0] (to an Anthropic provider)
--- request
POST /genai/v1beta/models/claude-sonnet-4-6:generateContent
{"contents":[{"parts":[{"text":"hi"}]}],"tools":[1]}
--- error_code: 400
--- response_body_like: ^\{"error":\{"code":400,"message":"Invalid type for \\"tools\[0\]\\": expected an object, but got a number instead\.","status":"INVALID_ARGUMENT"



=== TEST 4: a deep path: contents[1].parts[0].text
--- request
POST /genai/v1beta/models/gpt-4o:generateContent
{"contents":[{"parts":[{"text":"a"}]},{"role":"model","parts":[{"text":{"t":"b"}}]}]}
--- error_code: 400
--- response_body_like: "message":"Invalid type for \\"contents\[1\]\.parts\[0\]\.text\\": expected a string, but got an object instead\."



=== TEST 5: the OpenAI surface to an Anthropic provider: the path in the message and in "param"
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":[{"type":"text","text":5}]}]}
--- error_code: 400
--- response_body
{"error":{"message":"Invalid type for \"messages[0].content[0].text\": expected a string, but got a number instead.","type":"invalid_request_error","param":"messages[0].content[0].text","code":"invalid_type"}}



=== TEST 6: a sampling field of the wrong type is refused, not sent on (the token-copying rewrite declines it, the canonical path names it)
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}
--- error_code: 400
--- response_body
{"error":{"message":"Invalid type for \"temperature\": expected a number or null, but got a string instead.","type":"invalid_request_error","param":"temperature","code":"invalid_type"}}



=== TEST 7: integers: a fractional n and a top_k out of range
--- request eval
["POST /v1/chat/completions\n" . '{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}],"n":1.5}',
 "POST /anthropic/v1/messages\n" . '{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"top_k":1e300}']
--- error_code eval
[400, 400]
--- response_body eval
['{"error":{"message":"Invalid type for \"n\": expected an integer or null, but got a fractional number instead.","type":"invalid_request_error","param":"n","code":"invalid_type"}}' . "\n",
 '{"type":"error","error":{"type":"invalid_request_error","message":"Invalid type for \"top_k\": expected an integer or null, but got a number out of range instead."}}' . "\n"]



=== TEST 8: the Anthropic surface to an OpenAI provider: a tool_result's content blocks are checked too; a member given twice is refused
--- request eval
["POST /anthropic/v1/messages\n" . '{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":null}]}]}]}',
 "POST /anthropic/v1/messages\n" . '{"model":"gpt-4o","max_tokens":5,"messages":[],"messages":[{"role":"user","content":"hi"}]}',
 "POST /anthropic/v1/messages\n" . '{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":""}]}']
--- error_code eval
[400, 400, 400]
--- response_body eval
['{"type":"error","error":{"type":"invalid_request_error","message":"Invalid type for \"messages[0].content[0].content[0].text\": expected a string, but got null instead."}}' . "\n",
 '{"type":"error","error":{"type":"invalid_request_error","message":"\"messages\" is given twice."}}' . "\n",
 '{"type":"error","error":{"type":"invalid_request_error","message":"Invalid type for \"tools[0].name\": expected a non-empty string, but got an empty string instead."}}' . "\n"]



=== TEST 9: passthrough is byte for byte: a tool of the wrong type reaches an OpenAI provider untouched, and its answer the client
--- request
POST /v1/chat/completions
{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"tools":[1]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("400 Bad Request", "application/json", '{"error":{"message":"Invalid type for \'tools[0]\': expected an object, but got an integer instead.","type":"invalid_request_error","param":"tools[0]","code":"invalid_type"}}')
--- tcp_query eval
main::oa_query('{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"tools":[1]}' . "\n")
--- error_code: 400
--- response_body: {"error":{"message":"Invalid type for 'tools[0]': expected an object, but got an integer instead.","type":"invalid_request_error","param":"tools[0]","code":"invalid_type"}}



=== TEST 10: an OpenAI answer whose content is an array, to the Anthropic surface: an error in its shape, never a crash, its spend estimated (the status went out before the answer was read)
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"c","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":[[]]},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":3}}')
--- error_code: 200
--- response_body
{"type":"error","error":{"type":"api_error","message":"The provider \"gpt\" sent an answer that could not be translated."}}
--- error_log eval
[qr/sent an answer that could not be translated: Invalid type for "choices\[0\]\.message\.content": expected a string or null, but got an array instead/,
 qr/u=estimated p=\d+ c=\d+ err=The provider \\x22\w+\\x22 sent an answer that could not be translated/]
--- no_error_log
[alert]



=== TEST 11: token counts of the wrong type are not read as 0: an Anthropic answer with a string count, to the OpenAI surface, is refused and its spend estimated
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"hi"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"m","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"Hello"}],"stop_reason":"end_turn","usage":{"input_tokens":"12","output_tokens":-1}}')
--- error_code: 200
--- error_log eval
[qr/could not be translated: Invalid type for "usage\.input_tokens": expected a token count or null, but got a string instead/,
 qr/u=estimated p=\d+ c=\d+ err=The provider \\x22\w+\\x22 sent an answer that could not be translated/]



=== TEST 12: a Gemini answer whose candidates are an object, to the OpenAI surface
--- request
POST /v1/chat/completions
{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"candidates":{"content":{"parts":[{"text":"x"}]}},"promptFeedback":{}}')
--- error_code: 200
--- response_body
{"error":{"message":"The provider \"gem\" sent an answer that could not be translated.","type":"api_error","param":null,"code":"translation_failed"}}
--- error_log eval
qr/could not be translated: Invalid type for "candidates": expected an array or null, but got an object instead/



=== TEST 13: stream events of the wrong type end a translated stream with an error event, never a clean end
--- request
POST /anthropic/v1/messages
{"model":"gpt-4o","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::chunked("200 OK", "text/event-stream", main::events(
  '{"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"A"},"finish_reason":null}]}',
  '{"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":["B"]},"finish_reason":{}}]}',
  '{"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":{"delta":1}}'))
--- response_body_like: ^event: message_start\n.*"text":"A".*event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The provider stream from \\"gpt\\" was interrupted"\}\}\n\n$
--- no_error_log
[alert]



=== TEST 14: the mock provider answers a well-typed translated request as before
--- request
POST /genai/v1beta/models/mock-1:generateContent
{"contents":[{"parts":[{"text":"hi"}]}],"tools":[{"functionDeclarations":[{"name":"f","parameters":{"type":"OBJECT"}}]}]}
--- error_code: 200
--- response_body_like: You said: hi"



=== TEST 15: a model name is one path segment at Gemini: no "/" or "?" reaches another endpoint with the gateway's key
--- request
POST /v1/chat/completions
{"model":"gemini-x/../../cachedContents?k=1","messages":[{"role":"user","content":"hi"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP"}]}')
--- tcp_query_sub eval
sub {
    my ($got) = @_;
    my ($line) = $got =~ /^([^\r\n]*)/;
    my $want = 'POST /v1beta/models/gemini-x%2F..%2F..%2FcachedContents%3Fk%3D1:generateContent HTTP/1.1';
    return $line eq $want ? $got : $want;
}
--- response_body_like: "content":"ok"



=== TEST 16: a "\u0000" in a translated text is not the end of it (cJSON's strings end at NUL): it reaches the provider as U+FFFD, the rest kept
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"a\u0000b \\u0000 c"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"id":"m","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"x\u0000y"},{"type":"text","text":"z"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}')
--- tcp_query_sub eval
sub {
    my ($got) = @_;
    my $want = qq("content":[{"type":"text","text":"a\xef\xbf\xbdb \\\\u0000 c"}]);
    return index($got, $want) >= 0 ? $got : "a body with $want";
}
--- response_body_like: "content":"x\xef\xbf\xbdyz"



=== TEST 17: a body that ends right after "fallbacks" (truncated; large, so a buffer of its own): 400 invalid_json, nothing read past its end
--- request eval
"POST /v1/chat/completions\n" . '{"model":"mock-1","messages":[{"role":"user","content":"' . ("x" x 5000) . '"}],"fallbacks":["mock-2"]'
--- error_code: 400
--- response_body
{"error":{"message":"The request body is not valid JSON.","type":"invalid_request_error","param":null,"code":"invalid_json"}}



=== TEST 18: count_tokens answered by the gateway (no Anthropic provider for the model), for a body that comes after the handler returned: the estimate (a quarter of the messages' bytes), the request freed once (at once: no lingering close)
--- raw_request eval
my $b = '{"model":"mock-1","messages":[{"role":"user","content":"Hello there"}]}';
["POST /anthropic/v1/messages/count_tokens HTTP/1.1\r\nHost: localhost\r\nx-api-key: sk-k\r\nanthropic-version: 2023-06-01\r\nConnection: close\r\nContent-Length: " . length($b) . "\r\n\r\n" . substr($b, 0, 20),
 substr($b, 20)]
--- raw_request_middle_delay: 0.2
--- config
    lingering_close off;
    location /anthropic/ { llm_gateway anthropic; }
--- response_body
{"input_tokens":11}
