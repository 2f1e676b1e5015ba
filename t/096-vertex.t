# Vertex AI providers (type vertex): the service account's signed JWT
# exchanged for an access token (the assertion's RS256 signature checked
# with openssl against the public key), requests that wait for it, Gemini
# models at publishers/google and Claude models at publishers/anthropic
# (rawPredict, the version in the body, not the model), streams, a token
# endpoint that refuses, and the configuration's errors.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;
use File::Temp qw(tempdir);
use MIME::Base64 qw(decode_base64);

our $Port = $ENV{TEST_NGINX_RAND_PORT_1};
our $Dir = tempdir(CLEANUP => 1);

# a service account with a fresh RSA key, its token_uri the mock's
system("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
       . "-out $Dir/key.pem 2>/dev/null") == 0 or die "openssl genpkey";
system("openssl pkey -in $Dir/key.pem -pubout -out $Dir/pub.pem") == 0
    or die "openssl pkey";
{
    local $/;
    open my $k, '<', "$Dir/key.pem" or die;
    (my $pem = <$k>) =~ s/\n/\\n/g;
    open my $j, '>', "$Dir/sa.json" or die;
    print $j qq({"type":"service_account","project_id":"proj-1",)
        . qq("private_key_id":"abc","private_key":"$pem",)
        . qq("client_email":"gw\@proj-1.iam.gserviceaccount.com",)
        . qq("token_uri":"http://127.0.0.1:$Port/token"});
    close $j;
    open $j, '>', "$Dir/bad.json" or die;
    print $j '{"type":"service_account","client_email":"a@b"';
    close $j;
}

sub http {
    my ($tag) = @_;
    return <<"_EOC_";
    # $tag
    llm_provider vx {
        type vertex;
        project proj-1;
        location us-central1;
        credentials file:$Dir/sa.json;
        url http://127.0.0.1:$Port;
        models gemini-* claude-*;
    }
    llm_virtual_key k { key sk-k; models *; }
    log_format tr "u=\$llm_usage_source p=\$llm_prompt_tokens c=\$llm_completion_tokens";
_EOC_
}

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', main::http('shared'))
        unless defined $block->http_config;
    $block->set_value('config',
        "    location /v1/ { llm_gateway openai; access_log logs/error.log tr; }\n"
        . "    location /anthropic/ { llm_gateway anthropic; access_log logs/error.log tr; }\n"
        . "    location /genai/ { llm_gateway gemini; access_log logs/error.log tr; }\n")
        unless defined $block->config;
    $block->set_value('more_headers', 'Authorization: Bearer sk-k')
        unless defined $block->more_headers;
});

sub b64url {
    (my $s = shift) =~ tr{-_}{+/};
    $s .= '=' x ((4 - length($s) % 4) % 4);
    return decode_base64($s);
}

# the token request: its form, and the JWT's header, claims and signature
sub token_check {
    my ($got) = @_;
    my ($head, $body) = split /\r\n\r\n/, $got, 2;
    return "(no assertion)" unless $body =~
        /^grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=([\w-]+)\.([\w-]+)\.([\w-]+)$/;
    my ($h, $c, $s) = ($1, $2, $3);
    open my $f, '>', "$Dir/in" or die;
    print $f "$h.$c";
    close $f;
    open $f, '>', "$Dir/sig" or die;
    print $f b64url($s);
    close $f;
    my $v = `openssl dgst -sha256 -verify $Dir/pub.pem -signature $Dir/sig $Dir/in 2>&1`;
    chomp $v;
    my $claims = b64url($c);
    my ($iat, $exp) = $claims =~ /"iat":(\d+),"exp":(\d+)/;
    $claims =~ s/"iat":\d+,"exp":\d+/"iat":T,"exp":T/;
    return join "\n", ($head =~ m{^(POST /token HTTP/1\.1)}),
        ($head =~ /^(Content-Type: .*)$/mi), b64url($h), $claims,
        "lifetime " . ($exp - $iat), $v;
}

