'use strict';

// Providers of every dialect for the HTTP fuzzer: each answers most
// requests as its API does (JSON with usage, or a stream that ends as it
// should) and the rest, drawn from the run's generator, with hostile
// answers: wrong types anywhere in the answer (choices, content,
// candidates, usage), truncated or non-JSON bodies, error statuses with
// odd bodies, streams whose events are mutated, cut, stalled or framed
// wrong, resets and late headers.  No answer ever repeats what the
// request carried (its key above all).

const http = require('http');
const M = require('./mutate');

// answers' member names, for the mutations that add known members
const ANSWER_NAMES = [
    'choices', 'message', 'content', 'delta', 'tool_calls', 'function',
    'arguments', 'finish_reason', 'usage', 'prompt_tokens',
    'completion_tokens', 'prompt_tokens_details', 'cached_tokens', 'type',
    'text', 'id', 'name', 'input', 'stop_reason', 'input_tokens',
    'output_tokens', 'cache_read_input_tokens', 'candidates', 'parts',
    'functionCall', 'args', 'finishReason', 'usageMetadata',
    'promptTokenCount', 'candidatesTokenCount', 'output', 'toolUse',
    'stopReason', 'inputTokens', 'outputTokens', 'error', 'refusal',
    'thoughtSignature', 'index', 'model', 'modelVersion', 'responseId',
];

function openaiAnswer(model, r) {
    const msg = { role: 'assistant', content: 'Hello from the mock.' };
    if (r.chance(0.2)) {
        msg.content = null;
        msg.tool_calls = [{ id: 'call_1', type: 'function',
                            function: { name: 'f', arguments: '{"a":1}' } }];
    }
    return { id: 'chatcmpl-f', object: 'chat.completion', created: 1,
             model, choices: [{ index: 0, message: msg,
                                finish_reason: msg.content ? 'stop'
                                                           : 'tool_calls' }],
             usage: { prompt_tokens: 5, completion_tokens: 4,
                      total_tokens: 9,
                      prompt_tokens_details: { cached_tokens: 0 } } };
}

function openaiStream(model, r) {
    const h = { id: 'chatcmpl-s', object: 'chat.completion.chunk',
                created: 1, model };
    const ev = [];
    ev.push({ ...h, choices: [{ index: 0, delta: { role: 'assistant',
                                                   content: '' },
                                finish_reason: null }] });
    for (let i = 0; i < 1 + r.int(4); i++) {
        ev.push({ ...h, choices: [{ index: 0, delta: { content: 'w' + i },
                                    finish_reason: null }] });
    }
    if (r.chance(0.3)) {
        ev.push({ ...h, choices: [{ index: 0, delta: { tool_calls: [{
            index: 0, id: 'call_1', type: 'function',
            function: { name: 'f', arguments: '{"q":' } }] },
            finish_reason: null }] });
        ev.push({ ...h, choices: [{ index: 0, delta: { tool_calls: [{
            index: 0, function: { arguments: '1}' } }] },
            finish_reason: null }] });
    }
    ev.push({ ...h, choices: [{ index: 0, delta: {},
                                finish_reason: 'stop' }] });
    ev.push({ ...h, choices: [], usage: { prompt_tokens: 5,
                                          completion_tokens: 3,
                                          total_tokens: 8 } });
    return { events: ev.map((e) => ({ data: e })),
             end: [{ data: '[DONE]' }] };
}

function anthropicAnswer(model, r) {
    const content = [{ type: 'text', text: 'Hello from the mock.' }];
    if (r.chance(0.2)) {
        content.push({ type: 'tool_use', id: 'toolu_1', name: 'f',
                       input: { a: 1 } });
    }
    return { id: 'msg_f', type: 'message', role: 'assistant', model,
             content, stop_reason: content.length > 1 ? 'tool_use'
                                                      : 'end_turn',
             stop_sequence: null,
             usage: { input_tokens: 5, output_tokens: 4,
                      cache_read_input_tokens: 0 } };
}

function anthropicStream(model, r) {
    const ev = [];
    const e = (type, data) => ev.push({ event: type,
                                        data: { type, ...data } });
    e('message_start', { message: { id: 'msg_s', type: 'message',
                                    role: 'assistant', model, content: [],
                                    stop_reason: null,
                                    usage: { input_tokens: 5,
                                             output_tokens: 1 } } });
    e('content_block_start', { index: 0,
                               content_block: { type: 'text', text: '' } });
    for (let i = 0; i < 1 + r.int(4); i++) {
        e('content_block_delta', { index: 0, delta: { type: 'text_delta',
                                                      text: 'w' + i } });
    }
    e('content_block_stop', { index: 0 });
    if (r.chance(0.3)) {
        e('content_block_start', { index: 1, content_block: {
            type: 'tool_use', id: 'toolu_1', name: 'f', input: {} } });
        e('content_block_delta', { index: 1, delta: {
            type: 'input_json_delta', partial_json: '{"q":1}' } });
        e('content_block_stop', { index: 1 });
    }
    e('message_delta', { delta: { stop_reason: 'end_turn' },
                         usage: { output_tokens: 6 } });
    const end = [{ event: 'message_stop',
                   data: { type: 'message_stop' } }];
    return { events: ev, end };
}

