# The official openai npm SDK against the gateway backed by an Anthropic
# provider (canned Messages answers): chat, tool use, a typed error.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';

my $p = $ENV{TEST_NGINX_RAND_PORT_1};
my $sections = {
    http_config => <<"_EOC_",
    llm_provider text { type anthropic; url http://127.0.0.1:$p/text/v1; api_key a; models claude-text; }
    llm_provider tools { type anthropic; url http://127.0.0.1:$p/tools/v1; api_key a; models claude-tools; }
    llm_provider bad { type anthropic; url http://127.0.0.1:$p/bad/v1; api_key a; models claude-bad; }
    llm_provider stream { type anthropic; url http://127.0.0.1:$p/stream/v1; api_key a; models claude-stream; }
    llm_provider stools { type anthropic; url http://127.0.0.1:$p/stools/v1; api_key a; models claude-stools; }
    llm_price claude-* input=3 output=15;
    llm_virtual_key demo { key sk-demo; models *; }

    server {
        listen 127.0.0.1:$p;
        default_type application/json;
        location /text/ {
            return 200 '{"id":"msg_1","type":"message","role":"assistant","model":"claude-text","content":[{"type":"text","text":"Hello from Claude."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":5}}';
        }
        location /tools/ {
            return 200 '{"id":"msg_2","type":"message","role":"assistant","model":"claude-tools","content":[{"type":"tool_use","id":"toolu_9","name":"get_weather","input":{"city":"Rome"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":30,"output_tokens":9}}';
        }
        location /stream/ {
            default_type text/event-stream;
            return 200 'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant","content":[],"model":"claude-stream","usage":{"input_tokens":9,"output_tokens":1}}}\n\nevent: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Streamed "}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"by Claude."}}\n\nevent: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\nevent: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":4}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n';
        }
        location /stools/ {
            default_type text/event-stream;
            return 200 'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_t","type":"message","role":"assistant","content":[],"model":"claude-stools","usage":{"input_tokens":20,"output_tokens":1}}}\n\nevent: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_s","name":"get_weather","input":{}}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\\\"city\\\\": \\\\"Os"}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"lo\\\\"}"}}\n\nevent: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\nevent: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":12}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n';
        }
        location /bad/ {
            return 400 '{"type":"error","error":{"type":"invalid_request_error","message":"messages: text content blocks must be non-empty"}}';
        }
    }
_EOC_
    config => "    location /v1/ { llm_gateway openai; }\n",
};

my ($ok, $out) = Test::Nginx::Socket::start_nginx(
                     Test::Nginx::Socket::write_config($sections));
ok($ok, "nginx started") or diag($out);

my $url = "http://127.0.0.1:$Test::Nginx::Socket::ServerPort/v1";
my $res = `node t/sdk/openai-anthropic.mjs $url 2>&1`;
is($?, 0, "the SDK script ran") or diag($res);

like($res, qr/^CHAT Hello from Claude\. finish=stop tokens=12\+5$/m,
     "chat through Anthropic");
like($res, qr/^TOOL toolu_9 get_weather Rome finish=tool_calls$/m,
     "tool use: a call with parseable arguments");
like($res, qr/^STREAM Streamed by Claude\. chunks=5 usage=9\+4$/m,
     "a stream through Anthropic, with include_usage");
like($res, qr/^STOOL toolu_s get_weather Oslo finish=tool_calls$/m,
     "a streamed tool call, its arguments assembled from deltas");
like($res, qr/^ERROR BadRequestError 400 400 messages: text content blocks must be non-empty$/m,
     "Anthropic's error is the SDK's typed BadRequestError");

Test::Nginx::Socket::stop_nginx();