sub token_want {
    return join "\n", "POST /token HTTP/1.1",
        "Content-Type: application/x-www-form-urlencoded\r",
        '{"alg":"RS256","typ":"JWT"}',
        '{"iss":"gw@proj-1.iam.gserviceaccount.com","scope":"https://www.googleapis.com/auth/cloud-platform","aud":"http://127.0.0.1:' . $Port . '/token","iat":T,"exp":T}',
        "lifetime 3600", "Verified OK";
}

our $Token = main::resp("200 OK", "application/json",
    '{"access_token":"ya29.c.test-token","expires_in":3599,"token_type":"Bearer"}');

# the mock: the token endpoint, and the provider
sub mock {
    my ($answer) = @_;
    return sub {
        my ($req) = @_;
        return $req =~ m{^POST /token } ? $Token : $answer;
    };
}

sub vx_query {
    my ($path, $b, $accept) = @_;
    return "POST /v1/projects/proj-1/locations/us-central1/publishers/$path HTTP/1.1\r\n"
        . "Host: 127.0.0.1:$Port\r\n"
        . "Authorization: Bearer ya29.c.test-token\r\nContent-Type: application/json\r\n"
        . "Content-Length: " . length($b) . "\r\nAccept: " . ($accept // 'application/json') . "\r\n\r\n$b";
}

# the provider's request: the last one the mock received
sub last_is {
    my ($want) = @_;
    return sub { my ($first, $all) = @_; return [$all->[-1], $want] };
}

run_tests();

__DATA__

=== TEST 1: a fresh worker: the request waits for the access token (JWT signed RS256), then Gemini on Vertex gets it with the Bearer token
--- http_config eval: main::http('test 1')
--- request
POST /v1/chat/completions
{"model":"gemini-2.5-flash","max_tokens":100,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}]}
--- tcp_listen eval: $main::Port
--- tcp_reply eval
main::mock(main::resp("200 OK", "application/json", '{"candidates":[{"content":{"parts":[{"text":"Hi."}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash","responseId":"r1"}'))
--- tcp_query_sub eval
sub {
    my ($first, $all) = @_;
    my @tok = grep { m{^POST /token } } @$all;
    return [main::token_check($tok[-1]), main::token_want(),
            $all->[-1], main::vx_query('google/models/gemini-2.5-flash:generateContent', '{"contents":[{"role":"user","parts":[{"text":"Hello"}]}],"systemInstruction":{"parts":[{"text":"Be brief."}]},"generationConfig":{"maxOutputTokens":100}}')];
}
--- response_body_like eval
qr/^\{"id":"r1","object":"chat\.completion","created":\d+,"model":"gemini-2\.5-flash","choices":\[\{"index":0,"message":\{"role":"assistant","content":"Hi\."\},"finish_reason":"stop"\}\],"usage":\{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7,"prompt_tokens_details":\{"cached_tokens":0\}\}\}\n$/
--- error_log
access token obtained, valid for 3299 s
u=reported p=5 c=2



=== TEST 2: a Claude model on Vertex from the OpenAI surface: rawPredict at publishers/anthropic, the version in the body where the model was
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-5@20250929","max_tokens":50,"messages":[{"role":"user","content":"Hello, Claude"}]}
--- tcp_listen eval: $main::Port
--- tcp_reply eval
main::mock(main::resp("200 OK", "application/json", '{"id":"msg_vrtx_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Hi!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":3}}'))
--- tcp_query_sub eval
main::last_is(main::vx_query('anthropic/models/claude-sonnet-4-5@20250929:rawPredict', '{"anthropic_version":"vertex-2023-10-16","messages":[{"role":"user","content":[{"type":"text","text":"Hello, Claude"}]}],"max_tokens":50}'))
--- response_body_like eval
qr/^\{"id":"msg_vrtx_01","object":"chat\.completion","created":\d+,"model":"claude-sonnet-4-5-20250929","choices":\[\{"index":0,"message":\{"role":"assistant","content":"Hi!"\},"finish_reason":"stop"\}\],"usage":\{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13,"prompt_tokens_details":\{"cached_tokens":0\}\}\}\n$/
--- error_log
u=reported p=10 c=3



