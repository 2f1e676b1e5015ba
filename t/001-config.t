# Invalid configuration fails to start, naming the file, line and what is
# allowed.
use Test::Nginx::Socket 'no_plan';

no_shuffle();
run_tests();

__DATA__

=== TEST 1: unknown directive inside llm_provider
--- http_config
    llm_provider p { type openai; url http://127.0.0.1:1/v1; models *; colour blue; }
--- config
--- must_die
--- error_log eval
qr/unknown directive "colour" in llm_provider, allowed: type, url, .* in .*nginx\.conf:\d+/



=== TEST 2: unknown provider type
--- http_config
    llm_provider p { type cohere; url http://127.0.0.1:1/v1; models *; }
--- config
--- must_die
--- error_log eval
qr/invalid provider type "cohere", allowed: openai, anthropic, azure, gemini, vertex, bedrock, mock in .*nginx\.conf:\d+/



=== TEST 3: url without a scheme
--- http_config
    llm_provider p { type openai; url api.openai.com/v1; models *; }
--- config
--- must_die
--- error_log eval
qr/invalid url "api.openai.com\/v1", allowed: http:\/\/HOST/



=== TEST 4: provider without url
--- http_config
    llm_provider p { type openai; models *; }
--- config
--- must_die
--- error_log eval
qr/llm_provider "p" has no "url"/



=== TEST 5: provider without models serves nothing: refused
--- http_config
    llm_provider p { type openai; url http://127.0.0.1:1/v1; }
--- config
--- must_die
--- error_log eval
qr/llm_provider "p" has no "models", allowed: names, \* or ~regex/



=== TEST 6: invalid timeouts parameter
--- http_config
    llm_provider p { type openai; url http://127.0.0.1:1/v1; models *; timeouts connect=5s ttft=3s; }
--- config
--- must_die
--- error_log eval
qr/invalid timeouts parameter "ttft=3s", allowed: connect=T send=T first_token=T idle=T/



=== TEST 7: invalid model regex
--- http_config
    llm_provider p { type openai; url http://127.0.0.1:1/v1; models ~^gpt-(4; }
--- config
--- must_die
--- error_log eval
qr/invalid model regex "~\^gpt-\(4"/



=== TEST 8: virtual key without a secret
--- http_config
    llm_virtual_key k { models *; }
--- config
--- must_die
--- error_log eval
qr/llm_virtual_key "k" has no "key" or "key_sha256"/



=== TEST 9: two virtual keys with one secret
--- http_config
    llm_virtual_key a { key sk-same; models *; }
    llm_virtual_key b { key sk-same; models *; }
--- config
--- must_die
--- error_log eval
qr/llm_virtual_key "(a|b)" and "(a|b)" have the same secret/



=== TEST 10: key_sha256 that is not 64 hex digits
--- http_config
    llm_virtual_key a { key_sha256 abc; models *; }
--- config
--- must_die
--- error_log eval
qr/invalid key_sha256 "abc", allowed: 64 hex digits/



=== TEST 11: unknown llm_gateway dialect
--- config
    location /v1/ { llm_gateway cohere; }
--- must_die
--- error_log eval
qr/invalid llm_gateway "cohere", allowed: openai, anthropic, gemini in .*nginx\.conf:\d+/



=== TEST 12: mock provider with an api_key
--- http_config
    llm_provider m { type mock; api_key sk-x; models *; }
--- config
--- must_die
--- error_log eval
qr/llm_provider "m" of type mock takes no "url" or "api_key"/



=== TEST 13: unknown directive in a virtual key
--- http_config
    llm_virtual_key a { key sk-a; models *; budgett 10 1d; }
--- config
--- must_die
--- error_log eval
qr/unknown directive "budgett" in llm_virtual_key, allowed: key, key_sha256, models, fallbacks, team, customer, budget, limit, metadata/



=== TEST 14: api_key file that does not exist
--- http_config
    llm_provider p { type openai; url http://127.0.0.1:1/v1; api_key file:/nonexistent/key; models *; }
--- config
--- must_die
--- error_log eval
qr/cannot open api_key file "\/nonexistent\/key"/



=== TEST 15: duplicate provider
--- http_config
    llm_provider p { type mock; models *; }
    llm_provider p { type mock; models *; }
--- config
--- must_die
--- error_log eval
qr/"llm_provider" directive is duplicate/



=== TEST 16: https provider with a missing CA file
--- http_config
    llm_ssl_trusted_certificate /nonexistent/ca.pem;
    llm_provider p { type openai; url https://127.0.0.1:1/v1; models *; }
--- config
--- must_die
--- error_log eval
qr/\/nonexistent\/ca\.pem/



=== TEST 17: a key fallback the key may not call
--- http_config
    llm_provider p { type mock; models a b; }
    llm_virtual_key k { key sk-k; models p/a; fallbacks p/b; }
--- config
--- must_die
--- error_log eval
qr/llm_virtual_key "k": fallback "p\/b" is not a model this key may call, in .*nginx\.conf:\d+/
