# The official @google/genai npm SDK against the gateway's Gemini surface
# backed by OpenAI-dialect providers (canned chat completions) and one
# Anthropic provider: chat, tool use and its answer, streams,
# countTokens, a typed error.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';

my $p = $ENV{TEST_NGINX_RAND_PORT_1};
my $h = '{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-stream","choices":[';
my $stream = join '', map { "data: $_\\n\\n" }
    $h . '{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
    $h . '{"index":0,"delta":{"content":"Streamed "},"finish_reason":null}]}',
    $h . '{"index":0,"delta":{"content":"by GPT."},"finish_reason":null}]}',
    $h . '{"index":0,"delta":{},"finish_reason":"stop"}]}',
    $h . '],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}',
    '[DONE]';
my $stools = join '', map { "data: $_\\n\\n" }
    $h . '{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_s","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}',
    $h . '{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\\\"city\\\\": \\\\"Os"}}]},"finish_reason":null}]}',
    $h . '{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"lo\\\\"}"}}]},"finish_reason":null}]}',
    $h . '{"index":0,"delta":{},"finish_reason":"tool_calls"}]}',
    $h . '],"usage":{"prompt_tokens":20,"completion_tokens":12,"total_tokens":32}}',
    '[DONE]';
my $claude = join '', map { "event: x\\ndata: $_\\n\\n" }
    '{"type":"message_start","message":{"id":"msg_c","type":"message","role":"assistant","model":"claude-stream","content":[],"usage":{"input_tokens":7,"output_tokens":1}}}',
    '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi from "}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Claude."}}',
    '{"type":"content_block_stop","index":0}',
    '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}',
    '{"type":"message_stop"}';

my $sections = {
    http_config => <<"_EOC_",
    llm_provider text { type openai; url http://127.0.0.1:$p/text/v1; api_key a; models gpt-text; }
    llm_provider tools { type openai; url http://127.0.0.1:$p/tools/v1; api_key a; models gpt-tools; }
    llm_provider bad { type openai; url http://127.0.0.1:$p/bad/v1; api_key a; models gpt-bad; }
    llm_provider stream { type openai; url http://127.0.0.1:$p/stream/v1; api_key a; models gpt-stream; }
    llm_provider stools { type openai; url http://127.0.0.1:$p/stools/v1; api_key a; models gpt-stools; }
    llm_provider claude { type anthropic; url http://127.0.0.1:$p/claude/v1; api_key a; models claude-stream; }
    llm_price gpt-* input=2.5 output=10;
    llm_price claude-* input=3 output=15;
    llm_virtual_key demo { key sk-demo; models *; }

    server {
        listen 127.0.0.1:$p;
        default_type application/json;
        location /text/ {
            return 200 '{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-text","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from GPT."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}';
        }
        location /tools/ {
            return 200 '{"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"gpt-tools","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function","function":{"name":"get_weather","arguments":"{\\\\"city\\\\":\\\\"Rome\\\\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":30,"completion_tokens":9,"total_tokens":39}}';
        }
        location /stream/ {
            default_type text/event-stream;
            return 200 '$stream';
        }
        location /stools/ {
            default_type text/event-stream;
            return 200 '$stools';
        }
        location /claude/ {
            default_type text/event-stream;
            return 200 '$claude';
        }
        location /bad/ {
            return 400 '{"error":{"message":"Invalid value for max_completion_tokens.","type":"invalid_request_error","param":"max_completion_tokens","code":"invalid_value"}}';
        }
    }
_EOC_
    config => "    location /genai/ { llm_gateway gemini; }\n",
};

my ($ok, $out) = Test::Nginx::Socket::start_nginx(
                     Test::Nginx::Socket::write_config($sections));
ok($ok, "nginx started") or diag($out);

my $url = "http://127.0.0.1:$Test::Nginx::Socket::ServerPort/genai";
my $res = `node t/sdk/gemini-openai.mjs $url 2>&1`;
is($?, 0, "the SDK script ran") or diag($res);

like($res, qr/^CHAT Hello from GPT\. finish=STOP tokens=12\+5$/m,
     "chat through OpenAI");
like($res, qr/^TOOL call_9 get_weather Rome$/m,
     "tool use: a functionCall with its id and args object");
like($res, qr/^ANSWERED Hello from GPT\.$/m,
     "the function call and its response sent back through the SDK");
like($res, qr/^STREAM Streamed by GPT\. chunks=3 finish=STOP usage=9\+4$/m,
     "a stream: text chunks, then the finish and the usage");
like($res, qr/^STOOL call_s get_weather Oslo$/m,
     "a streamed tool call, its arguments gathered into one functionCall");
like($res, qr/^CLAUDE Hi from Claude\. finish=STOP usage=7\+5$/m,
     "an Anthropic stream as Gemini chunks");
like($res, qr/^COUNT \d+$/m, "countTokens: the gateway's estimate");
like($res, qr/^ERROR ApiError 400 .*Invalid value for max_completion_tokens\./m,
     "OpenAI's error is the SDK's typed ApiError");

Test::Nginx::Socket::stop_nginx();