=== TEST 3: the Anthropic surface passed through to Claude on Vertex, streamed: streamRawPredict, the model member replaced by the version, the events as sent
--- request
POST /anthropic/v1/messages
{"model":"claude-sonnet-4-5@20250929","max_tokens":20,"stream":true,"messages":[{"role":"user","content":"Hi"}]}
--- tcp_listen eval: $main::Port
--- tcp_reply eval
main::mock(main::chunked("200 OK", "text/event-stream",
  "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\n\n",
  "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n",
  "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\nevent: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":4}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
--- tcp_query_sub eval
main::last_is(main::vx_query('anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict', qq({"anthropic_version":"vertex-2023-10-16","max_tokens":20,"stream":true,"messages":[{"role":"user","content":"Hi"}]}\n), 'text/event-stream'))
--- response_body eval
"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\n\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\nevent: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\nevent: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":4}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
--- error_log
u=reported p=7 c=4



=== TEST 4: the Gemini surface passed through to Gemini on Vertex, streamed (streamGenerateContent?alt=sse)
--- request
POST /genai/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse
{"contents":[{"role":"user","parts":[{"text":"Hi"}]}]}
--- more_headers
x-goog-api-key: sk-k
--- tcp_listen eval: $main::Port
--- tcp_reply eval
main::mock(main::chunked("200 OK", "text/event-stream",
  "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}],\"role\":\"model\"}}],\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n",
  "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}],\"role\":\"model\"},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":2,\"totalTokenCount\":5},\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n"))
--- tcp_query_sub eval
main::last_is(main::vx_query('google/models/gemini-2.5-flash:streamGenerateContent?alt=sse', qq({"contents":[{"role":"user","parts":[{"text":"Hi"}]}]}\n), 'text/event-stream'))
--- response_body eval
"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}],\"role\":\"model\"}}],\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\ndata: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}],\"role\":\"model\"},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":2,\"totalTokenCount\":5},\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n"
--- error_log
u=reported p=3 c=2



=== TEST 5: the token endpoint refuses the assertion: the waiting request fails with the gateway's error, the reason logged, and the provider is never called
--- http_config eval: main::http('test 5')
--- request
POST /v1/chat/completions
{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen eval: $main::Port
--- tcp_reply eval
sub { main::resp("400 Bad Request", "application/json", '{"error":"invalid_grant","error_description":"Invalid JWT Signature."}') }
--- tcp_query_sub eval
sub { my ($first, $all) = @_; return [scalar(grep { !m{^POST /token } } @$all), 0] }
--- error_code: 503
--- response_body_like: No provider could be tried \(cooling down, circuit open or no access token\): \\"vx\\"
--- error_log
the access token request to "http://127.0.0.1:
failed: {"error":"invalid_grant","error_description":"Invalid JWT Signature."}



=== TEST 11: the token is renewed in the background before it expires, with no request asking
--- http_config eval: main::http('test 11')
--- request
POST /v1/chat/completions
{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"Hello"}]}
--- tcp_listen eval: $main::Port
--- tcp_reply eval
my $tokens = 0;
sub {
    my ($req) = @_;
    return main::resp("200 OK", "application/json", '{"candidates":[{"content":{"parts":[{"text":"Hi."}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2,"totalTokenCount":7}}')
        unless $req =~ m{^POST /token };
    return main::resp("200 OK", "application/json",
        $tokens++ ? '{"access_token":"ya29.second","expires_in":3599}'
                  : '{"access_token":"ya29.first","expires_in":4}');
}
--- wait: 2.5
--- tcp_query_sub eval
sub {
    my ($first, $all) = @_;
    my @calls = map { m{^POST (\S+)} ? $1 : '?' } @$all;
    my ($auth) = $all->[-2] =~ /^Authorization: (.*?)\r$/m;
    return ["@calls[-3 .. -1]", "/token /v1/projects/proj-1/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent /token",
            $auth, "Bearer ya29.first"];
}
--- error_log
access token obtained, valid for 2 s
access token obtained, valid for 3299 s