function geminiAnswer(model, r) {
    const parts = [{ text: 'Hello from the mock.' }];
    if (r.chance(0.2)) {
        parts.push({ functionCall: { name: 'f', args: { a: 1 } },
                     thoughtSignature: 'c2ln' });
    }
    return { candidates: [{ content: { parts, role: 'model' },
                            finishReason: 'STOP', index: 0 }],
             usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 4,
                              totalTokenCount: 9 },
             modelVersion: model, responseId: 'resp-f' };
}

function geminiStream(model, r) {
    const ev = [];
    const n = 1 + r.int(4);
    for (let i = 0; i < n; i++) {
        const c = { content: { parts: [{ text: 'w' + i }], role: 'model' },
                    index: 0 };
        const chunk = { candidates: [c], modelVersion: model,
                        usageMetadata: { promptTokenCount: 5 } };
        if (i === n - 1) {
            c.finishReason = 'STOP';
            chunk.usageMetadata = { promptTokenCount: 5,
                                    candidatesTokenCount: n,
                                    totalTokenCount: 5 + n };
        }
        ev.push({ data: chunk });
    }
    // Gemini has no end marker: the last chunk is the end
    return { events: ev.slice(0, -1), end: ev.slice(-1), crlf: true };
}

function bedrockAnswer() {
    return { output: { message: { role: 'assistant',
                                  content: [{ text: 'Hello.' }] } },
             stopReason: 'end_turn',
             usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 },
             metrics: { latencyMs: 1 } };
}

function bedrockStream(model, r) {
    const ev = [
        { event: 'messageStart', data: { role: 'assistant' } },
        { event: 'contentBlockDelta', data: { contentBlockIndex: 0,
                                              delta: { text: 'Hi' } } },
        { event: 'contentBlockStop', data: { contentBlockIndex: 0 } },
        { event: 'messageStop', data: { stopReason: 'end_turn' } },
    ];
    if (r.chance(0.3)) {
        ev.splice(3, 0,
            { event: 'contentBlockStart', data: { contentBlockIndex: 1,
                start: { toolUse: { toolUseId: 't1', name: 'f' } } } },
            { event: 'contentBlockDelta', data: { contentBlockIndex: 1,
                delta: { toolUse: { input: '{"a":1}' } } } },
            { event: 'contentBlockStop', data: { contentBlockIndex: 1 } });
    }
    const end = [{ event: 'metadata',
                   data: { usage: { inputTokens: 5, outputTokens: 2,
                                    totalTokens: 7 },
                           metrics: { latencyMs: 1 } } }];
    return { events: ev, end, frames: true };
}

// AWS eventstream framing: prelude, headers, payload, CRC-32s
const CRC = (() => {
    const t = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
        let c = n;
        for (let k = 0; k < 8; k++) {
            c = (c & 1) ? (0xedb88320 ^ (c >>> 1)) : (c >>> 1);
        }
        t[n] = c;
    }
    return (buf) => {
        let c = -1;
        for (const b of buf) {
            c = t[(c ^ b) & 0xff] ^ (c >>> 8);
        }
        return (c ^ -1) >>> 0;
    };
})();

function frame(type, payload, exception) {
    const hs = exception
        ? [[':content-type', 'application/json'],
           [':exception-type', type], [':message-type', 'exception']]
        : [[':content-type', 'application/json'], [':event-type', type],
           [':message-type', 'event']];
    const hb = Buffer.concat(hs.map(([n, v]) => {
        const nb = Buffer.from(n);
        const vb = Buffer.from(v);
        const h = Buffer.alloc(1 + nb.length + 3);
        h[0] = nb.length;
        nb.copy(h, 1);
        h[1 + nb.length] = 7;
        h.writeUInt16BE(vb.length, 2 + nb.length);
        return Buffer.concat([h, vb]);
    }));
    const total = 12 + hb.length + payload.length + 4;
    const pre = Buffer.alloc(8);
    pre.writeUInt32BE(total, 0);
    pre.writeUInt32BE(hb.length, 4);
    const pc = Buffer.alloc(4);
    pc.writeUInt32BE(CRC(pre), 0);
    const msg = Buffer.concat([pre, pc, hb, payload]);
    const mc = Buffer.alloc(4);
    mc.writeUInt32BE(CRC(msg), 0);
    return Buffer.concat([msg, mc]);
}

