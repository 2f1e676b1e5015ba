# A cooldown set by one worker holds in the other: the provider is asked
# once, and every later request, whichever worker takes it, is refused
# without reaching it.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;

workers(2);
master_on();

my $port = $ENV{TEST_NGINX_RAND_PORT_1};

# only this run's provider hits are counted
unlink "$Test::Nginx::Socket::ServerRoot/logs/provider.log";

my ($ok, $out) = Test::Nginx::Socket::start_nginx(
    Test::Nginx::Socket::write_config({
        http_config => <<"_EOC_",
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
            add_header Retry-After 60 always;
            return 429;
        }
    }
_EOC_
        config => "    location /v1/ { llm_gateway openai; "
                  . "add_header X-Pid \$pid always; }\n",
    }));
ok($ok, "nginx started with two workers") or diag($out);

my $req = chat_request("sk-k", "gpt-4o");

my ($status, $h) = Test::Nginx::Socket::http_request($req, 3);
is($status, 429, "the provider's 429");
my $first = $h->{'x-pid'};

# until the other worker has answered too (bounded)
my (%pids, $all503);
$all503 = 1;
for (1 .. 200) {
    my ($s, $hh, $b) = Test::Nginx::Socket::http_request($req, 3);
    $all503 &&= ($s == 503 && $b =~ /No provider could be tried/);
    $pids{$hh->{'x-pid'} // ''}++;
    last if grep { $_ ne $first } keys %pids;
}

ok((grep { $_ ne $first } keys %pids), "a second worker answered")
    or diag(join ' ', %pids);
ok($all503, "every later request was refused as cooling down");

my $hits = lines("$Test::Nginx::Socket::ServerRoot/logs/provider.log");
is($hits, 1, "the provider was asked once");