=== TEST 12: tools (the document path): Claude on Vertex gets the version as its first member; when it is overloaded the same document serves an Anthropic provider, with the model again
--- http_config eval
main::http('test 12') . "    llm_provider an { type anthropic; url http://127.0.0.1:$main::Port/v1; api_key sk-ant-test; models claude-*; weight 0; }\n"
--- request
POST /v1/chat/completions
{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":null,"tool_calls":[{"id":"toolu_01A","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"toolu_01A","content":"18C, sunny"}],"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}],"tool_choice":"auto"}
--- tcp_listen eval: $main::Port
--- tcp_reply eval
sub {
    my ($req) = @_;
    return $main::Token if $req =~ m{^POST /token };
    return main::resp("529 Overloaded", "application/json", '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')
        if $req =~ m{^POST /v1/projects/};
    return main::resp("200 OK", "application/json", '{"id":"msg_b","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"Sunny."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":2}}');
}
--- tcp_query_sub eval
sub {
    my ($first, $all) = @_;
    my $rest = ',"messages":[{"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"location":"Paris"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":[{"type":"text","text":"18C, sunny"}]}]}],"max_tokens":4096,"tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"location":{"type":"string"}}}}],"tool_choice":{"type":"auto"}}';
    my $b = '{"model":"claude-sonnet-4-6"' . $rest;
    return [$all->[-2], main::vx_query('anthropic/models/claude-sonnet-4-6:rawPredict', '{"anthropic_version":"vertex-2023-10-16"' . $rest),
            $all->[-1], "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:$main::Port\r\nanthropic-version: 2023-06-01\r\nx-api-key: sk-ant-test\r\nContent-Type: application/json\r\nContent-Length: " . length($b) . "\r\nAccept: application/json\r\n\r\n$b"];
}
--- response_body_like: "content":"Sunny\."
--- response_headers
x-llm-provider: an



=== TEST 6: a Vertex provider needs a project, a location and credentials
--- http_config
    llm_provider vx { type vertex; project p; location us-central1; models *; }
--- config
    location /v1/ { llm_gateway openai; }
--- must_die
--- error_log eval
qr/llm_provider "vx" of type vertex needs "project", "location" and "credentials file:PATH" \(a service account's JSON key\) in .*nginx\.conf:\d+/



=== TEST 7: a key file that is not JSON fails nginx -t, naming the provider
--- http_config eval
"    llm_provider vx { type vertex; project p; location global; credentials file:$main::Dir/bad.json; models *; }\n"
--- config
    location /v1/ { llm_gateway openai; }
--- must_die
--- error_log eval
qr/the credentials of llm_provider "vx" is not a JSON object in .*nginx\.conf:\d+/



=== TEST 8: credentials take a file only
--- http_config
    llm_provider vx { type vertex; project p; location global; credentials sa.json; models *; }
--- config
    location /v1/ { llm_gateway openai; }
--- must_die
--- error_log eval
qr/"credentials" takes file:PATH, a service account's JSON key in .*nginx\.conf:\d+/



=== TEST 9: project on another type is refused
--- http_config
    llm_provider o { type openai; url http://127.0.0.1:1/v1; project p; models *; }
--- config
    location /v1/ { llm_gateway openai; }
--- must_die
--- error_log eval
qr/"project", "location" and "credentials" in llm_provider "o" need "type vertex" in .*nginx\.conf:\d+/



=== TEST 10: Vertex takes no api_key
--- http_config eval
"    llm_provider vx { type vertex; project p; location global; credentials file:$main::Dir/sa.json; api_key k; models *; }\n"
--- config
    location /v1/ { llm_gateway openai; }
--- must_die
--- error_log eval
qr/llm_provider "vx" of type vertex takes "credentials", not "api_key" in .*nginx\.conf:\d+/
