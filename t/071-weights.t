# A 70/30 weight split holds within 6 points over 600 requests.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;

my ($ok, $out) = Test::Nginx::Socket::start_nginx(
    Test::Nginx::Socket::write_config({
        http_config => <<'_EOC_',
    llm_provider seventy { type mock; models *; weight 70; }
    llm_provider thirty { type mock; models *; weight 30; }
    llm_virtual_key k { key sk-k; models *; }
_EOC_
        config => "    location /v1/ { llm_gateway openai; }\n",
    }));
ok($ok, "nginx started") or diag($out);

my $req = chat_request("sk-k", "m");

my %n;
for (1 .. 600) {
    my ($status, $h) = Test::Nginx::Socket::http_request($req, 3);
    $n{$h->{'x-llm-provider'} // 'none'}++;
}

my $share = 100 * ($n{seventy} // 0) / 600;
diag(sprintf "seventy %d, thirty %d: %.1f%%", $n{seventy} // 0,
             $n{thirty} // 0, $share);
is(($n{seventy} // 0) + ($n{thirty} // 0), 600, "every request answered");
cmp_ok(abs($share - 70), '<=', 6, "70/30 within 6 points");
