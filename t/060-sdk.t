# The official openai npm SDK against the gateway: chat, streaming, a typed
# authentication error, and a broken stream raised as an error.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';

my $sections = {
    http_config => <<"_EOC_",
    llm_provider demo { type mock; models gpt-4o-mini; stream_events 4; }
    llm_provider broken {
        type openai;
        url http://127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1}/v1;
        models gpt-4o-mini;
        weight 0;
    }
    llm_virtual_key demo { key sk-demo; models demo/* broken/*; }

    # a provider whose stream stops after one event, without [DONE]
    server {
        listen 127.0.0.1:$ENV{TEST_NGINX_RAND_PORT_1};
        location / {
            default_type text/event-stream;
            return 200 'data: {"id":"b","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"par"},"finish_reason":null}]}\n\n';
        }
    }
_EOC_
    config => "    location /v1/ { llm_gateway openai; }\n",
};

my ($ok, $out) = Test::Nginx::Socket::start_nginx(
                     Test::Nginx::Socket::write_config($sections));
ok($ok, "nginx started") or diag($out);

my $url = "http://127.0.0.1:$Test::Nginx::Socket::ServerPort/v1";
my $res = `node t/sdk/openai.mjs $url 2>&1`;
is($?, 0, "the SDK script ran") or diag($res);

like($res, qr/^CHAT This is a mock response from demo\/gpt-4o-mini\. You said: Hello SDK tokens=\d+$/m,
     "non-streaming chat");
like($res, qr/^STREAM This is a mock response from demo\/gpt-4o-mini\. You said: Hello stream events=6$/m,
     "streaming chat, every event");
like($res, qr/^AUTH AuthenticationError 401 invalid_api_key$/m,
     "a bad key is the SDK's typed AuthenticationError");
like($res, qr/^BROKEN APIError .*The provider stream from "broken" was interrupted/m,
     "a broken stream raises, never ends cleanly");
like($res, qr/^MODELS demo\/gpt-4o-mini,broken\/gpt-4o-mini$/m,
     "models.list shows what the key may use");
