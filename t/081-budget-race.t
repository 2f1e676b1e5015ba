# 100 requests at once at a key whose budget admits 10, across two
# workers: the reservations hold the cap, the rest get 402, and when all
# have finished no reservation or in-flight slot is left.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET;
use IO::Select;

workers(2);
master_on();

# the mock answers 9 prompt tokens ("hi" in one message) and 10 words;
# at USD 1000 per 1M tokens both ways each request is estimated
# (9 + max_tokens 10) x 0.001 = USD 0.019 and costs the same
my $conf = Test::Nginx::Socket::write_config({
    http_config => <<'_EOC_',
    llm_price m input=1000 output=1000;
    llm_provider demo { type mock; models m; latency 300ms; }
    llm_virtual_key k {
        key sk-k;
        models *;
        budget 0.19 1d;
        limit concurrency=1000 requests=100000/1d;
    }
_EOC_
    config => "    location /v1/ { llm_gateway openai; }\n"
              . "    location /llm/ { llm_admin; }\n",
});

my ($ok, $out) = Test::Nginx::Socket::start_nginx($conf);
ok($ok, "nginx started with two workers") or diag($out);

my $body = '{"model":"m","max_tokens":10,'
           . '"messages":[{"role":"user","content":"hi"}]}';
my $req = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
          . "Connection: close\r\nAuthorization: Bearer sk-k\r\n"
          . "Content-Length: " . length($body) . "\r\n\r\n$body";

# $n copies of a request at once; their raw answers
sub fire {
    my ($n, $req) = @_;
    my $port = $Test::Nginx::Socket::ServerPort;
    my (%resp, @socks);
    my $sel = IO::Select->new;

    for (1 .. $n) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $port, Proto => 'tcp')
            or die "connect: $!";
        push @socks, $s;
    }

    # every request is on the wire before the first answer can come back
    syswrite($_, $req) for @socks;
    $sel->add($_) for @socks;
    $resp{$_} = '' for @socks;

    my $deadline = time + 20;
    while ($sel->count && time < $deadline) {
        for my $s ($sel->can_read(1)) {
            my $got = sysread($s, $resp{$s}, 65536, length $resp{$s});
            if (!$got) {
                $sel->remove($s);
                close $s;
            }
        }
    }

    return values %resp;
}

my @resp = fire(100, $req);

my (%status, $bad);
for my $r (@resp) {
    my ($code) = $r =~ m{^HTTP/1\.1 (\d+)};
    $status{$code // 'none'}++;
    $bad++ if ($code // 0) == 402 && $r !~ /"code":"budget_exceeded"/;
}

is(($status{200} // 0) + ($status{402} // 0), 100,
   "every request got 200 or 402") or diag(explain(\%status));
is($status{200}, 10, "the budget admitted exactly 10") or diag(explain(\%status));
ok(!$bad, "each refusal is budget_exceeded");

my ($s, $h, $usage) = Test::Nginx::Socket::http_request(
    "GET /llm/usage?key=k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    3);
is($s, 200, "usage API");

my ($used, $reserved) = $usage =~
    /"budgets":\[\{"window":"1d","limit":0\.19,"used":([\d.]+),"reserved":([\d.]+)/;
ok(defined $used && $used <= 0.19 + 0.019,
   "charged $used: within the cap plus one request") or diag($usage);
is($used, '0.19', "charged the 10 admitted requests exactly");
is($reserved, '0.00', "no reservation left");
like($usage, qr/\{"type":"concurrency","limit":1000,"used":0,/,
     "no in-flight slot left");
like($usage, qr/\{"type":"requests","window":"1d","limit":100000,"used":10,/,
     "10 requests counted");


# concurrency: two slots, five at once; the slots come back afterwards
($ok, $out) = Test::Nginx::Socket::start_nginx(
    Test::Nginx::Socket::write_config({
        http_config => <<'_EOC_',
    llm_price m input=1 output=1;
    llm_provider demo { type mock; models m; latency 300ms; }
    llm_virtual_key k { key sk-k; models *; limit concurrency=2; }
_EOC_
        config => "    location /v1/ { llm_gateway openai; }\n"
                  . "    location /llm/ { llm_admin; }\n",
    }));
ok($ok, "nginx restarted with a concurrency limit") or diag($out);

my %c;
for my $r (fire(5, $req)) {
    my ($code) = $r =~ m{^HTTP/1\.1 (\d+)};
    $c{$code // 'none'}++;
    if (($code // 0) == 429) {
        like($r, qr/\r\nRetry-After: 1\r\n/, "429 with Retry-After: 1");
        like($r, qr/"message":"Concurrency limit: the key \\"k\\" allows 2 requests in flight; retry after 1 s\.","type":"rate_limit_error","param":null,"code":"concurrency_limit"/,
             "the concurrency error names the key and the limit");
    }
}
is($c{200}, 2, "two in flight") or diag(explain(\%c));
is($c{429}, 3, "three refused") or diag(explain(\%c));

($s, $h, $usage) = Test::Nginx::Socket::http_request(
    "GET /llm/usage?key=k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    3);
like($usage, qr/\{"type":"concurrency","limit":2,"used":0,"reserved":0,"remaining":2\}/,
     "both slots released");
