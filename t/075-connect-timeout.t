# Failover on a connect timeout: the first provider's address is on a
# link whose other end is down, so its SYN is never answered (on loopback
# every connect completes).  Needs CAP_NET_ADMIN for a veth pair; skipped
# where it cannot be made.
use lib 't/lib';
use Test::Nginx::Socket;
use Time::HiRes qw(time);

my $dev = "llmct$$";
$dev = substr($dev, 0, 12);

if (system("ip link add $dev type veth peer name ${dev}p 2>/dev/null") != 0
    || system("ip addr add 10.213.0.1/30 dev $dev") != 0
    || system("ip link set $dev up") != 0)
{
    system("ip link del $dev 2>/dev/null");
    plan(skip_all => "cannot create a veth pair (needs CAP_NET_ADMIN)");
}

plan('no_plan');

END { system("ip link del $dev 2>/dev/null") if $dev }

my $port = $ENV{TEST_NGINX_RAND_PORT_1};
my $conf = Test::Nginx::Socket::write_config({
    http_config => <<"_EOC_",
    llm_provider dark {
        type openai;
        url http://10.213.0.2:8080/v1;
        models gpt-4o;
        weight 100;
        timeouts connect=300ms;
    }
    llm_provider good {
        type openai;
        url http://127.0.0.1:$port/v1;
        models gpt-4o;
        weight 0;
    }
    llm_virtual_key k { key sk-k; models *; }
    server {
        listen 127.0.0.1:$port;
        location / {
            default_type application/json;
            return 200 '{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}';
        }
    }
_EOC_
    config => "    location /v1/ { llm_gateway openai; "
              . "add_header X-Attempts \$llm_attempts always; }\n",
});

my ($ok, $out) = Test::Nginx::Socket::start_nginx($conf);
ok($ok, "nginx started") or diag($out);

my $body = '{"model":"gpt-4o","messages":[]}';
my $t0 = time;
my ($s, $h, $b) = Test::Nginx::Socket::http_request(
    "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    . "Authorization: Bearer sk-k\r\nContent-Length: " . length($body)
    . "\r\n\r\n$body", 5);
my $took = time - $t0;

is($s, 200, "served after the connect timeout");
is($h->{'x-llm-provider'}, 'good', "by the other provider");
is($h->{'x-attempts'}, 2, "in two attempts");
ok($took >= 0.3 && $took < 1.3, "within connect= plus a second ($took s)");
like(Test::Nginx::Socket::read_file(
         "$Test::Nginx::Socket::ServerRoot/logs/error.log"),
     qr/upstream timed out \(110: Connection timed out\) while connecting to upstream/,
     "nginx saw a connect timeout");

Test::Nginx::Socket::stop_nginx();
