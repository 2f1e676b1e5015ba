# Request bodies parsed where nginx read them (ngx_http_llm_body_room()):
# the part that came with the headers moves into a buffer sized to the
# body, made r->header_in while nginx reads the rest.  nginx looks at
# r->header_in again after the request's memory is freed, when it keeps
# the connection alive; every malloc() here is an mmap() that free()
# unmaps, so a look at freed memory is a crash, not a silent read.
BEGIN { $ENV{GLIBC_TUNABLES} = 'glibc.malloc.mmap_threshold=0' }
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;

our $HttpConfig = <<'_EOC_';
    llm_provider up {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        api_key sk-provider-secret;
        models gpt-4o;
    }
    llm_virtual_key alpha { key sk-alpha; models *; }
_EOC_

our $Answer = '{"id":"c1","choices":[]}';

sub prompt {
    my ($n) = @_;
    return '{"model":"gpt-4o","messages":[{"role":"user","content":"'
        . CORE::join('', map { sprintf "%05d ", $_ } 1 .. $n) . '"}]}';
}

sub post {
    my ($body, $close) = @_;
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
        . ($close ? "Connection: close\r\n" : "")
        . "Authorization: Bearer sk-alpha\r\nContent-Type: application/json\r\n"
        . "Content-Length: " . length($body) . "\r\n\r\n" . $body;
}

sub upstream {
    my ($body) = @_;
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:"
        . $ENV{TEST_NGINX_RAND_PORT_1} . "\r\n"
        . "Authorization: Bearer sk-provider-secret\r\n"
        . "Content-Type: application/json\r\n"
        . "Content-Length: " . length($body) . "\r\n"
        . "Accept: application/json\r\n\r\n" . $body;
}

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value("http_config", $HttpConfig);
    $block->set_value("tcp_listen", '$TEST_NGINX_RAND_PORT_1');
    $block->set_value("tcp_reply",
                      main::resp("200 OK", "application/json", $main::Answer));
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: three requests on one kept-alive connection, each body read mostly after its headers
--- config
    location /v1/ {
        llm_gateway openai;
        client_body_buffer_size 64k;
    }
--- raw_request eval
main::post(main::prompt(6000)) . main::post(main::prompt(3000))
. main::post('{"model":"gpt-4o","messages":[]}', 1)
--- tcp_query eval
main::upstream(main::prompt(6000))
--- response_body_like chop
^\{"id":"c1","choices":\[\]\}HTTP/1.1 200 OK\r\n.*\{"id":"c1","choices":\[\]\}HTTP/1.1 200 OK\r\n.*\r\n\r\n\{"id":"c1","choices":\[\]\}$
--- no_error_log
[alert]
[crit]
a client request body is buffered to a temporary file



=== TEST 2: a body past client_body_buffer_size takes nginx's own way (a temporary file), whole, and the connection goes on
--- config
    location /v1/ {
        llm_gateway openai;
        client_body_buffer_size 8k;
    }
--- raw_request eval
main::post(main::prompt(6000)) . main::post('{"model":"gpt-4o","messages":[]}', 1)
--- tcp_query eval
main::upstream(main::prompt(6000))
--- response_body_like chop
^\{"id":"c1","choices":\[\]\}HTTP/1.1 200 OK\r\n.*\r\n\r\n\{"id":"c1","choices":\[\]\}$
--- error_log
a client request body is buffered to a temporary file
--- no_error_log
[alert]
[crit]



=== TEST 3: malformed JSON read the same way: a 400 in OpenAI's shape
--- config
    location /v1/ {
        llm_gateway openai;
        client_body_buffer_size 64k;
    }
--- raw_request eval
my $bad = main::prompt(6000);
CORE::chop $bad;
main::post($bad) . main::post('{"model":"gpt-4o","messages":[]}', 1)
--- error_code: 400
--- response_body
{"error":{"message":"The request body is not valid JSON.","type":"invalid_request_error","param":null,"code":"invalid_json"}}
--- no_error_log
[alert]
[crit]
