# Budgets, rate limits and concurrency on each tier (key, team, customer,
# provider), alone and together; prices; 402/429 bodies and headers.
# The provider answers with a fixed usage: 1000 prompt and 500 completion
# tokens; "m1" costs USD 1 / 2 per 1M tokens, so each answer costs
# USD 0.002, and the request's estimate (9 prompt tokens by size plus
# max_tokens 500) is USD 0.001009.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';

our $Provider = <<'_EOC_';
    llm_price m1 input=1 output=2;
    llm_provider up {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        models m1 m2;
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            default_type application/json;
            return 200 '{"id":"c1","object":"chat.completion","model":"m1","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}';
        }
    }
_EOC_

our $Req = 'POST /v1/chat/completions
{"model":"m1","max_tokens":500,"messages":[{"role":"user","content":"hello"}]}';

add_block_preprocessor(sub {
    my $block = shift;
    if (!defined $block->config) {
        $block->set_value('config',
            "    location /v1/ { llm_gateway openai; }\n"
            . "    location /llm/ { llm_admin; }\n");
    }
    if (!defined $block->more_headers && !defined $block->must_die) {
        $block->set_value('more_headers', 'Authorization: Bearer sk-k');
    }
});

run_tests();

__DATA__

=== TEST 1: a key's daily budget: two requests fit, the third is refused with 402
--- http_config eval
$::Provider . '    llm_virtual_key k { key sk-k; models *; budget 0.005 1d; }'
--- request eval
[$::Req, $::Req, $::Req]
--- error_code eval
[200, 200, 402]
--- response_body_like eval
['"usage"', '"usage"',
 qr/^\{"error":\{"message":"Budget exceeded: the key \\"k\\" budget of 0\.005 USD per day \(1d\) has 0\.001 USD left and this request may cost up to 0\.001009 USD; it resets at \d{4}-\d\d-\d\dT00:00:00Z\.","type":"insufficient_quota","param":null,"code":"budget_exceeded"\}\}\n$/]



=== TEST 2: the 402 carries x-llm-budget-reset: the next UTC midnight
--- http_config eval
$::Provider . '    llm_virtual_key k { key sk-k; models *; budget 0.001 1d; }'
--- request eval
$::Req
--- error_code: 402
--- response_headers_like
x-llm-budget-reset: ^\d{4}-\d\d-\d\dT00:00:00Z$
--- response_headers
! Retry-After



=== TEST 3: a team cap refuses a key that has room of its own
--- http_config eval
$::Provider . '
    llm_customer acme { budget 100 1M; }
    llm_team ml { customer acme; budget 0.003 1M; }
    llm_virtual_key k { key sk-k; models *; team ml; budget 100 1d; }'
--- request eval
[$::Req, $::Req]
--- error_code eval
[200, 402]
--- response_body_like eval
['"usage"', 'Budget exceeded: the team \\\\"ml\\\\" budget of 0\.003 USD per month \(1M\) has 0\.001 USD left']



=== TEST 4: a customer cap applies to its teams' keys and to keys of its own
--- http_config eval
$::Provider . '
    llm_customer acme { budget 0.004 1w; }
    llm_team ml { customer acme; }
    llm_virtual_key k { key sk-k; models *; team ml; }
    llm_virtual_key k2 { key sk-k2; models *; customer acme; }'
--- raw_request eval
my $body = '{"model":"m1","max_tokens":500,"messages":[{"role":"user","content":"hello"}]}';
[map { "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer $_\r\nContent-Length: " . length($body) . "\r\n\r\n$body" } qw(sk-k sk-k2 sk-k2 sk-k)]
--- error_code eval
[200, 200, 402, 402]
--- response_body_like eval
['"usage"', '"usage"', 'the customer \\\\"acme\\\\" budget of 0\.004 USD per week \(1w\) has 0\.00 USD left', 'customer']



=== TEST 5: requests per minute: 429 with Retry-After and the limit named
--- http_config eval
$::Provider . '    llm_virtual_key k { key sk-k; models *; limit requests=2/1m; }'
--- request eval
[$::Req, $::Req, $::Req]
--- error_code eval
[200, 200, 429]
--- response_body_like eval
['"usage"', '"usage"',
 qr/^\{"error":\{"message":"Rate limit: the key \\"k\\" allows 2 requests per minute \(1m\); 2 used or reserved, this request needs 1; retry after \d+ s\.","type":"rate_limit_error","param":null,"code":"requests_limit"\}\}\n$/]



