package Test::Nginx::Socket;

# A Test::Nginx::Socket-compatible harness on Debian's Test::Base.
#
# The real Test::Nginx lives on CPAN only; this implements the subset of its
# block format the suite uses, with the same section names and meanings, so
# the .t files also run under the real one:
#
#   http_config config main_config user_files
#   request (string, or eval returning a string or an array of them)
#   raw_request raw_request_middle_delay more_headers timeout abort wait
#   must_die
#   error_code response_body response_body_like
#   response_headers response_headers_like
#   error_log no_error_log (lines, or eval with strings and qr//)
#   tcp_listen tcp_reply tcp_reply_delay tcp_query tcp_query_len
#   tcp_no_close tcp_query_sub (ours: eval returning a sub that gets the
#   first request received and all of them in order, and returns the
#   first one expected, or a list of (got, expected) pairs; for bytes
#   that depend on the time, such as a request signature)
#
# Differences, all supersets: the embedded TCP server reads a whole HTTP
# request (by Content-Length) instead of one recv() when no tcp_query_len
# is given, keeps accepting connections (each gets the same reply) until
# the block ends, and pauses 20 ms between the parts of an array reply so
# that they reach nginx in separate reads.

use Test::Base -Base;

use Cwd qw(cwd);
use IO::Socket::INET;
use IO::Select;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);
use File::Path qw(make_path remove_tree);

our @EXPORT = qw(
    run_tests repeat_each no_shuffle workers master_on master_off
    log_level check_accum_error_log no_long_string no_root_location
    env_to_nginx add_block_preprocessor server_port server_root html_dir
    $ServerPort $ServerRoot
);

our $RepeatEach = 1;
our $Workers = 1;
our $MasterProcess = 'off';
our $LogLevel = 'debug';
our $AccumErrorLog = 0;
our @EnvToNginx;
our @BlockPreprocessors;
our $NoRootLocation = 0;

our $Cwd = cwd();
our $ServerRoot = "$Cwd/t/servroot";
our $CertDir = "$Cwd/t/servroot-cert";
# the server port and $TEST_NGINX_RAND_PORT_N, chosen once per file so
# that eval sections (filtered before any block runs) see the same values;
# all distinct (each socket is held until every port is chosen) and below
# the kernel's ephemeral range, so no outgoing connection takes one later
my @Held;
our $ServerPort = $ENV{TEST_NGINX_PORT} || free_port();
$ENV{"TEST_NGINX_RAND_PORT_$_"} ||= free_port() for 1 .. 20;
close $_ for @Held;
@Held = ();
our $Binary = $ENV{TEST_NGINX_BINARY} || 'nginx';

my $RunningConfig;
my $NginxPid;
my $TcpPid;

sub repeat_each (@) { $RepeatEach = shift if @_; return $RepeatEach }
sub no_shuffle () { }
sub workers ($) { $Workers = shift }
sub master_on () { $MasterProcess = 'on' }
sub master_off () { $MasterProcess = 'off' }
sub log_level ($) { $LogLevel = shift }
sub check_accum_error_log () { $AccumErrorLog = 1 }
sub no_long_string () { }
sub no_root_location () { $NoRootLocation = 1 }
sub env_to_nginx (@) { push @EnvToNginx, @_ }
sub add_block_preprocessor (&) { push @BlockPreprocessors, shift }
sub server_port () { $ServerPort }
sub server_root () { $ServerRoot }
sub html_dir () { "$ServerRoot/html" }

sub free_port () {
    my ($lo) = (eval {
        open my $f, '<', '/proc/sys/net/ipv4/ip_local_port_range' or die;
        split ' ', scalar <$f>;
    } || 32768);
    $lo = 12000 if $lo < 12000;

    for (1 .. 1000) {
        my $port = 10000 + int(rand($lo - 10000));
        my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                      LocalPort => $port, Proto => 'tcp',
                                      ReuseAddr => 1)
            or next;
        push @Held, $s;
        return $port;
    }
    die "cannot find a free port: $!\n";
}

