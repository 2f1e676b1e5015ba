# Bedrock providers (type bedrock): the exact Converse request the
# provider receives, its SigV4 signature checked by an independent
# implementation (Digest::SHA), answers and ConverseStream event stream
# frames (CRC-checked, split across reads) translated for the OpenAI,
# Anthropic and Gemini surfaces; exceptions and broken frames; config.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;
use Compress::Zlib qw(crc32);
use Digest::SHA qw(sha256_hex hmac_sha256 hmac_sha256_hex);

our $Http = <<'_EOC_';
    llm_provider br {
        type bedrock;
        region us-east-1;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        aws_access_key_id AKIDTEST;
        aws_secret_access_key wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY;
        models anthropic.* amazon.*;
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
        . "    location /anthropic/ { llm_gateway anthropic; access_log logs/error.log tr; }\n"
        . "    location /genai/ { llm_gateway gemini; access_log logs/error.log tr; }\n")
        unless defined $block->config;
    $block->set_value('more_headers', 'Authorization: Bearer sk-k')
        unless defined $block->more_headers;
});

# the request Bedrock must receive for this path and body, its date taken
# from the request received and its signature computed here
sub br_query {
    my ($path, $body, $accept, $token) = @_;
    my $secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    return sub {
        my ($got) = @_;
        my ($date) = $got =~ /\r\nX-Amz-Date: (\d{8}T\d{6}Z)\r\n/
            or return "(no X-Amz-Date)";
        my $day = substr $date, 0, 8;
        my $host = "127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}";
        (my $curi = $path) =~ s/%/%25/g;
        my $signed = 'content-type;host;x-amz-date'
            . ($token ? ';x-amz-security-token' : '');
        my $creq = "POST\n$curi\n\ncontent-type:application/json\n"
            . "host:$host\nx-amz-date:$date\n"
            . ($token ? "x-amz-security-token:$token\n" : '')
            . "\n$signed\n" . sha256_hex($body);
        my $scope = "$day/us-east-1/bedrock/aws4_request";
        my $sts = "AWS4-HMAC-SHA256\n$date\n$scope\n" . sha256_hex($creq);
        my $k = hmac_sha256($day, "AWS4$secret");
        $k = hmac_sha256($_, $k) for 'us-east-1', 'bedrock', 'aws4_request';
        my $sig = hmac_sha256_hex($sts, $k);
        return "POST $path HTTP/1.1\r\nHost: $host\r\nX-Amz-Date: $date\r\n"
            . ($token ? "X-Amz-Security-Token: $token\r\n" : '')
            . "Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/$scope, "
            . "SignedHeaders=$signed, Signature=$sig\r\n"
            . "Content-Type: application/json\r\nContent-Length: "
            . length($body) . "\r\nAccept: " . ($accept // 'application/json')
            . "\r\n\r\n$body";
    };
}

# one event stream frame: string headers, a JSON payload, both CRCs
sub frame {
    my ($type, $payload, $mtype) = @_;
    my %h = (':event-type' => $type, ':content-type' => 'application/json',
             ':message-type' => $mtype // 'event');
    if (($mtype // '') eq 'exception') {
        %h = (':exception-type' => $type, ':content-type' => 'application/json',
              ':message-type' => 'exception');
    }
    my $hdr = '';
    for my $n (sort keys %h) {
        $hdr .= pack('C', length $n) . $n . pack('Cn', 7, length $h{$n}) . $h{$n};
    }
    my $total = 12 + length($hdr) + length($payload) + 4;
    my $prelude = pack('NN', $total, length $hdr);
    my $msg = $prelude . pack('N', crc32($prelude)) . $hdr . $payload;
    return $msg . pack('N', crc32($msg));
}

sub es {
    my ($status, @frames) = @_;
    return main::chunked($status, 'application/vnd.amazon.eventstream',
                         CORE::join '', @frames);
}

sub events {
    return CORE::join '', map { "data: $_\n\n" } @_;
}

our @Stream = (
    frame('messageStart', '{"p":"abc","role":"assistant"}'),
    frame('contentBlockDelta', '{"contentBlockIndex":0,"delta":{"text":"Hi \"there\""}}'),
    frame('contentBlockStop', '{"contentBlockIndex":0}'),
    frame('contentBlockStart', '{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_1","name":"f"}}}'),
    frame('contentBlockDelta', '{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"q\":"}}}'),
    frame('contentBlockDelta', '{"contentBlockIndex":1,"delta":{"toolUse":{"input":"\"x\"}"}}}'),
    frame('contentBlockStop', '{"contentBlockIndex":1}'),
    frame('messageStop', '{"stopReason":"tool_use"}'),
    frame('metadata', '{"usage":{"inputTokens":10,"outputTokens":5,"totalTokens":115,"cacheReadInputTokens":100},"metrics":{"latencyMs":42}}'),
);

# for TEST 15: credentials from the environment, as the AWS SDKs take them
$ENV{LLM_TEST_AWS_ID} = 'AKIDTEST';
$ENV{LLM_TEST_AWS_SECRET} = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

run_tests();

__DATA__

=== TEST 1: system, turns, sampling: the signed Converse request (model id escaped in the path); the answer as a chat.completion with cache reads
--- request
POST /v1/chat/completions
{"model":"anthropic.claude-3-5-haiku-20241022-v1:0","max_tokens":100,"temperature":0.5,"top_p":0.9,"stop":["END"],"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"},{"role":"assistant","content":"Hi."},{"role":"user","content":"How are you?"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"output":{"message":{"role":"assistant","content":[{"text":"Well, "},{"text":"thanks."}]}},"stopReason":"end_turn","usage":{"inputTokens":19,"outputTokens":4,"totalTokens":123,"cacheReadInputTokens":100,"cacheWriteInputTokens":0},"metrics":{"latencyMs":300}}')
--- tcp_query_sub eval
main::br_query('/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse', '{"messages":[{"role":"user","content":[{"text":"Hello"}]},{"role":"assistant","content":[{"text":"Hi."}]},{"role":"user","content":[{"text":"How are you?"}]}],"system":[{"text":"Be brief."}],"inferenceConfig":{"maxTokens":100,"temperature":0.5,"topP":0.9,"stopSequences":["END"]}}')
--- response_body_like eval
qr/^\{"id":"chatcmpl-llm","object":"chat\.completion","created":\d+,"model":"anthropic\.claude-3-5-haiku-20241022-v1:0","choices":\[\{"index":0,"message":\{"role":"assistant","content":"Well, thanks\."\},"finish_reason":"stop"\}\],"usage":\{"prompt_tokens":119,"completion_tokens":4,"total_tokens":123,"prompt_tokens_details":\{"cached_tokens":100\}\}\}\n$/
--- error_log
u=reported p=119 c=4 k=100



=== TEST 2: tools, a call and its result, an image: toolSpec, toolUse, toolResult, image bytes; a toolUse answer as tool_calls
--- request
POST /v1/chat/completions
{"model":"anthropic.claude-3-5-haiku-20241022-v1:0","tool_choice":"required","tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}},{"type":"text","text":"Weather here?"}]},{"role":"assistant","content":null,"tool_calls":[{"id":"tooluse_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"tooluse_a","content":"18C"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"output":{"message":{"role":"assistant","content":[{"text":"Checking."},{"toolUse":{"toolUseId":"tooluse_b","name":"get_weather","input":{"city":"Rome"}}}]}},"stopReason":"tool_use","usage":{"inputTokens":50,"outputTokens":8,"totalTokens":58}}')
--- tcp_query_sub eval
main::br_query('/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse', '{"messages":[{"role":"user","content":[{"image":{"format":"jpeg","source":{"bytes":"/9j/4AAQ"}}},{"text":"Weather here?"}]},{"role":"assistant","content":[{"toolUse":{"toolUseId":"tooluse_a","name":"get_weather","input":{"city":"Paris"}}}]},{"role":"user","content":[{"toolResult":{"content":[{"text":"18C"}],"toolUseId":"tooluse_a"}}]}],"inferenceConfig":{"maxTokens":4096},"toolConfig":{"tools":[{"toolSpec":{"name":"get_weather","description":"Weather","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}}}}}}],"toolChoice":{"any":{}}}}')
--- response_body_like eval
qr/"message":\{"role":"assistant","content":"Checking\.","tool_calls":\[\{"id":"tooluse_b","type":"function","function":\{"name":"get_weather","arguments":"\{\\"city\\":\\"Rome\\"\}"\}\}\]\},"finish_reason":"tool_calls"\}\]/



=== TEST 3: a ConverseStream as chunks, frames split across reads: text, a tool call with streamed arguments, the finish, the usage, [DONE]
--- request
POST /v1/chat/completions
{"model":"anthropic.claude-3-5-haiku-20241022-v1:0","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Go"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::cut(main::es("200 OK", @main::Stream), 150, 151, 200, 420)
--- tcp_query_sub eval
main::br_query('/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream', '{"messages":[{"role":"user","content":[{"text":"Go"}]}],"inferenceConfig":{"maxTokens":4096}}', 'application/vnd.amazon.eventstream')
--- response_headers
Content-Type: text/event-stream
--- response_body_like eval
my $h = 'data: \{"id":"chatcmpl-llm","object":"chat\.completion\.chunk","created":\d+,"model":"anthropic\.claude-3-5-haiku-20241022-v1:0","choices":\[';
qr/^${h}\{"index":0,"delta":\{"role":"assistant","content":""\},"finish_reason":null\}\]\}\n\n${h}\{"index":0,"delta":\{"content":"Hi \\"there\\""\},"finish_reason":null\}\]\}\n\n${h}\{"index":0,"delta":\{"tool_calls":\[\{"index":0,"id":"tooluse_1","type":"function","function":\{"name":"f","arguments":""\}\}\]\},"finish_reason":null\}\]\}\n\n${h}\{"index":0,"delta":\{"tool_calls":\[\{"index":0,"function":\{"arguments":"\{\\"q\\":"\}\}\]\},"finish_reason":null\}\]\}\n\n${h}\{"index":0,"delta":\{"tool_calls":\[\{"index":0,"function":\{"arguments":"\\"x\\"\}"\}\}\]\},"finish_reason":null\}\]\}\n\n${h}\{"index":0,"delta":\{\},"finish_reason":"tool_calls"\}\]\}\n\n${h}\],"usage":\{"prompt_tokens":110,"completion_tokens":5,"total_tokens":115,"prompt_tokens_details":\{"cached_tokens":100\}\}\}\n\ndata: \[DONE\]\n\n$/
--- error_log
u=reported p=110 c=5 k=100