=== TEST 6: x-ratelimit headers on a success: limit, remaining, reset
--- http_config eval
$::Provider . '    llm_virtual_key k { key sk-k; models *; limit requests=5/1h tokens=100000/1d; }'
--- request eval
$::Req
--- response_headers
x-ratelimit-limit-requests: 5
x-ratelimit-remaining-requests: 4
x-ratelimit-limit-tokens: 100000
x-ratelimit-remaining-tokens: 99491
--- response_headers_like
x-ratelimit-reset-requests: ^\d+s$
x-ratelimit-reset-tokens: ^\d+s$



=== TEST 7: a 429 for requests: Retry-After within the window, remaining 0
--- http_config eval
$::Provider . '    llm_virtual_key k { key sk-k; models *; limit requests=1/1h; }'
--- request eval
[$::Req, $::Req]
--- error_code eval
[200, 429]
--- response_headers_like
x-ratelimit-limit-requests: ^1$
x-ratelimit-remaining-requests: ^0$



=== TEST 8: Retry-After is the seconds left in the window (same nginx: counted on)
--- http_config eval
$::Provider . '    llm_virtual_key k { key sk-k; models *; limit requests=1/1h; }'
--- request eval
$::Req
--- error_code: 429
--- response_headers_like
Retry-After: ^([1-9]\d{0,2}|[1-2]\d{3}|3[0-5]\d\d|3600)$



=== TEST 9: tokens per hour count the reported usage: the second request no longer fits
--- http_config eval
$::Provider . '    llm_virtual_key k { key sk-k; models *; limit tokens=1600/1h; }'
--- request eval
[$::Req, $::Req]
--- error_code eval
[200, 429]
--- response_body_like eval
['"usage"', 'allows 1600 tokens per hour \(1h\); 1500 used or reserved, this request needs 509;.*"code":"tokens_limit"']



=== TEST 10: concurrency slots are released: sequential requests all pass
--- http_config eval
$::Provider . '    llm_virtual_key k { key sk-k; models *; limit concurrency=1; }'
--- request eval
[$::Req, $::Req, $::Req]
--- error_code eval
[200, 200, 200]



=== TEST 11: a provider over its own budget is skipped, another serves
--- http_config eval
$::Provider . '
    llm_provider cheap {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        models m1;
        weight 100;
        budget 0.001 1d;
    }
    llm_virtual_key k { key sk-k; models *; }'
--- request eval
$::Req
--- response_headers
x-llm-provider: up



=== TEST 12: every provider over its limits: the provider tier is named
--- http_config eval
'    llm_price m1 input=1 output=2;
    llm_provider only {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        models m1;
        budget 0.001 1d;
    }
    llm_virtual_key k { key sk-k; models *; }'
--- request eval
$::Req
--- error_code: 402
--- response_body_like eval
qr/the provider \\"only\\" budget of 0\.001 USD per day \(1d\) has 0\.001 USD left and this request may cost up to 0\.001009 USD/



=== TEST 13: a model without a price is refused, never charged zero
--- http_config eval
$::Provider . '    llm_virtual_key k { key sk-k; models *; }'
--- request
POST /v1/chat/completions
{"model":"m2","messages":[{"role":"user","content":"hello"}]}
--- error_code: 403
--- response_body
{"error":{"message":"The model \"m2\" has no price, so its cost could not be counted; the gateway's operator can add one with llm_price.","type":"permission_error","param":null,"code":"model_not_priced"}}



=== TEST 14: a default price serves unlisted models
--- http_config eval
$::Provider . '    llm_price default input=0.5 output=0.5;
    llm_virtual_key k { key sk-k; models *; }'
--- request
POST /v1/chat/completions
{"model":"m2","messages":[{"role":"user","content":"hello"}]}
--- error_code: 200



