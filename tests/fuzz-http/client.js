'use strict';

// A raw HTTP/1.1 client, so that a request says exactly what the fuzzer
// wants (repeated or oversized headers, chunked bodies, lengths that lie)
// and an answer is read exactly as it came.

const net = require('net');

function build(req) {
    const head = [`${req.method} ${req.path} HTTP/1.1`, 'Host: localhost'];
    for (const [k, v] of req.headers) {
        head.push(`${k}: ${v}`);
    }
    let body = req.body || Buffer.alloc(0);

    if (req.framing === 'chunked') {
        head.push('Transfer-Encoding: chunked');
        const parts = [];
        let at = 0;
        while (at < body.length) {
            const n = Math.min(body.length - at, 1 + (at * 7919 % 4096));
            parts.push(Buffer.from(n.toString(16) + '\r\n'),
                       body.subarray(at, at + n), Buffer.from('\r\n'));
            at += n;
        }
        parts.push(Buffer.from('0\r\n\r\n'));
        body = Buffer.concat(parts);
    } else if (req.framing === 'short') {
        head.push(`Content-Length: ${Math.max(0, body.length - 3)}`);
    } else if (req.framing !== 'none' && (body.length || req.method === 'POST'))
    {
        head.push(`Content-Length: ${body.length}`);
    }

    if (!req.keepalive) {
        head.push('Connection: close');
    }

    return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n'), body]);
}

// one answer from the bytes at buf[0..]: null until it is all there
function parse(buf, method, closed) {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
        return null;
    }
    const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    if (!m) {
        return { error: 'not an HTTP status line: '
                        + JSON.stringify(lines[0].slice(0, 80)) };
    }
    const headers = {};
    for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) {
            headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
        }
    }
    const status = Number(m[1]);
    let at = end + 4;
    // an answer whose body was cut: what came of it is kept
    const cut = (why) => ({ error: why, status, headers,
                            body: buf.subarray(end + 4),
                            raw: buf });
    let body;

    if (method === 'HEAD' || status === 204 || status === 304) {
        body = Buffer.alloc(0);
    } else if (/chunked/i.test(headers['transfer-encoding'] || '')) {
        const parts = [];
        for (;;) {
            const nl = buf.indexOf('\r\n', at);
            if (nl < 0) {
                return closed ? cut('chunked body cut') : null;
            }
            const n = parseInt(buf.subarray(at, nl).toString('latin1'), 16);
            if (Number.isNaN(n)) {
                return { error: 'bad chunk size' };
            }
            if (n === 0) {
                const tail = buf.indexOf('\r\n', nl + 2);
                if (tail < 0) {
                    return closed ? cut('chunked body cut') : null;
                }
                at = tail + 2;
                break;
            }
            if (buf.length < nl + 2 + n + 2) {
                return closed ? cut('chunked body cut') : null;
            }
            parts.push(buf.subarray(nl + 2, nl + 2 + n));
            at = nl + 2 + n + 2;
        }
        body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
        const n = Number(headers['content-length']);
        if (buf.length < at + n) {
            return closed ? cut('body shorter than Content-Length') : null;
        }
        body = buf.subarray(at, at + n);
        at += n;
    } else {
        if (!closed) {
            return null;
        }
        body = buf.subarray(at);
        at = buf.length;
    }

    return { status, headers, body, raw: buf.subarray(0, at), used: at };
}

// sends the requests on one connection, one after the other; resolves
// to one result per request: an answer, or {error}
function exchange(sock, reqs, timeout) {
    return exchangeOnce(sock, reqs, timeout).then((results) => {
        // the server said it closes: the rest go on a new connection
        let n = results.length;
        const last = results[n - 1];
        if (last && last.rest) {
            return exchange(sock, reqs.slice(n), timeout)
                .then((more) => results.concat(more));
        }
        // a server may close a kept-alive connection at any time (nginx
        // does after an answer its upstream broke): a request that found
        // it closed, with nothing read, is sent again on a new one, as
        // HTTP clients do
        n = results.findIndex((a) => a.error && a.stale);
        if (n > 0) {
            return exchange(sock, reqs.slice(n), timeout)
                .then((more) => results.slice(0, n).concat(more));
        }
        return results;
    });
}

function exchangeOnce(sock, reqs, timeout) {
    return new Promise((resolve) => {
        const results = [];
        let buf = Buffer.alloc(0);
        let i = 0;
        let done = false;
        const c = net.connect(sock);
        const finish = (why) => {
            if (done) {
                return;
            }
            done = true;
            clearTimeout(timer);
            // the first without an answer failed; those after it were
            // never sent
            if (results.length < reqs.length
                && !(results.length && results[results.length - 1].error))
            {
                results.push({ error: why,
                               stale: results.length > 0
                                      && buf.length === 0 });
            }
            while (results.length < reqs.length) {
                results.push({ error: 'not sent', unsent: true });
            }
            c.destroy();
            resolve(results);
        };
        const timer = setTimeout(() => finish('no answer in '
                                              + timeout + ' ms'), timeout);
        const take = (closed) => {
            while (i < reqs.length) {
                const a = parse(buf, reqs[i].method, closed);
                if (a === null) {
                    return;
                }
                results.push(a);
                if (a.error) {
                    return finish(a.error);
                }
                buf = buf.subarray(a.used);
                i++;
                if (i < reqs.length
                    && /close/i.test(a.headers.connection || ''))
                {
                    a.rest = true;
                    done = true;
                    clearTimeout(timer);
                    c.destroy();
                    return resolve(results);
                }
                if (i < reqs.length) {
                    c.write(build(reqs[i]));
                }
            }
            finish('done');
        };
        c.on('connect', () => c.write(build(reqs[0])));
        c.on('data', (d) => { buf = Buffer.concat([buf, d]); take(false); });
        c.on('end', () => { take(true); finish('connection closed without '
                                               + 'an answer'); });
        c.on('error', (e) => { take(true); finish('connection error: '
                                                  + e.code); });
    });
}

module.exports = { build, exchange };