# a test CA and a certificate for localhost / 127.0.0.1, made once
sub make_certs () {
    return if -f "$CertDir/server.crt";
    make_path($CertDir);
    my $q = "2>/dev/null";
    my $ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    system("cd $CertDir && "
        . "openssl req -x509 $ec -keyout ca.key -out ca.crt -days 3650 "
        . "-subj /CN=llm-test-ca $q && "
        . "openssl req $ec -keyout server.key -out server.csr "
        . "-subj /CN=localhost $q && "
        . "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext && "
        . "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key "
        . "-CAcreateserial -out server.crt -days 3650 -extfile san.ext $q")
        == 0 or die "cannot make test certificates\n";
}

sub expand ($$) {
    my ($text, $ports) = @_;
    return $text unless defined $text;
    $text =~ s/\$(TEST_NGINX_[A-Z0-9_]+)/
        defined $ENV{$1} ? $ENV{$1} : die "\$$1 is not set\n"/ge;
    return $text;
}

sub write_config ($) {
    my ($block) = @_;

    my $modules = '';
    for my $m (split ' ', $ENV{TEST_NGINX_LOAD_MODULES} || '') {
        $modules .= "load_module $m;\n";
    }

    # a block, or a plain hash of sections (t/060-sdk.t drives SDKs)
    my $sec = sub {
        my $name = shift;
        return (ref $block eq 'HASH' ? $block->{$name} : $block->$name)
               // '';
    };

    my $env = join '', map { "env $_;\n" } @EnvToNginx;
    my $main = $sec->('main_config');
    my $http = $sec->('http_config');
    my $config = $sec->('config');
    my $root = $NoRootLocation ? ''
             : "        location = /__harness { return 204; }\n";

    return <<"CONF";
$modules
worker_processes $Workers;
daemon on;
master_process $MasterProcess;
error_log logs/error.log $LogLevel;
pid logs/nginx.pid;
$env
$main

http {
    access_log logs/access.log;
    default_type text/plain;
    keepalive_timeout 68;
    client_body_temp_path tmp/client_body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;

$http

    server {
        listen 127.0.0.1:$ServerPort;
        server_name localhost;
        client_max_body_size 30M;
$root
$config
    }
}

events {
    accept_mutex off;
    worker_connections 1024;
}
CONF
}

sub stop_nginx () {
    return unless $NginxPid;
    kill 'QUIT', $NginxPid;
    for (1 .. 300) {
        last unless kill 0, $NginxPid;
        sleep 0.05;
    }
    kill 'KILL', $NginxPid if kill 0, $NginxPid;
    undef $NginxPid;
    undef $RunningConfig;
}

sub read_file ($) {
    my $f = shift;
    open my $fh, '<', $f or return '';
    local $/;
    my $s = <$fh>;
    return $s // '';
}

# returns (started, startup output)
sub start_nginx ($) {
    my ($conf) = @_;

    stop_nginx();

    make_path(map { "$ServerRoot/$_" } qw(conf logs html tmp));
    open my $fh, '>', "$ServerRoot/conf/nginx.conf" or die $!;
    print $fh $conf;
    close $fh;
    unlink "$ServerRoot/logs/nginx.pid";

    # a restarted nginx starts a fresh log: a block sees its startup lines
    unlink "$ServerRoot/logs/error.log";

    # e.g. libasan for a module built with AddressSanitizer
    my $pre = $ENV{TEST_NGINX_LD_PRELOAD}
              ? "LD_PRELOAD=$ENV{TEST_NGINX_LD_PRELOAD} " : '';

    # -e: startup messages land in the log the block checks
    my $out = `$pre$Binary -p $ServerRoot/ -c conf/nginx.conf -e logs/error.log 2>&1`;
    my $rc = $?;

    if ($rc != 0) {
        return (0, $out);
    }

    for (1 .. 200) {
        my $pid = read_file("$ServerRoot/logs/nginx.pid");
        if ($pid =~ /(\d+)/) {
            $NginxPid = $1;
            my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                          PeerPort => $ServerPort,
                                          Proto => 'tcp');
            if ($s) {
                close $s;
                $RunningConfig = $conf;
                return (1, $out);
            }
        }
        sleep 0.025;
    }

    return (0, $out . "\nnginx did not start listening\n");
}