=== TEST 15: the bundled table prices well-known models (gpt-4o-mini, dated)
--- http_config
    llm_provider up {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        models *;
    }
    llm_virtual_key k { key sk-k; models *; }
    log_format cost '$llm_model cost=$llm_cost';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            default_type application/json;
            return 200 '{"id":"c1","object":"chat.completion","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":100,"total_tokens":1100,"prompt_tokens_details":{"cached_tokens":400}}}';
        }
    }
--- config
    location /v1/ { llm_gateway openai; access_log logs/error.log cost; }
--- request
POST /v1/chat/completions
{"model":"gpt-4o-mini-2024-07-18","messages":[]}
--- error_code: 200
--- error_log
gpt-4o-mini-2024-07-18 cost=0.00018



=== TEST 16: variables: cost, customer, team, metadata of every tier
--- http_config eval
$::Provider . '
    llm_customer acme { metadata billing=ACME-7; }
    llm_team ml { customer acme; metadata owner=ml-lead; }
    llm_virtual_key k { key sk-k; models *; team ml; metadata env=prod; }
    log_format gov "c=$llm_cost cu=$llm_customer te=$llm_team b=$llm_meta_billing o=$llm_meta_owner e=$llm_meta_env u=$llm_usage_source";'
--- config
    location /v1/ { llm_gateway openai; access_log logs/error.log gov; }
--- request eval
$::Req
--- error_code: 200
--- error_log
c=0.002 cu=acme te=ml b=ACME-7 o=ml-lead e=prod u=reported



=== TEST 17: $llm_limit_reason names what refused the request
--- http_config eval
$::Provider . '    llm_virtual_key k { key sk-k; models *; limit requests=1/1h; }
    log_format gov "reason=$llm_limit_reason";'
--- config
    location /v1/ { llm_gateway openai; access_log logs/error.log gov; }
--- request eval
[$::Req, $::Req]
--- error_code eval
[200, 429]
--- error_log
reason=requests key k 1h



=== TEST 18: an alert threshold: a warning header and one log line per window
--- http_config eval
$::Provider . '    llm_virtual_key k { key sk-k; models *; budget 0.006 1d alert=60%; }'
--- request eval
[$::Req, $::Req, $::Req]
--- error_code eval
[200, 200, 200]
--- error_log eval
qr/\[warn\] .*llm: key "k" has spent 66% of its 1d budget \(0\.004 of 0\.006 USD\), past its alert at 60%/



=== TEST 19: the next request carries x-llm-budget-warning (same nginx, same counters)
--- http_config eval
$::Provider . '    llm_virtual_key k { key sk-k; models *; budget 0.006 1d alert=60%; }'
--- request eval
$::Req
--- error_code: 402
--- response_headers
x-llm-budget-warning: key k 1d budget at 100% (0.006 of 0.006 USD)
--- no_error_log
has spent



=== TEST 20: the usage API: limits, use, reservations, windows
--- http_config eval
$::Provider . '
    llm_customer acme { budget 10 1M alert=80%; }
    llm_team ml { customer acme; limit requests=100/1h; }
    llm_virtual_key k { key sk-k; models *; team ml; budget 0.5 1d; limit tokens=100000/1d concurrency=4; }
    llm_virtual_key other { key sk-o; models *; }'
