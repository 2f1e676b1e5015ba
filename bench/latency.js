// make bench's canned provider when BENCH_LATENCY asks for a fixed
// latency, which stock nginx cannot add: the same files, each answer sent
// after the given milliseconds (a timer; many requests wait at once).
// Usage: node latency.js STATIC_DIR PORT MS
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');

const [root, port, ms] = process.argv.slice(2);
const files = {};

// every canned answer read once, before the first request
(function load(dir) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const f = path.join(dir, e.name);
        if (e.isDirectory()) {
            load(f);
        } else {
            files['/' + path.relative(root, f)] = fs.readFileSync(f);
        }
    }
})(root);

http.createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => {
        const body = files[req.url.split('?')[0]];
        if (!body) {
            res.writeHead(404);
            res.end();
            return;
        }
        res.writeHead(200, {
            'Content-Type': /^\/(sse|anthsse)/.test(req.url)
                            ? 'text/event-stream' : 'application/json',
            'Content-Length': body.length
        });
        res.end(body);
    }, Number(ms)));
}).listen(Number(port), '127.0.0.1');