function eventBytes(e, s) {
    const payload = Buffer.isBuffer(e.data) ? e.data
        : typeof e.data === 'string' ? Buffer.from(e.data) : M.emit(e.data);
    if (s.frames) {
        return frame(e.event, payload, e.exception);
    }
    const nl = s.crlf ? '\r\n' : '\n';
    return Buffer.concat([Buffer.from(e.event ? 'event: ' + e.event + nl
                                              : ''),
                          Buffer.from('data: '), payload,
                          Buffer.from(nl + nl)]);
}

const DIALECTS = {
    openai: { answer: openaiAnswer, stream: openaiStream,
              error: (m) => ({ error: { message: m, type: 'server_error',
                                        code: null } }) },
    anthropic: { answer: anthropicAnswer, stream: anthropicStream,
                 error: (m) => ({ type: 'error',
                                  error: { type: 'api_error',
                                           message: m } }) },
    gemini: { answer: geminiAnswer, stream: geminiStream,
              error: (m) => ({ error: { code: 500, message: m,
                                        status: 'INTERNAL' } }) },
    bedrock: { answer: bedrockAnswer, stream: bedrockStream,
               error: (m) => ({ message: m }) },
};

function wantsStream(dialect, req, body) {
    if (dialect === 'gemini') {
        return req.url.includes('streamGenerateContent');
    }
    if (dialect === 'bedrock') {
        return req.url.includes('converse-stream');
    }
    return /"stream"\s*:\s*true/.test(body.toString('latin1'));
}

function send(res, status, ctype, body) {
    res.writeHead(status, { 'Content-Type': ctype,
                            'Content-Length': body.length });
    res.end(body);
}

// a stream, event by event, with what is hostile about it applied
function stream(res, dialect, s, how, r, timers) {
    const ctype = s.frames ? 'application/vnd.amazon.eventstream'
                           : 'text/event-stream';
    res.writeHead(200, { 'Content-Type': ctype });
    let ev = s.events.concat(s.end);

    if (how === 'mutated') {
        const i = r.int(ev.length);
        ev = ev.slice();
        ev[i] = { ...ev[i], data: M.mutate(ev[i].data, r, ANSWER_NAMES) };
    } else if (how === 'garbage') {
        const i = r.int(ev.length);
        ev = ev.slice();
        ev[i] = { ...ev[i], data: M.damage(M.emit(ev[i].data), r) };
    } else if (how === 'error-event') {
        const i = r.int(ev.length);
        ev = ev.slice(0, i).concat([{ event: 'error',
            data: DIALECTS[dialect].error('overloaded'),
            exception: true }]);
    }

    const cut = (how === 'cut' || how === 'stall') ? r.int(ev.length) : -1;
    let i = 0;
    const next = () => {
        if (res.destroyed) {
            return;
        }
        if (i === cut) {
            if (how === 'cut') {
                res.socket.destroy();
            }
            // a stall: nothing more, until the gateway gives up
            return;
        }
        if (i === ev.length) {
            res.end();
            return;
        }
        const b = eventBytes(ev[i++], s);
        if (r.chance(0.3) && b.length > 2) {
            // an event across two writes
            const at = 1 + r.int(b.length - 1);
            res.write(b.subarray(0, at));
            timers.add(setTimeout(() => { res.write(b.subarray(at));
                                          next(); }, 2));
            return;
        }
        res.write(b);
        setImmediate(next);
    };
    next();
}

const HOW = ['mutated', 'mutated', 'mutated', 'mutated', 'truncated',
             'garbage', 'empty', 'status', 'status', 'cut', 'stall',
             'chunked', 'reset', 'late', 'ctype', 'error-event'];