--- request eval
[$::Req, "GET /llm/usage?key=k"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"usage"',
 qr/^\{"time":"[^"]+","prices_date":"\d{4}-\d\d-\d\d","customers":\[\],"teams":\[\],"keys":\[\{"name":"k","team":"ml","customer":"acme","budgets":\[\{"window":"1d","limit":0\.50,"used":0\.002,"reserved":0\.00,"remaining":0\.498,"window_start":"\d{4}-\d\d-\d\dT00:00:00Z","resets_at":"\d{4}-\d\d-\d\dT00:00:00Z"\}\],"limits":\[\{"type":"tokens","window":"1d","limit":100000,"used":1500,"reserved":0,"remaining":98500,"window_start":"[^"]+","resets_at":"[^"]+"\},\{"type":"concurrency","limit":4,"used":0,"reserved":0,"remaining":4\}\]\}\],"providers":\[\]\}\n$/]



=== TEST 21: the usage API by customer: the customer, its teams and keys
--- http_config eval
$::Provider . '
    llm_customer acme { budget 10 1M alert=80%; }
    llm_customer other { budget 1 1M; }
    llm_team ml { customer acme; limit requests=100/1h; }
    llm_virtual_key k { key sk-k; models *; team ml; }
    llm_virtual_key o { key sk-o; models *; customer other; }'
--- request eval
[$::Req, "GET /llm/usage?customer=acme"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"usage"',
 qr/"customers":\[\{"name":"acme","budgets":\[\{"window":"1M","limit":10\.00,"used":0\.002,"reserved":0\.00,"remaining":9\.998,"window_start":"\d{4}-\d\d-01T00:00:00Z","resets_at":"\d{4}-\d\d-01T00:00:00Z","alert_percent":80\}\],"limits":\[\]\}\],"teams":\[\{"name":"ml","customer":"acme","budgets":\[\],"limits":\[\{"type":"requests","window":"1h","limit":100,"used":1,"reserved":0,"remaining":99,[^\]]+\]\}\],"keys":\[\{"name":"k","team":"ml","customer":"acme","budgets":\[\],"limits":\[\]\}\],"providers":\[\]\}/]



=== TEST 22: the usage API lists providers unfiltered
--- http_config eval
$::Provider . '
    llm_provider capped { type mock; models x; budget 5 1d; limit requests=10/1m; }
    llm_virtual_key k { key sk-k; models *; }'