sub start_tcp_server ($$) {
    my ($block, $ports) = @_;

    my $port = expand($block->tcp_listen, $ports);
    my $reply = $block->tcp_reply;
    my $len = $block->tcp_query_len;
    $len = length($block->tcp_query) if !defined $len
                                        && defined $block->tcp_query;
    my $delay = $block->tcp_reply_delay;
    if (defined $delay) {
        $delay =~ s/ms$// ? ($delay /= 1000) : ($delay =~ s/s$//);
    }
    my $query_file = "$ServerRoot/logs/tcp_query";
    unlink $query_file, glob("$query_file.*");

    my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                       LocalPort => $port, Listen => 16,
                                       Proto => 'tcp', ReuseAddr => 1)
        or die "tcp_listen $port: $!\n";

    my $pid = fork();
    die "fork: $!\n" unless defined $pid;

    if ($pid) {
        close $listen;
        return ($pid, $query_file);
    }

    Test::More->builder->no_ending(1);
    my $first = 1;
    my $n = 0;

    while (my $c = $listen->accept) {
        my $buf = '';
        my $sel = IO::Select->new($c);

        while ($sel->can_read(1)) {
            my $n = sysread($c, $buf, 65536, length $buf);
            last unless $n;
            if (defined $len) {
                last if length($buf) >= $len;
                next;
            }
            if ($buf =~ /\r\n\r\n/s) {
                my ($h) = $buf =~ /^(.*?\r\n\r\n)/s;
                my ($cl) = $h =~ /^Content-Length:\s*(\d+)/mi;
                last if length($buf) >= length($h) + ($cl // 0);
            }
        }

        # each connection's request, in order, for tcp_query_sub
        $n++;
        open my $q, '>', "$query_file.tmp";
        print $q $buf;
        close $q;
        rename "$query_file.tmp", "$query_file.$n";

        if ($first) {
            open $q, '>', "$query_file.tmp";
            print $q $buf;
            close $q;
            rename "$query_file.tmp", $query_file;
            $first = 0;
        }

        sleep $delay if $delay;

        my $r = $reply;
        $r = $r->($buf) if ref $r eq 'CODE';
        my @parts = ref $r eq 'ARRAY' ? @$r : ($r);

        for my $i (0 .. $#parts) {
            sleep 0.02 if $i;
            my $data = $parts[$i];
            while (length $data) {
                my $n = syswrite($c, $data);
                last unless defined $n;
                substr($data, 0, $n) = '';
            }
        }

        if (defined $block->tcp_no_close) {
            sleep 1 while 1;
        }

        close $c;
    }

    POSIX::_exit(0);
}

sub stop_tcp_server () {
    return unless $TcpPid;
    kill 'KILL', $TcpPid;
    waitpid $TcpPid, 0;
    undef $TcpPid;
}

sub build_request ($$) {
    my ($block, $req) = @_;

    $req =~ s/^\s+//;
    my ($line, $body) = split /\n/, $req, 2;
    $body //= '';

    my ($meth, $uri, $ver) = split ' ', $line;
    $uri //= '/';
    $ver //= 'HTTP/1.1';

    my $headers = "Host: localhost\r\nConnection: close\r\n";
    my $more = $block->more_headers // '';
    my $chunked = 0;
    for my $h (split /\n/, $more) {
        next unless $h =~ /\S/;
        $chunked = 1 if $h =~ /^Transfer-Encoding\s*:\s*chunked/i;
        $headers .= "$h\r\n";
    }

    if (length $body && !$chunked) {
        $headers .= "Content-Length: " . length($body) . "\r\n";
    }

    return "$meth $uri $ver\r\n$headers\r\n$body";
}