function handle(dialect, req, res, body, r, stats, timers) {
    const d = DIALECTS[dialect];
    const model = 'mock-model';
    const isStream = wantsStream(dialect, req, body);
    const how = r.chance(0.3) ? r.pick(HOW) : 'normal';

    stats[dialect + ' ' + how] = (stats[dialect + ' ' + how] || 0) + 1;

    if (req.url.includes('count_tokens') || req.url.includes('countTokens')) {
        const ok = dialect === 'gemini' ? { totalTokens: 5 }
                                        : { input_tokens: 5 };
        return send(res, 200, 'application/json',
                    M.emit(how === 'mutated'
                           ? M.mutate(ok, r, ANSWER_NAMES) : ok));
    }

    if (req.url.includes('/embeddings')) {
        const ok = { object: 'list', model: 'e',
                     data: [{ object: 'embedding', index: 0,
                              embedding: [0.1, 0.2] }],
                     usage: { prompt_tokens: 2, total_tokens: 2 } };
        return send(res, 200, 'application/json',
                    M.emit(how === 'mutated'
                           ? M.mutate(ok, r, ANSWER_NAMES) : ok));
    }

    switch (how) {
    case 'reset':
        return req.socket.destroy();
    case 'late':
        // past first_token: the gateway fails over or times out
        timers.add(setTimeout(() => {
            if (!res.destroyed) {
                send(res, 200, 'application/json',
                     M.emit(d.answer(model, r)));
            }
        }, 2500));
        return;
    case 'status': {
        const st = r.pick([400, 401, 403, 404, 413, 429, 500, 502, 503, 529]);
        const b = r.pick([M.emit(d.error('mock says no')),
                          M.emit(M.mutate(d.error('x'), r, ANSWER_NAMES)),
                          Buffer.from('<html>no</html>'), Buffer.alloc(0),
                          Buffer.from('{"error":')]);
        return send(res, st, 'application/json', b);
    }
    case 'chunked': {
        // framing that lies: a bad size, or one larger than what follows
        const raw = 'HTTP/1.1 200 OK\r\nContent-Type: '
            + (isStream ? 'text/event-stream' : 'application/json')
            + '\r\nTransfer-Encoding: chunked\r\n\r\n'
            + r.pick(['zz\r\n{}\r\n0\r\n\r\n', '5\r\n{"a":1}\r\n0\r\n\r\n',
                      'ffffffffffffffffff\r\n{}', '3\r\n{}', '0\r\n\r\n',
                      '10\r\ndata: {}\n\n\r\n']);
        req.socket.end(raw);
        return;
    }
    case 'ctype':
        // a stream's type on a JSON answer, or the reverse
        return send(res, 200, isStream ? 'application/json'
                                       : 'text/event-stream',
                    M.emit(d.answer(model, r)));
    default:
        break;
    }

    if (isStream) {
        return stream(res, dialect, d.stream(model, r), how, r, timers);
    }

    let b = M.emit(d.answer(model, r));
    if (how === 'mutated') {
        b = M.emit(M.mutate(d.answer(model, r), r, ANSWER_NAMES));
    } else if (how === 'truncated') {
        b = b.subarray(0, r.int(b.length));
    } else if (how === 'garbage') {
        b = M.damage(b, r);
    } else if (how === 'empty') {
        b = Buffer.alloc(0);
    } else if (how === 'cut') {
        // a Content-Length longer than what comes
        res.writeHead(200, { 'Content-Type': 'application/json',
                             'Content-Length': b.length + 10 });
        res.write(b.subarray(0, r.int(b.length)));
        timers.add(setTimeout(() => req.socket.destroy(), 5));
        return;
    } else if (how === 'stall') {
        res.writeHead(200, { 'Content-Type': 'application/json',
                             'Content-Length': b.length });
        res.write(b.subarray(0, r.int(b.length)));
        return;
    }
    send(res, 200, 'application/json', b);
}

// one server per dialect; resolves to {dialect: port}
async function start(seed, stats) {
    const servers = [];
    const ports = {};
    const timers = new Set();
    const sockets = new Set();
    let n = 0;

    for (const dialect of Object.keys(DIALECTS)) {
        const srv = http.createServer((req, res) => {
            const chunks = [];
            req.on('data', (c) => chunks.push(c));
            req.on('end', () => {
                const r = M.rng(seed * 7919 + (++n));
                try {
                    handle(dialect, req, res, Buffer.concat(chunks), r,
                           stats, timers);
                } catch (e) {
                    stats['mock exception'] = (stats['mock exception'] || 0)
                                              + 1;
                    req.socket.destroy();
                }
            });
            req.on('error', () => {});
        });
        srv.keepAliveTimeout = 2000;
        srv.on('connection', (s) => {
            sockets.add(s);
            s.on('close', () => sockets.delete(s));
            s.on('error', () => {});
        });
        await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
        ports[dialect] = srv.address().port;
        servers.push(srv);
    }

    return {
        ports,
        stop: () => {
            for (const t of timers) { clearTimeout(t); }
            for (const s of sockets) { s.destroy(); }
            return Promise.all(servers.map((s) => new Promise((ok) =>
                s.close(ok))));
        },
    };
}

module.exports = { start, frame };