--- request
GET /llm/usage
--- response_body_like eval
qr/"providers":\[\{"name":"up","budgets":\[\],"limits":\[\]\},\{"name":"capped","budgets":\[\{"window":"1d","limit":5\.00,"used":0\.00,"reserved":0\.00,"remaining":5\.00,[^\]]+\],"limits":\[\{"type":"requests","window":"1m","limit":10,"used":0,/



=== TEST 23: keys from llm_virtual_keys_file: budgets, limits, team, metadata
--- http_config eval
$::Provider . '
    llm_customer acme { }
    llm_team ml { customer acme; }
    llm_virtual_keys_file $TEST_NGINX_SERVER_ROOT/html/keys.json;
    log_format gov "key=$llm_virtual_key team=$llm_team env=$llm_meta_env";'
--- config
    location /v1/ { llm_gateway openai; access_log logs/error.log gov; }
--- user_files
>>> keys.json
{"keys": [
  {"name": "t1", "key": "sk-k", "team": "ml", "models": ["up/*"],
   "budget": ["0.003 1d", "1 1M alert=50%"], "limit": "requests=10/1m",
   "metadata": {"env": "prod"}},
  {"name": "t2", "key_sha256": "0000000000000000000000000000000000000000000000000000000000000000",
   "models": "m1"}
]}
--- request eval
[$::Req, $::Req]
--- error_code eval
[200, 402]
--- error_log
key=t1 team=ml env=prod



=== TEST 24: a stream is charged from its streamed usage
--- http_config
    llm_price m1 input=1 output=2;
    llm_provider up {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        models m1;
    }
    llm_virtual_key k { key sk-k; models *; budget 1 1d; }
    log_format gov "c=$llm_cost u=$llm_usage_source p=$llm_prompt_tokens";
--- config
    location /v1/ { llm_gateway openai; access_log logs/error.log gov; }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
my $b = qq(data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n)
. qq(data: {"choices":[],"usage":{"prompt_tokens":2000,"completion_tokens":1000,"total_tokens":3000}}\n\n)
. "data: [DONE]\n\n";
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " . length($b) . "\r\n\r\n$b"
--- request
POST /v1/chat/completions
{"model":"m1","stream":true,"stream_options":{"include_usage":true},"messages":[]}
--- response_body_like
\[DONE\]
--- error_log
c=0.004 u=reported p=2000



=== TEST 25: a stream cut before its usage is charged by estimate, marked so
--- http_config
    llm_price m1 input=1000 output=1000;
    llm_provider up {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        models m1;
    }
    llm_virtual_key k { key sk-k; models *; budget 1 1d; }
    log_format gov "c=$llm_cost u=$llm_usage_source";
--- config
    location /v1/ { llm_gateway openai; access_log logs/error.log gov; }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
. "40\r\n" . qq(data: {"choices":[{"index":0,"delta":{"content":"12345678"}}]}\n\n) . "\r\n"
--- request
POST /v1/chat/completions
{"model":"m1","stream":true,"max_tokens":10,"messages":[]}
--- response_body_like eval
qr/"code":"stream_interrupted"/
--- error_log eval
qr/c=0\.00[1-9]\d* u=estimated/



=== TEST 26: config: a budget window outside the set fails nginx -t, naming what is allowed
--- http_config
    llm_virtual_key k { key sk-k; models *; budget 10 2d; }
--- must_die
--- error_log eval
qr/invalid budget window "2d", allowed: 1m 5m 1h 1d 1w 1M 1Y in .*nginx\.conf:\d+/



=== TEST 27: config: a budget amount that is not a plain decimal
--- http_config
    llm_customer c { budget 1e3 1M; }
--- must_die
--- error_log eval
qr/invalid budget amount "1e3", allowed: USD such as 500 or 0\.25 in .*nginx\.conf:\d+/



=== TEST 28: config: an alert outside 1..100%
--- http_config
    llm_customer c { budget 10 1M alert=150%; }
--- must_die
--- error_log eval
qr/invalid budget "alert=150%", allowed: alert=N% with N from 1 to 100/



=== TEST 29: config: an unknown limit
--- http_config
    llm_virtual_key k { key sk-k; models *; limit rpm=10; }
--- must_die
--- error_log eval
qr/invalid limit "rpm=10", allowed: requests=N\/WINDOW tokens=N\/WINDOW concurrency=N/



=== TEST 30: config: a limit without its window
--- http_config
    llm_virtual_key k { key sk-k; models *; limit requests=10; }
--- must_die
--- error_log eval
qr/invalid limit "requests=10"/



=== TEST 31: config: two budgets for one window
--- http_config
    llm_virtual_key k { key sk-k; models *; budget 10 1d; budget 20 1d; }
--- must_die
--- error_log eval
qr/key "k" has two budget limits for the same window/



=== TEST 32: config: a key of an unknown team
--- http_config
    llm_virtual_key k { key sk-k; models *; team ghosts; }
--- must_die
--- error_log eval
qr/llm_virtual_key "k" names an unknown team "ghosts" in .*nginx\.conf:\d+/



=== TEST 33: config: a team needs its customer
--- http_config
    llm_team ml { budget 1 1d; }
--- must_die
--- error_log eval
qr/llm_team "ml" needs "customer"/



=== TEST 34: config: a key's customer must be its team's
--- http_config
    llm_customer a { }
    llm_customer b { }
    llm_team ml { customer a; }
    llm_virtual_key k { key sk-k; models *; team ml; customer b; }
--- must_die
--- error_log eval
qr/llm_virtual_key "k" names another team's customer "b"/



=== TEST 35: config: an invalid price
--- http_config
    llm_price m1 input=1 outptu=2;
--- must_die
--- error_log eval
qr/invalid llm_price "outptu=2", allowed: input=USD output=USD cache_read=USD cache_write=USD/



=== TEST 36: config: a keys file that is not JSON
--- http_config
    llm_virtual_keys_file $TEST_NGINX_SERVER_ROOT/html/bad.json;
--- user_files
>>> bad.json
{"keys": [ {"name": "t1", 
--- must_die
--- error_log eval
qr/llm_virtual_keys_file ".*bad\.json" is not a JSON array of keys/



=== TEST 37: config: a keys file entry with a bad field names the key and the field
--- http_config
    llm_virtual_keys_file $TEST_NGINX_SERVER_ROOT/html/keys.json;
--- user_files
>>> keys.json
[{"name": "t1", "key": "sk-1", "models": ["*"], "budget": "10 2d"}]
--- must_die
--- error_log eval
qr/invalid budget window "2d".*\n.*llm_virtual_keys_file ".*keys\.json": invalid "budget" of key "t1"/



=== TEST 38: config: a key name twice, across the file and a block
--- http_config
    llm_virtual_key t1 { key sk-0; models *; }
    llm_virtual_keys_file $TEST_NGINX_SERVER_ROOT/html/keys.json;
--- user_files
>>> keys.json
[{"name": "t1", "key": "sk-1", "models": ["*"]}]
--- must_die
--- error_log eval
qr/llm_virtual_key "t1" is duplicate/



=== TEST 39: config: the pricing file overrides the bundled table
--- http_config
    llm_pricing $TEST_NGINX_SERVER_ROOT/html/prices.json;
    llm_provider up {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1;
        models *;
    }
    llm_virtual_key k { key sk-k; models *; }
    log_format cost '$llm_model cost=$llm_cost';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            default_type application/json;
            return 200 '{"choices":[],"usage":{"prompt_tokens":1000000,"completion_tokens":1000000}}';
        }
    }
--- user_files
>>> prices.json
{"date": "2026-11-01", "models": {"gpt-4o": {"input": 1.5, "output": 3},
 "mine*": {"input": 0.1, "output": 0.2}}}
--- config
    location /v1/ { llm_gateway openai; access_log logs/error.log cost; }
--- request eval
['POST /v1/chat/completions
{"model":"gpt-4o","messages":[]}', 'POST /v1/chat/completions
{"model":"mine-7b","messages":[]}']
--- error_log
gpt-4o cost=4.50
mine-7b cost=0.30



=== TEST 40: config: a pricing file with a bad price
--- http_config
    llm_pricing $TEST_NGINX_SERVER_ROOT/html/prices.json;
--- user_files
>>> prices.json
{"models": {"gpt-4o": {"input": "cheap", "output": 3}}}
--- must_die
--- error_log eval
qr/llm_pricing ".*prices\.json": invalid price of "gpt-4o", allowed:/



=== TEST 41: a failover moves the provider-tier slot: the failed provider's is released
--- http_config eval
# "up" a backup (weight 0): flaky is drawn first every time, not 100 in 101
($::Provider =~ s/models m1 m2;/models m1 m2;\n        weight 0;/r) . '
    llm_provider flaky {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1;
        models m1;
        weight 100;
        limit concurrency=1 requests=100/1h;
        circuit_breaker off;
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location / { return 500; }
    }
    llm_virtual_key k { key sk-k; models *; limit concurrency=1; }'
--- request eval
[$::Req, $::Req, "GET /llm/usage?provider=flaky"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"usage"', '"usage"',
 qr/"providers":\[\{"name":"flaky","budgets":\[\],"limits":\[\{"type":"concurrency","limit":1,"used":0,"reserved":0,"remaining":1\},\{"type":"requests","window":"1h","limit":100,"used":2,/]



=== TEST 42: every provider fails: the slot and the reservation come back
--- http_config
    llm_price m1 input=1 output=2;
    llm_provider down {
        type openai;
        url http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/v1;
        models m1;
        circuit_breaker off;
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location / { return 503; }
    }
    llm_virtual_key k { key sk-k; models *; budget 0.0015 1d; limit concurrency=1; }
--- request eval
[$::Req, $::Req, "GET /llm/usage?key=k"]
--- error_code eval
[502, 502, 200]
--- response_body_like eval
['"code":"upstream_failed"', '"code":"upstream_failed"',
 qr/"budgets":\[\{"window":"1d","limit":0\.0015,"used":0\.00,"reserved":0\.00,"remaining":0\.0015,.*\{"type":"concurrency","limit":1,"used":0,/]



=== TEST 43: a client that gives up: its slot and reservation come back
--- http_config
    llm_price m1 input=1 output=2;
    llm_provider slow { type mock; models m1; latency 1s; }
    llm_virtual_key k { key sk-k; models *; budget 0.0015 1d; limit concurrency=1; }
--- request eval
$::Req
--- timeout: 200ms
--- abort
--- wait: 1.3



=== TEST 44: the same nginx, after the abort: nothing held
--- http_config
    llm_price m1 input=1 output=2;
    llm_provider slow { type mock; models m1; latency 1s; }
    llm_virtual_key k { key sk-k; models *; budget 0.0015 1d; limit concurrency=1; }
--- request
GET /llm/usage?key=k
--- response_body_like eval
qr/"budgets":\[\{"window":"1d","limit":0\.0015,"used":[\d.]+,"reserved":0\.00,.*\{"type":"concurrency","limit":1,"used":0,/