# returns ($status, \%headers, $body, $error)
sub http_request ($$;$) {
    my ($raw, $timeout, $delay) = @_;

    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $ServerPort, Proto => 'tcp',
                                  Timeout => $timeout)
        or return (undef, {}, '', "connect: $!");

    my @parts = ref $raw eq 'ARRAY' ? @$raw : ($raw);
    for my $i (0 .. $#parts) {
        sleep $delay if $i;
        my $sent = 0;
        while ($sent < length $parts[$i]) {
            my $n = syswrite($s, $parts[$i], length($parts[$i]) - $sent,
                             $sent);
            last unless defined $n;
            $sent += $n;
        }
    }

    my $resp = '';
    my $sel = IO::Select->new($s);
    my $err;

    while (1) {
        if (!$sel->can_read($timeout)) {
            $err = 'timeout';
            last;
        }
        my $n = sysread($s, $resp, 65536, length $resp);
        last unless $n;
    }

    close $s;

    my ($head, $body) = split /\r\n\r\n/, $resp, 2;
    return (undef, {}, '', $err // 'no response') unless defined $head;
    $body //= '';

    my @lines = split /\r\n/, $head;
    my $status_line = shift @lines;
    my ($status) = $status_line =~ m{^HTTP/\d\.\d (\d{3})};

    my %h;
    for (@lines) {
        my ($k, $v) = /^([^:]+):\s*(.*)$/ or next;
        $k = lc $k;
        $h{$k} = defined $h{$k} ? "$h{$k}, $v" : $v;
    }

    if (($h{'transfer-encoding'} // '') =~ /chunked/i) {
        my $out = '';
        my $complete = 0;
        while ($body =~ s/^([0-9a-fA-F]+)[^\r\n]*\r\n//) {
            my $size = hex $1;
            if ($size == 0) {
                $complete = 1;
                last;
            }
            if (length($body) < $size) {
                $out .= $body;
                $body = '';
                last;
            }
            $out .= substr($body, 0, $size, '');
            $body =~ s/^\r\n//;
        }
        $err //= 'truncated chunked response' unless $complete;
        $body = $out;
    }

    return ($status, \%h, $body, $err);
}

sub as_list ($) {
    my $v = shift;
    return ref $v eq 'ARRAY' ? @$v : ($v);
}

sub check_log ($$$$) {
    my ($name, $log, $spec, $want) = @_;

    my @pats;
    if (ref $spec eq 'ARRAY') {
        @pats = @$spec;
    } elsif (ref $spec eq 'Regexp') {
        @pats = ($spec);
    } else {
        @pats = grep { /\S/ } split /\n/, $spec;
    }

    for my $p (@pats) {
        my $hit = ref $p eq 'Regexp' ? $log =~ $p : index($log, $p) >= 0;
        if ($want) {
            ok($hit, "$name - pattern \"$p\" should match a line in "
                     . "error.log");
        } else {
            ok(!$hit, "$name - pattern \"$p\" should not match any line in "
                      . "error.log");
        }
    }
}

sub run_block ($) {
    my ($block) = @_;

    $_->($block) for @BlockPreprocessors;

    my $name = $block->name;
    my %ports;

    # the same random ports across every section of the block
    for my $sec (qw(main_config http_config config tcp_listen)) {
        my $v = $block->$sec;
        next unless defined $v;
        $block->{$sec} = [expand($v, \%ports)];
    }

    if (defined $block->user_files) {
        make_path("$ServerRoot/html");
        my @files = split /^>>> /m, $block->user_files;
        for my $f (@files) {
            next unless $f =~ /\S/;
            my ($fname, $content) = split /\n/, $f, 2;
            open my $fh, '>', "$ServerRoot/html/$fname" or die $!;
            print $fh expand($content // '', \%ports);
            close $fh;
        }
    }

    my $conf = write_config($block);
    my $log_file = "$ServerRoot/logs/error.log";

    if (defined $block->must_die) {
        stop_nginx();
        my ($ok, $out) = start_nginx($conf);
        ok(!$ok, "$name - nginx must not start");
        my $log = $out . read_file($log_file);
        check_log($name, $log, $block->error_log, 1)
            if defined $block->error_log;
        stop_nginx() if $ok;
        return;
    }

    my $restarted = 0;

    if (!defined $RunningConfig || $RunningConfig ne $conf
        || !$NginxPid || !kill(0, $NginxPid))
    {
        $restarted = 1;
        my ($ok, $out) = start_nginx($conf);
        if (!$ok) {
            fail("$name - nginx failed to start: $out"
                 . read_file($log_file));
            return;
        }
    }

    if (defined $block->tcp_listen) {
        ($TcpPid, my $qf) = start_tcp_server($block, \%ports);
        $block->{_query_file} = [$qf];
    }

    my $offset = (!$AccumErrorLog && !$restarted) ? -s $log_file // 0 : 0;

    my $timeout = $block->timeout // 3;
    $timeout =~ s/ms$// ? ($timeout /= 1000) : ($timeout =~ s/s$//);

    my @reqs;
    if (defined $block->raw_request && defined $block->raw_request_middle_delay) {
        # as the real one: the array's parts are one request, sent apart
        @reqs = ([map { expand($_, \%ports) } as_list($block->raw_request)]);
    } elsif (defined $block->raw_request) {
        @reqs = map { expand($_, \%ports) } as_list($block->raw_request);
    } else {
        my $r = $block->request;
        $r = [$r] unless ref $r eq 'ARRAY';
        @reqs = map { build_request($block, expand($_, \%ports)) } @$r;
    }

    my @codes = defined $block->error_code ? as_list($block->error_code)
                                           : ();
    my @bodies = defined $block->response_body
                 ? as_list($block->response_body) : ();
    my @likes = defined $block->response_body_like
                ? as_list($block->response_body_like) : ();

    for my $i (0 .. $#reqs) {
        my $rname = @reqs > 1 ? "$name ($i)" : $name;
        my ($status, $h, $body, $err) =
            http_request($reqs[$i], $timeout,
                         $block->raw_request_middle_delay);

        if ($err && !defined $block->abort) {
            fail("$rname - $err");
        }

        # --- abort: the client gave up on purpose, nothing to compare
        next if $err && !defined $status && defined $block->abort;

        my $code = @codes ? $codes[$i] // $codes[-1] : 200;
        is($status, $code, "$rname - status code ok");

        if (@bodies) {
            is($body, $bodies[$i] // $bodies[-1], "$rname - response_body");
        }

        if (@likes) {
            my $pat = $likes[$i] // $likes[-1];
            like($body, qr/$pat/s, "$rname - response_body_like");
        }

        for my $l (split /\n/, $block->response_headers // '') {
            next unless $l =~ /\S/;
            if ($l =~ /^!\s*(\S+)/) {
                ok(!defined $h->{lc $1}, "$rname - header $1 absent");
                next;
            }
            my ($k, $v) = $l =~ /^([^:]+):\s*(.*?)\s*$/ or next;
            is($h->{lc $k}, $v, "$rname - header $k");
        }

        for my $l (split /\n/, $block->response_headers_like // '') {
            next unless $l =~ /\S/;
            my ($k, $v) = $l =~ /^([^:]+):\s*(.*?)\s*$/ or next;
            like($h->{lc $k} // '', qr/$v/, "$rname - header $k like");
        }
    }

    sleep($block->wait) if defined $block->wait;

    if (defined $block->error_log || defined $block->no_error_log) {
        # log-phase lines arrive right after the response
        sleep 0.05;
        my $log = read_file($log_file);
        $log = substr($log, $offset) if $offset <= length $log;
        check_log($name, $log, $block->error_log, 1)
            if defined $block->error_log;
        check_log($name, $log, $block->no_error_log, 0)
            if defined $block->no_error_log;
    }

    if (defined $block->tcp_listen) {
        my $qf = $block->{_query_file}[0];
        if (defined $block->tcp_query || defined $block->tcp_query_len
            || defined $block->tcp_query_sub)
        {
            for (1 .. 40) { last if -e $qf; sleep 0.025 }
            my $got = read_file($qf);
            if (defined $block->tcp_query) {
                is($got, expand($block->tcp_query, \%ports),
                   "$name - tcp_query ok");
            }
            if (defined $block->tcp_query_sub) {
                my @all;
                for (my $i = 1; -e "$qf.$i"; $i++) {
                    push @all, read_file("$qf.$i");
                }
                # the expected first request, or [got, expected] pairs
                my $want = $block->tcp_query_sub->($got, \@all);
                my @pairs = ref $want eq 'ARRAY' ? @$want : ($got, $want);
                while (my ($g, $w) = splice @pairs, 0, 2) {
                    is($g, $w, "$name - tcp_query_sub ok");
                }
            }
            if (defined $block->tcp_query_len) {
                is(length $got, $block->tcp_query_len,
                   "$name - TCP query length ok");
            }
        }
        stop_tcp_server();
    }
}

sub run_tests () {
    make_certs();
    $ENV{TEST_NGINX_CERT_DIR} = $CertDir;
    $ENV{TEST_NGINX_SERVER_ROOT} = $ServerRoot;
    $ENV{TEST_NGINX_HTML_DIR} = "$ServerRoot/html";
    $ENV{TEST_NGINX_SERVER_PORT} = $ServerPort;

    remove_tree($ServerRoot);

    for my $block (blocks()) {
        for (1 .. $RepeatEach) {
            run_block($block);
        }
    }

    stop_tcp_server();
    stop_nginx();
}

END {
    stop_tcp_server();
    stop_nginx();
}

1;
