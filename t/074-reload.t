# Shared state survives a reload: a key cooled down before "nginx -s
# reload" is still cooling after it, in the new workers.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;

master_on();

my $port = $ENV{TEST_NGINX_RAND_PORT_1};
my $conf = Test::Nginx::Socket::write_config({
    http_config => <<"_EOC_",
    llm_zone llm 1m;
    llm_provider up {
        type openai;
        url http://127.0.0.1:$port/v1;
        models gpt-4o;
    }
    llm_virtual_key k { key sk-k; models *; }

    server {
        listen 127.0.0.1:$port;
        access_log logs/provider.log;
        location / {
            add_header Retry-After 120 always;
            return 429;
        }
    }
_EOC_
    config => "    location /v1/ { llm_gateway openai; "
              . "add_header X-Pid \$pid always; }\n",
});

# only this run's provider hits are counted
unlink "$Test::Nginx::Socket::ServerRoot/logs/provider.log";

my ($ok, $out) = Test::Nginx::Socket::start_nginx($conf);
ok($ok, "nginx started") or diag($out);

my $req = chat_request("sk-k", "gpt-4o");

my ($status, $h) = Test::Nginx::Socket::http_request($req, 3);
is($status, 429, "the provider's 429 cools it down");
my $old = $h->{'x-pid'};

my ($master) = Test::Nginx::Socket::read_file(
    "$Test::Nginx::Socket::ServerRoot/logs/nginx.pid") =~ /(\d+)/;
kill 'HUP', $master;

# the new worker answers once the old one is gone (bounded wait)
my ($s, $hh, $b);
for (1 .. 100) {
    select(undef, undef, undef, 0.05);
    ($s, $hh, $b) = Test::Nginx::Socket::http_request($req, 3);
    last if ($hh->{'x-pid'} // $old) ne $old;
}

isnt($hh->{'x-pid'} // $old, $old, "a new worker after the reload");
is($s, 503, "still cooling down after the reload");
like($b, qr/No provider could be tried/, "refused without asking it");

my $hits = lines("$Test::Nginx::Socket::ServerRoot/logs/provider.log");
is($hits, 1, "the provider was asked once");
