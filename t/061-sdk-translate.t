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
like($res, qr/^ERROR BadRequestError 400 400 messages: text content blocks must be non-empty$/m,
     "Anthropic's error is the SDK's typed BadRequestError");

Test::Nginx::Socket::stop_nginx();
