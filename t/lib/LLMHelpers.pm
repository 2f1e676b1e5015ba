package LLMHelpers;

# Byte builders for scripted providers in the .t files: HTTP responses
# with the right framing, chunked bodies, and cuts into separate writes.

use strict;
use warnings;
use Exporter 'import';

our @EXPORT = qw(resp chunked chunks cut chat_request lines);

# a response with a Content-Length
sub resp {
    my ($status, $ctype, $body, $extra) = @_;
    return "HTTP/1.1 $status\r\nContent-Type: $ctype\r\n"
        . "Content-Length: " . length($body) . "\r\n" . ($extra // '')
        . "\r\n" . $body;
}

# a whole chunked response, one chunk per argument
sub chunked {
    my ($status, $ctype, @chunks) = @_;
    return "HTTP/1.1 $status\r\nContent-Type: $ctype\r\n"
        . "Transfer-Encoding: chunked\r\n\r\n" . chunks(@chunks)
        . "0\r\n\r\n";
}

# chunk framing for each argument
sub chunks {
    return join '', map { sprintf("%x\r\n%s\r\n", length, $_) } @_;
}

# a byte string cut at the given offsets: each piece is one TCP write
sub cut {
    my ($s, @at) = @_;
    my (@parts, $prev);
    $prev = 0;
    for my $at (@at, length $s) {
        push @parts, substr($s, $prev, $at - $prev);
        $prev = $at;
    }
    return \@parts;
}

# a raw chat completion request for a model, with a virtual key
sub chat_request {
    my ($key, $model) = @_;
    my $body = qq({"model":"$model","messages":[]});
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
        . "Connection: close\r\nAuthorization: Bearer $key\r\n"
        . "Content-Length: " . length($body) . "\r\n\r\n$body";
}

# the number of lines in a file (an access log: requests served)
sub lines {
    my ($file) = @_;
    open my $fh, '<', $file or return 0;
    my $n = 0;
    $n++ while <$fh>;
    return $n;
}

1;
