# Spend survives: a reload (the zone), an edit of the keys file with a
# reload (counters are kept by name), a graceful restart (the state file
# written at exit), a kill -9 (the periodic snapshot), and a corrupt or
# foreign state file is reported and ignored.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use LLMHelpers;

master_on();

my $root = $Test::Nginx::Socket::ServerRoot;
# workers drop root: the directory is theirs to write (as /var/lib/nginx)
my $state = "$root/state/llm.state";
system("mkdir -p $root/state && chmod 0777 $root/state");
my $keys = "$root/html/keys.json";

sub write_keys {
    my ($json) = @_;
    system("mkdir -p $root/html");
    open my $fh, '>', $keys or die $!;
    print $fh $json;
    close $fh;
}

# each request costs USD 0.019 (see t/081-budget-race.t)
my $conf = Test::Nginx::Socket::write_config({
    http_config => <<"_EOC_",
    llm_state_file $state interval=200ms;
    llm_price m input=1000 output=1000;
    llm_provider demo { type mock; models m; }
    llm_virtual_keys_file $keys;
_EOC_
    config => "    location /v1/ { llm_gateway openai; }\n"
              . "    location /llm/ { llm_admin; }\n",
});

my $body = '{"model":"m","max_tokens":10,'
           . '"messages":[{"role":"user","content":"hi"}]}';

sub chat {
    my ($key) = @_;
    my ($s) = Test::Nginx::Socket::http_request(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
        . "Connection: close\r\nAuthorization: Bearer $key\r\n"
        . "Content-Length: " . length($body) . "\r\n\r\n$body", 3);
    return $s;
}

sub used {
    my ($key) = @_;
    my ($s, $h, $b) = Test::Nginx::Socket::http_request(
        "GET /llm/usage?key=$key HTTP/1.1\r\nHost: x\r\n"
        . "Connection: close\r\n\r\n", 3);
    my ($u) = $b =~ /"window":"1d","limit":[\d.]+,"used":([\d.]+)/;
    return $u // "none: $b";
}

sub master_pid {
    my ($pid) = Test::Nginx::Socket::read_file("$root/logs/nginx.pid")
                =~ /(\d+)/;
    return $pid;
}

# the new workers answer once the old ones are gone (bounded)
sub reload {
    my $old = master_pid();
    my @workers = split ' ', `pgrep -P $old`;
    kill 'HUP', $old;
    for (1 .. 100) {
        select(undef, undef, undef, 0.05);
        last unless grep { kill 0, $_ } @workers;
    }
}

unlink $state;
write_keys('[{"name": "a", "key": "sk-a", "models": ["*"], '
           . '"budget": "1 1d"},'
           . ' {"name": "b", "key": "sk-b", "models": ["*"], '
           . '"budget": "1 1d"}]');

my ($ok, $out) = Test::Nginx::Socket::start_nginx($conf);
ok($ok, "nginx started") or diag($out);

is(chat("sk-a"), 200, "a spends") for 1 .. 2;
is(chat("sk-b"), 200, "b spends");
is(used("a"), '0.038', "a has spent two requests");

# --- a reload keeps the zone
reload();
is(used("a"), '0.038', "after a reload");

# --- the keys file edited: order changed, a key added, a budget raised
write_keys('[{"name": "c", "key": "sk-c", "models": ["*"], '
           . '"budget": "1 1d"},'
           . ' {"name": "b", "key": "sk-b", "models": ["*"], '
           . '"budget": "1 1d"},'
           . ' {"name": "a", "key": "sk-a", "models": ["*"], '
           . '"budget": "5 1d"}]');
reload();
my ($s, $h, $b) = Test::Nginx::Socket::http_request(
    "GET /llm/usage HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3);
like($b, qr/\{"name":"a","budgets":\[\{"window":"1d","limit":5\.00,"used":0\.038,/,
     "a keeps its spend under its new budget");
like($b, qr/\{"name":"b","budgets":\[\{"window":"1d","limit":1\.00,"used":0\.019,/,
     "b keeps its spend");
like($b, qr/\{"name":"c","budgets":\[\{"window":"1d","limit":1\.00,"used":0\.00,/,
     "the new key starts at zero");

# --- a graceful stop writes the file, a start reads it
Test::Nginx::Socket::stop_nginx();
like(Test::Nginx::Socket::read_file($state),
     qr/^# ngx_http_llm_module state 1\n(c \S+ \d+ \d+ \d+ \d+ \d+ \d+\n)+end \d+ [0-9a-f]{8}\n\z/,
     "the state file, as written at exit");
is(scalar(() = glob("$state.*")), 0, "no temporary file left");

($ok, $out) = Test::Nginx::Socket::start_nginx($conf);
ok($ok, "nginx started again") or diag($out);
is(used("a"), '0.038', "a's spend after a restart");
is(used("b"), '0.019', "b's spend after a restart");
like(Test::Nginx::Socket::read_file("$root/logs/error.log"),
     qr/llm_state_file ".*llm\.state": \d+ of \d+ counters restored/,
     "the restore is logged");

# --- kill -9: at most one interval is lost; here none (we wait for it)
is(chat("sk-a"), 200, "a spends once more");
select(undef, undef, undef, 0.6);

my $master = master_pid();
my @all = ($master, split ' ', `pgrep -P $master`);
kill 'KILL', @all;
for (1 .. 100) {
    last unless grep { kill 0, $_ } @all;
    select(undef, undef, undef, 0.05);
}
{
    # the harness must not signal the dead master
    no warnings 'once';
    undef $Test::Nginx::Socket::NginxPid;
    undef $Test::Nginx::Socket::RunningConfig;
}

($ok, $out) = Test::Nginx::Socket::start_nginx($conf);
ok($ok, "nginx started after kill -9") or diag($out);
is(used("a"), '0.057', "a's spend survived kill -9");

# --- a corrupt state file: reported, ignored, nginx runs
Test::Nginx::Socket::stop_nginx();
my $saved = Test::Nginx::Socket::read_file($state);
(my $bad = $saved) =~ s/ (\d+) (\d+) (\d+)\n/ $1 9$2 $3\n/;
open my $fh, '>', $state or die $!;
print $fh $bad;
close $fh;

($ok, $out) = Test::Nginx::Socket::start_nginx($conf);
ok($ok, "nginx starts with a corrupt state file") or diag($out);
like(Test::Nginx::Socket::read_file("$root/logs/error.log"),
     qr/\[error\] .*llm_state_file ".*llm\.state" is corrupt or not a state file \(line \d+\), ignored: counters start from zero/,
     "a corrupt file is reported");
is(used("a"), '0.00', "and ignored");

# --- a truncated and a foreign file
for my $case (['truncated', substr($saved, 0, length($saved) - 20)],
              ['foreign', "user nginx;\nworker_processes 4;\n"],
              ['empty', ''])
{
    Test::Nginx::Socket::stop_nginx();
    open my $fh, '>', $state or die $!;
    print $fh $case->[1];
    close $fh;

    ($ok, $out) = Test::Nginx::Socket::start_nginx($conf);
    ok($ok, "nginx starts with a $case->[0] state file") or diag($out);
    like(Test::Nginx::Socket::read_file("$root/logs/error.log"),
         qr/is corrupt or not a state file/, "a $case->[0] file is reported");
}

Test::Nginx::Socket::stop_nginx();