=== TEST 4: the same stream for the Anthropic surface: the Messages event sequence
--- more_headers
x-api-key: sk-k
--- request
POST /anthropic/v1/messages
{"model":"anthropic.claude-3-5-haiku-20241022-v1:0","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"Go"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::es("200 OK", @main::Stream)
--- response_body_like eval
qr/^event: message_start\n.*"content_block":\{"type":"text","text":""\}.*"delta":\{"type":"text_delta","text":"Hi \\"there\\""\}.*"content_block":\{"type":"tool_use","id":"tooluse_1","name":"f","input":\{\}\}.*"partial_json":"\{\\"q\\":"\}.*"partial_json":"\\"x\\"\}"\}.*event: message_delta\ndata: \{"type":"message_delta","delta":\{"stop_reason":"tool_use","stop_sequence":null\},"usage":\{"input_tokens":10,"cache_read_input_tokens":100,"output_tokens":5\}\}\n\nevent: message_stop\ndata: \{"type":"message_stop"\}\n\n$/s
--- error_log
u=reported p=110 c=5 k=100



=== TEST 5: the same stream for the Gemini surface: text at once, the function call whole at the end
--- more_headers
x-goog-api-key: sk-k
--- request
POST /genai/v1beta/models/anthropic.claude-3-5-haiku-20241022-v1:0:streamGenerateContent?alt=sse
{"contents":[{"parts":[{"text":"Go"}]}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::es("200 OK", @main::Stream)
--- response_body eval
CORE::join '', map { "data: $_\r\n\r\n" }
'{"candidates":[{"content":{"parts":[{"text":"Hi \"there\""}],"role":"model"},"index":0}],"modelVersion":"anthropic.claude-3-5-haiku-20241022-v1:0","responseId":"chatcmpl-llm"}',
'{"candidates":[{"content":{"parts":[{"functionCall":{"id":"tooluse_1","name":"f","args":{"q":"x"}}}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":110,"candidatesTokenCount":5,"totalTokenCount":115,"cachedContentTokenCount":100},"modelVersion":"anthropic.claude-3-5-haiku-20241022-v1:0","responseId":"chatcmpl-llm"}'



=== TEST 6: an answer for the Anthropic surface: a Message
--- more_headers
x-api-key: sk-k
--- request
POST /anthropic/v1/messages
{"model":"amazon.nova-lite-v1:0","max_tokens":20,"system":"Be brief.","messages":[{"role":"user","content":"Hi"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"output":{"message":{"role":"assistant","content":[{"text":"Hello!"}]}},"stopReason":"max_tokens","usage":{"inputTokens":12,"outputTokens":20,"totalTokens":32}}')
--- tcp_query_sub eval
main::br_query('/model/amazon.nova-lite-v1%3A0/converse', '{"messages":[{"role":"user","content":[{"text":"Hi"}]}],"system":[{"text":"Be brief."}],"inferenceConfig":{"maxTokens":20}}')
--- response_body_like eval
qr/^\{"id":"msg_[^"]+","type":"message","role":"assistant","model":"amazon\.nova-lite-v1:0","content":\[\{"type":"text","text":"Hello!"\}\],"stop_reason":"max_tokens","stop_sequence":null,"usage":\{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":20\}\}\n$/



=== TEST 7: an exception mid-stream ends it with an error event; a bad CRC too
--- request eval
["POST /v1/chat/completions\n" . '{"model":"anthropic.claude-3-5-haiku-20241022-v1:0","stream":true,"messages":[{"role":"user","content":"Go"}]}',
 "POST /v1/chat/completions\n" . '{"model":"anthropic.claude-3-5-haiku-20241022-v1:0","stream":true,"messages":[{"role":"user","content":"Go"}]}']
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
my $n = 0;
sub {
    my $bad = main::frame('contentBlockDelta', '{"contentBlockIndex":0,"delta":{"text":"B"}}');
    substr($bad, -1, 1) = chr(ord(substr($bad, -1)) ^ 1);
    return $n++ == 0
        ? main::es("200 OK", main::frame('messageStart', '{"role":"assistant"}'),
                   main::frame('contentBlockDelta', '{"contentBlockIndex":0,"delta":{"text":"A"}}'),
                   main::frame('throttlingException', '{"message":"Too many tokens, please wait."}', 'exception'))
        : main::es("200 OK", main::frame('messageStart', '{"role":"assistant"}'), $bad);
}
--- response_body_like eval
[qr/"delta":\{"content":"A"\}.*\n\ndata: \{"error":\{"message":"Too many tokens, please wait\.","type":"api_error","param":null,"code":"stream_interrupted"\}\}\n\n$/s,
 qr/"delta":\{"role":"assistant","content":""\},"finish_reason":null\}\]\}\n\ndata: \{"error":\{"message":"The provider stream from \\"br\\" was interrupted","type":"api_error","param":null,"code":"stream_interrupted"\}\}\n\n$/s]
