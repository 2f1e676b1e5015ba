# Every error row of DESIGN.md section 6 that this surface can produce, in
# OpenAI's error shape.
use Test::Nginx::Socket 'no_plan';

our $HttpConfig = <<'_EOC_';
    llm_provider demo { type mock; models gpt-4o-mini mock-*; }
    llm_provider other { type mock; models claude-x; }
    llm_virtual_key alpha {
        key sk-alpha;
        models demo/* other/claude-x;
        metadata team=ml;
    }
    llm_virtual_key hashed {
        key_sha256 34700ff5d4e67b0e465872f72889068a0d9cedc3edeb3179f8c671ad0cf9bcca;
        models *;
    }
    llm_virtual_key nothing { key sk-nothing; }
_EOC_

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value("http_config", $HttpConfig)
        unless defined $block->http_config;
    $block->set_value("config", "    location /v1/ { llm_gateway openai; llm_max_body_size 64k; }")
        unless defined $block->config;
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: missing key is 401
--- request
POST /v1/chat/completions
{"model":"gpt-4o-mini","messages":[]}
--- error_code: 401
--- response_headers
Content-Type: application/json
--- response_body
{"error":{"message":"Missing API key: send it as \"Authorization: Bearer KEY\".","type":"authentication_error","param":null,"code":"invalid_api_key"}}



=== TEST 2: unknown key is 401 and the secret is not logged
--- more_headers
Authorization: Bearer sk-wrong-secret-123
--- request
POST /v1/chat/completions
{"model":"gpt-4o-mini","messages":[]}
--- error_code: 401
--- response_body
{"error":{"message":"Invalid API key.","type":"authentication_error","param":null,"code":"invalid_api_key"}}
--- no_error_log eval
qr/llm:.*sk-wrong-secret-123/



=== TEST 3: the Anthropic SDK's x-api-key header is accepted
--- more_headers
x-api-key: sk-alpha
--- request
POST /v1/chat/completions
{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}
--- error_code: 200
--- response_body_like: "model":"gpt-4o-mini"



=== TEST 4: key_sha256 matches the secret's digest ("hello-world-key")
--- more_headers
Authorization: Bearer hello-world-key
--- request
POST /v1/chat/completions
{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}
--- error_code: 200
--- response_body_like: demo/gpt-4o-mini



=== TEST 5: model the key may not use is 403
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/chat/completions
{"model":"other/claude-y","messages":[]}
--- error_code: 403
--- response_body
{"error":{"message":"The model \"other/claude-y\" is not allowed for this key; GET /v1/models lists the allowed models.","type":"permission_error","param":null,"code":"model_not_allowed"}}



=== TEST 6: unknown bare model is 403
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/chat/completions
{"model":"gpt-5-ultra","messages":[]}
--- error_code: 403
--- response_body_like: "code":"model_not_allowed"



=== TEST 7: deny by default: a key without models may call nothing
--- more_headers
Authorization: Bearer sk-nothing
--- request
POST /v1/chat/completions
{"model":"gpt-4o-mini","messages":[]}
--- error_code: 403
--- response_body_like: "type":"permission_error"



=== TEST 8: malformed JSON is 400
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/chat/completions
{"model":"gpt-4o-mini","messages":[}
--- error_code: 400
--- response_body
{"error":{"message":"The request body is not valid JSON.","type":"invalid_request_error","param":null,"code":"invalid_json"}}



=== TEST 9: truncated JSON is 400
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/chat/completions
{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hel
--- error_code: 400
--- response_body_like: "code":"invalid_json"



=== TEST 10: trailing garbage after the document is 400
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/chat/completions
{"model":"gpt-4o-mini","messages":[]} x
--- error_code: 400
--- response_body_like: "code":"invalid_json"



=== TEST 11: model of the wrong type is 400
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/chat/completions
{"model":42,"messages":[]}
--- error_code: 400
--- response_body
{"error":{"message":"\"model\" must be a non-empty string.","type":"invalid_request_error","param":null,"code":"invalid_type"}}



=== TEST 12: stream of the wrong type is 400
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/chat/completions
{"model":"gpt-4o-mini","stream":"yes","messages":[]}
--- error_code: 400
--- response_body_like: "message":"\\"stream\\" must be a boolean\."



=== TEST 13: messages that is not an array is 400
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/chat/completions
{"model":"gpt-4o-mini","messages":"hi"}
--- error_code: 400
--- response_body_like: "\\"messages\\" must be an array\."



=== TEST 14: missing model is 400
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/chat/completions
{"messages":[]}
--- error_code: 400
--- response_body_like: "code":"missing_required_parameter"



=== TEST 15: a body that is not an object is 400
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/chat/completions
["model","gpt-4o-mini"]
--- error_code: 400
--- response_body_like: must be a JSON object



=== TEST 16: an empty body is 400
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/chat/completions
--- error_code: 400
--- response_body_like: The request body is empty



=== TEST 17: "model" given twice is refused (the authorised one must be sent)
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/chat/completions
{"model":"gpt-4o-mini","messages":[],"model":"other/claude-y"}
--- error_code: 400
--- response_body_like: "\\"model\\" is given twice\."



=== TEST 18: Content-Length over llm_max_body_size is 413 before the body is read
--- more_headers
Authorization: Bearer sk-alpha
--- request eval
"POST /v1/chat/completions\n" . ("x" x 70000)
--- error_code: 413
--- response_body
{"error":{"message":"The request body is 70000 bytes, the limit is 65536.","type":"invalid_request_error","param":null,"code":"request_too_large"}}



=== TEST 19: a chunked body over the limit is 413 in the same shape
--- more_headers
Authorization: Bearer sk-alpha
Transfer-Encoding: chunked
--- request eval
"POST /v1/chat/completions\n" . sprintf("%x\r\n", 70000) . ("x" x 70000) . "\r\n0\r\n\r\n"
--- error_code: 413
--- response_headers
Content-Type: application/json
--- response_body_like: "code":"request_too_large"



=== TEST 20: unknown endpoint is 404
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/assistants
{}
--- error_code: 404
--- response_body_like: "code":"unknown_url"



=== TEST 21: GET on chat completions is 405
--- more_headers
Authorization: Bearer sk-alpha
--- request
GET /v1/chat/completions
--- error_code: 405
--- response_body_like: "code":"method_not_allowed"



=== TEST 22: the models the key may use
--- more_headers
Authorization: Bearer sk-alpha
--- request
GET /v1/models
--- response_body
{"object":"list","data":[{"id":"demo/gpt-4o-mini","object":"model","created":0,"owned_by":"demo"},{"id":"other/claude-x","object":"model","created":0,"owned_by":"other"}]}



=== TEST 23: a provider whose env key is unset is skipped, named explicitly it is 503
--- main_config
    env LLM_TEST_UNSET_KEY;
--- http_config
    llm_provider nokey { type openai; url http://127.0.0.1:1/v1; api_key env:LLM_TEST_UNSET_KEY; models gpt-4o; }
    llm_virtual_key a { key sk-a; models *; }
--- more_headers
Authorization: Bearer sk-a
--- request
POST /v1/chat/completions
{"model":"nokey/gpt-4o","messages":[]}
--- error_code: 503
--- response_body_like: The provider \\"nokey\\" has no credentials configured
--- error_log
llm_provider "nokey" is disabled: its api_key environment variable is not set



=== TEST 24: nesting deeper than the scanner allows is 400, not a crash
--- more_headers
Authorization: Bearer sk-alpha
--- request eval
"POST /v1/chat/completions\n" . '{"model":"gpt-4o-mini","messages":' . ("[" x 5000) . ("]" x 5000) . '}'
--- error_code: 400
--- response_body_like: "code":"invalid_json"



=== TEST 25: HEAD on the models list sends the headers only
--- more_headers
Authorization: Bearer sk-alpha
--- request
HEAD /v1/models
--- response_headers
Content-Type: application/json
--- response_body chomp



=== TEST 26: a model name with a newline cannot forge a log line
--- more_headers
Authorization: Bearer sk-alpha
--- request
POST /v1/chat/completions
{"model":"bad\n[error] forged","messages":[]}
--- error_code: 403
--- response_body_like: "message":"The model \\"bad\\u000a\[error\] forged\\" is not allowed
--- error_log
llm: 403 The model "bad?[error] forged" is not allowed