--- error_log
sent an event that could not be translated



=== TEST 8: an exception as the first frame is a failure before the first byte: the client gets the gateway's error
--- request
POST /v1/chat/completions
{"model":"anthropic.claude-3-5-haiku-20241022-v1:0","stream":true,"messages":[{"role":"user","content":"Go"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::es("200 OK", main::frame('throttlingException', '{"message":"Rate exceeded"}', 'exception'))
--- error_code: 502
--- response_body_like: "code":"upstream_failed"
--- error_log
sent an exception as its first frame: "throttlingException" "{"message":"Rate exceeded"}"



=== TEST 9: Bedrock's error answer keeps its status and message
--- request
POST /v1/chat/completions
{"model":"anthropic.claude-3-5-haiku-20241022-v1:0","messages":[{"role":"user","content":"Go"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("400 Bad Request", "application/json", '{"message":"The provided model identifier is invalid."}', "x-amzn-ErrorType: ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/\r\n")
--- error_code: 400
--- response_body
{"error":{"message":"The provided model identifier is invalid.","type":"invalid_request_error","param":null,"code":"provider_error"}}



=== TEST 10: temporary credentials: the session token is sent and signed
--- http_config
    llm_provider br {
        type bedrock;
        region us-east-1;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        aws_access_key_id AKIDTEST;
        aws_secret_access_key wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY;
        aws_session_token IQoJb3JpZ2luX2VjEXAMPLE;
        models *;
    }
    llm_virtual_key k { key sk-k; models *; }
    log_format tr "u=$llm_usage_source";
--- request
POST /v1/chat/completions
{"model":"amazon.nova-lite-v1:0","messages":[{"role":"user","content":"Hi"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"output":{"message":{"role":"assistant","content":[{"text":"Hello"}]}},"stopReason":"end_turn","usage":{"inputTokens":3,"outputTokens":1,"totalTokens":4}}')
--- tcp_query_sub eval
main::br_query('/model/amazon.nova-lite-v1%3A0/converse', '{"messages":[{"role":"user","content":[{"text":"Hi"}]}],"inferenceConfig":{"maxTokens":4096}}', undef, 'IQoJb3JpZ2luX2VjEXAMPLE')
--- response_body_like: "content":"Hello"



=== TEST 11: what Converse cannot take is refused with a 400 naming it
--- request eval
["POST /v1/chat/completions\n" . '{"model":"anthropic.claude-3-5-haiku-20241022-v1:0","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}',
 "POST /v1/chat/completions\n" . '{"model":"anthropic.claude-3-5-haiku-20241022-v1:0","tool_choice":"none","tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"x"}]}']
--- error_code eval
[400, 400]
--- response_body_like eval
[qr/"message":"The request cannot be translated for the provider \\"br\\": an image URL cannot be translated for Bedrock, which takes images as base64 data\."/,
 qr/"message":"The request cannot be translated for the provider \\"br\\": tool_choice \\"none\\" cannot be translated for Bedrock\."/]



=== TEST 12: a Bedrock provider needs a region
--- http_config
    llm_provider br { type bedrock; models *; }
--- config
    location /v1/ { llm_gateway openai; }
--- must_die
--- error_log eval
qr/llm_provider "br" of type bedrock has no "region" in .*nginx\.conf:\d+/



=== TEST 13: region and AWS credentials are Bedrock's only; Bedrock takes no api_key
--- http_config
    llm_provider o { type openai; url http://127.0.0.1:1/v1; region us-east-1; models *; }
--- config
    location /v1/ { llm_gateway openai; }
--- must_die
--- error_log eval
qr/"region" and "aws_\*" in llm_provider "o" need "type bedrock" in .*nginx\.conf:\d+/



=== TEST 14: without credentials in the environment the provider is disabled, not an error
--- http_config
    llm_provider br { type bedrock; region eu-west-1; models *; }
    llm_virtual_key k { key sk-k; models *; }
    log_format tr "u=$llm_usage_source";
--- request
POST /v1/chat/completions
{"model":"amazon.nova-lite-v1:0","messages":[{"role":"user","content":"Hi"}]}
--- error_code: 503
--- error_log
llm_provider "br" is disabled: its AWS credentials' environment variables are not set



=== TEST 15: credentials from env: names (listed with nginx's env), the request signed with them
--- main_config
    env LLM_TEST_AWS_ID;
    env LLM_TEST_AWS_SECRET;
--- http_config
    llm_provider br {
        type bedrock;
        region us-east-1;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        aws_access_key_id env:LLM_TEST_AWS_ID;
        aws_secret_access_key env:LLM_TEST_AWS_SECRET;
        models *;
    }
    llm_virtual_key k { key sk-k; models *; }
    log_format tr "u=$llm_usage_source";
--- request
POST /v1/chat/completions
{"model":"amazon.nova-lite-v1:0","messages":[{"role":"user","content":"Hi"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::resp("200 OK", "application/json", '{"output":{"message":{"role":"assistant","content":[{"text":"Hello"}]}},"stopReason":"end_turn","usage":{"inputTokens":3,"outputTokens":1,"totalTokens":4}}')
--- tcp_query_sub eval
main::br_query('/model/amazon.nova-lite-v1%3A0/converse', '{"messages":[{"role":"user","content":[{"text":"Hi"}]}],"inferenceConfig":{"maxTokens":4096}}')
--- response_body_like: "content":"Hello"
--- no_error_log
wJalrXUtnFEMI



=== TEST 16: a stream whose body ends before its metadata frame ends with an error event and an estimate
--- request
POST /v1/chat/completions
{"model":"anthropic.claude-3-5-haiku-20241022-v1:0","stream":true,"messages":[{"role":"user","content":"Go"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::es("200 OK", main::frame('messageStart', '{"role":"assistant"}'),
         main::frame('contentBlockDelta', '{"contentBlockIndex":0,"delta":{"text":"A"}}'))
--- response_body_like: "delta":\{"content":"A"\},"finish_reason":null\}\]\}\n\ndata: \{"error":\{"message":"The provider stream from \\"br\\" was interrupted","type":"api_error","param":null,"code":"stream_interrupted"\}\}\n\n$
--- error_log
u=estimated



=== TEST 17: a stream that reached messageStop but lost its metadata frame is complete; its usage estimated
--- request
POST /v1/chat/completions
{"model":"anthropic.claude-3-5-haiku-20241022-v1:0","stream":true,"messages":[{"role":"user","content":"Go"}]}
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
main::es("200 OK", main::frame('messageStart', '{"role":"assistant"}'),
         main::frame('contentBlockDelta', '{"contentBlockIndex":0,"delta":{"text":"A"}}'),
         main::frame('messageStop', '{"stopReason":"end_turn"}'))
--- response_body_like: "delta":\{"content":"A"\},"finish_reason":null\}\]\}\n\ndata: \{[^\n]*"delta":\{\},"finish_reason":"stop"\}\]\}\n\ndata: \[DONE\]\n\n$
--- error_log
u=estimated
