#!/usr/bin/env node
'use strict';

// The HTTP-level hostile-input fuzzer (see README.md here): an nginx with
// the module and two workers, mock providers of every dialect (hostile
// now and then), and requests of every surface and endpoint, first each
// seed with every member replaced by every hostile value and every known
// member added at every level (the sweep), then random mutations until
// the time is up.  Every request must get an HTTP answer: a success or a
// JSON error in its surface's shape; no worker may exit on a signal; no
// secret may appear in an answer or a log line.
//
//   node fuzz.js --module PATH [--seconds 60] [--seed N] [--dir DIR]
//                [--asan LIBASAN] [--nginx /usr/sbin/nginx] [--hold]

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const M = require('./mutate');
const C = require('./client');
const mocks = require('./mocks');

const arg = (name, dflt) => {
    const i = process.argv.indexOf('--' + name);
    return i > 0 ? process.argv[i + 1] : dflt;
};

const SECONDS = Number(arg('seconds', 60));
const SEED = Number(arg('seed', Date.now() % 100000));
const DIR = path.resolve(arg('dir', 'build/fuzz-http'));
const MODULE = path.resolve(arg('module', 'build/nginx/objs/'
                                          + 'ngx_http_llm_module.so'));
const NGINX = arg('nginx', '/usr/sbin/nginx');
const ASAN = arg('asan', '');
const CONCURRENCY = Number(arg('concurrency', 8));
const TIMEOUT = 20000;
const HOLD = process.argv.includes('--hold');

// what must never show: the providers' keys, the keys' secrets
const SECRETS = {
    openai: 'sk-prov-SECRET-openai-7f3a9c',
    openai2: 'sk-prov-SECRET-openai-second-8e1d',
    azure: 'az-prov-SECRET-azure-51d2e8',
    anthropic: 'sk-ant-prov-SECRET-anthropic-c04b',
    anthropic2: 'sk-ant-prov-SECRET-anthropic-second-77f0',
    gemini: 'AIza-prov-SECRET-gemini-99ab1f',
    gemini2: 'AIza-prov-SECRET-gemini-second-31c8',
    aws_id: 'AKIAPROVSECRETID0042',
    aws_secret: 'prov/SECRET+aws+wJalrXUtnFEMIK7MDENG0042',
    key: 'sk-vk-SECRET-fuzz-key-1a2b3c',
    key2: 'sk-vk-SECRET-fuzz-key-hashed-4d5e6f',
};

// the dialect a model is routed to, as the providers' "models" below
// say ("mock": the gateway answers itself)
const ROUTES = [
    [/^(gpt-4o|gpt-4o-mini|text-embedding-.*|gpt-az-.*)$/s, 'openai'],
    [/^claude-/, 'anthropic'], [/^gemini-/, 'gemini'],
    [/^(us\.anthropic\.|amazon\.)/, 'bedrock'], [/^mock-/, 'mock'],
];

function routeOf(model) {
    const m = ROUTES.find(([re]) => re.test(model));
    return m ? m[1] : null;
}

function sha256(s) {
    return require('crypto').createHash('sha256').update(s).digest('hex');
}

function config(ports, sock) {
    const p = (d) => `http://127.0.0.1:${ports[d]}`;
    // short timeouts, and keys and circuits that recover at once: the
    // mocks' hostile answers must not leave every provider cooling down
    const t = 'timeouts connect=1s first_token=2s idle=2s; cooldown 1s; '
              + 'circuit_breaker failures=1000000 cooldown=1s;';
    return `
load_module ${MODULE};
worker_processes 2;
master_process on;
daemon off;
error_log logs/error.log ${process.env.FUZZ_LOG || "info"};
pid logs/nginx.pid;
events { worker_connections 512; }
http {
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    client_body_timeout 3s;
    client_header_timeout 3s;
    log_format llm '$status $bytes_sent *$connection id=$http_x_fuzz_id '
                   'rt=$request_time '
                   '"$request" key=$llm_virtual_key '
                   'p=$llm_provider m=$llm_model rm=$llm_requested_model '
                   'pt=$llm_prompt_tokens ct=$llm_completion_tokens '
                   'u=$llm_usage_source a=$llm_attempts c=$llm_cost '
                   'cu=$llm_customer t=$llm_team e="$llm_error" '
                   'l="$llm_limit_reason" meta=$llm_meta_env';
    access_log logs/access.log llm;
    llm_zone llm 8m;
    llm_price default input=1 output=4;
    llm_customer acme { budget 100000 1M; }
    llm_team eng { customer acme; budget 100000 1M alert=80%; }
    llm_provider oa { type openai; url ${p('openai')}/v1;
        api_key ${SECRETS.openai}; api_key ${SECRETS.openai2} weight=2;
        models gpt-4o gpt-4o-mini text-embedding-*; ${t} }
    llm_provider az { type azure; url ${p('openai')};
        api_key ${SECRETS.azure}; models gpt-az-*;
        deployment gpt-az-1 dep1; ${t} }
    llm_provider an { type anthropic; url ${p('anthropic')}/v1;
        api_key ${SECRETS.anthropic};
        api_key ${SECRETS.anthropic2} weight=2; models claude-*; ${t} }
    llm_provider ge { type gemini; url ${p('gemini')}/v1beta;
        api_key ${SECRETS.gemini}; api_key ${SECRETS.gemini2} weight=2;
        models gemini-*; ${t} }
    llm_provider br { type bedrock; region us-east-1; url ${p('bedrock')};
        aws_access_key_id ${SECRETS.aws_id};
        aws_secret_access_key ${SECRETS.aws_secret};
        models us.anthropic.* amazon.*; ${t} }
    llm_provider mk { type mock; models mock-*; weight 0; }
    llm_virtual_key fz {
        key ${SECRETS.key};
        models *;
        team eng;
        fallbacks mock-1;
        budget 100000 1d;
        limit requests=10000000/1m tokens=100000000000/1h concurrency=64;
        metadata env=fuzz;
    }
    llm_virtual_key fz2 {
        key_sha256 ${sha256(SECRETS.key2)};
        models gpt-* claude-* mock-*;
    }
    server {
        listen unix:${sock};
        location /v1/ { llm_gateway openai; llm_max_body_size 4m;
                        client_max_body_size 4m; }
        location /anthropic/ { llm_gateway anthropic;
                               client_max_body_size 4m; }
        location /genai/ { llm_gateway gemini; client_max_body_size 4m; }
        location /llm/ { llm_admin; }
    }
}
`;
}

// --- requests -----------------------------------------------------------

function loadSeeds() {
    const dir = path.join(__dirname, 'seeds');
    return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
        .map((f) => ({ name: f.replace(/\.json$/, ''),
                       ...JSON.parse(fs.readFileSync(path.join(dir, f))) }));
}

function withModel(v, model) {
    if (v === '$MODEL') {
        return model;
    }
    if (Array.isArray(v)) {
        return v.map((e) => withModel(e, model));
    }
    if (M.isObject(v)) {
        const o = {};
        for (const k of Object.keys(v)) {
            o[k] = withModel(v[k], model);
        }
        return o;
    }
    return v;
}

// a request of a seed, its body a document (or bytes) for this model
let ids = 0;

function request(seed, model, body, opts) {
    const o = opts || {};
    const key = o.key || SECRETS.key;
    const id = ++ids;
    const headers = [['X-Fuzz-Id', String(id)]];
    if (!o.noauth) {
        headers.push([seed.auth[0], seed.auth[1].replace('$KEY', key)]);
    }
    for (const h of seed.headers || []) {
        headers.push(h);
    }
    if (seed.body !== null) {
        headers.push(['Content-Type', 'application/json']);
    }
    for (const h of o.headers || []) {
        headers.push(h);
    }
    return {
        method: seed.method,
        path: o.path || seed.path.replace('$MODEL', encodeURIComponent(model)),
        headers,
        body: body === null ? null : Buffer.isBuffer(body) ? body
                                                           : M.emit(body),
        framing: o.framing,
        keepalive: o.keepalive,
        seed: seed.name,
        surface: seed.surface,
        model,
        what: o.what || 'seed',
        id,
    };
}

// the sweep: every member of every seed replaced by every hostile value,
// every known name added to every object; one model per job, in turn
function* sweep(seeds, known) {
    let n = 0;
    for (const seed of seeds) {
        if (seed.body === null) {
            continue;
        }
        const base = withModel(seed.body, '$MODEL');
        const count = M.places(base).length;
        for (let i = 1; i < count; i++) {
            for (let h = 0; h < M.HOSTILE.length; h++) {
                const model = seed.models[n++ % seed.models.length];
                const d = withModel(seed.body, model);
                const p = M.places(d)[i];
                p.parent[p.key] = M.clone(M.HOSTILE[h]);
                yield request(seed, model, d,
                              { what: `sweep member ${i} value ${h}` });
            }
        }
        const nobj = M.objects(base).length;
        for (let o = 0; o < nobj; o++) {
            for (let k = 0; k < known.length; k++) {
                const model = seed.models[n++ % seed.models.length];
                const d = withModel(seed.body, model);
                M.objects(d)[o].value[known[k]] =
                    M.clone(M.HOSTILE[(o + k) % M.HOSTILE.length]);
                yield request(seed, model, d,
                              { what: `sweep add ${known[k]} at ${o}` });
            }
        }
    }
}

const MODEL_NAMES = ['', 'x', 'gpt-4o/../../x', 'gemini-x%2F..', 'a:b',
                     'claude-\u0000', 'm'.repeat(5000), 'mock-1?x=1',
                     'gpt-4o#f', 'mock-1 HTTP/1.1\r\nX: y', 'openai/gpt-4o',
                     'mock/mock-1', 'gemini-2.5-flash:countTokens'];

function randomRequest(seeds, known, r) {
    const seed = r.pick(seeds);
    let model = r.pick(seed.models);
    const o = { what: 'random' };
    let body = seed.body === null ? null : withModel(seed.body, model);

    if (r.chance(0.05)) {
        model = r.pick(MODEL_NAMES);
        body = seed.body === null ? null : withModel(seed.body, model);
        o.what = 'model name';
    }

    if (body !== null) {
        const n = r.int(4);
        for (let i = 0; i < n; i++) {
            body = M.mutate(body, r, known);
        }
        if (r.chance(0.15)) {
            body = M.damage(M.emit(body), r);
            o.what = 'damaged';
        }
    }

    switch (r.int(20)) {
    case 0:
        o.noauth = true;
        break;
    case 1:
        o.key = r.pick(['', 'x', 'sk-wrong', ' '.repeat(50), 'k'.repeat(7000),
                        SECRETS.key + 'x', SECRETS.key2]);
        break;
    case 2:
        // nginx refuses a second Authorization itself, as a header error
        o.headers = [['Authorization', 'Bearer sk-other'],
                     ['x-api-key', SECRETS.key]];
        o.what = 'duplicate header';
        break;
    case 3:
        // past nginx's header buffers: nginx's own 400, before any location
        o.headers = [['X-Big', 'b'.repeat(9000)]];
        o.what = 'big header';
        break;
    case 4:
        o.headers = Array.from({ length: 120 }, (_, i) => ['X-H' + i, 'v']);
        break;
    case 5:
        o.framing = 'chunked';
        break;
    case 6:
        o.framing = r.chance(0.5) ? 'short' : 'none';
        break;
    case 7:
        o.headers = [['Content-Type', r.pick(['text/plain', '', 'application/json; charset=latin1', 'multipart/form-data; boundary=x'])]];
        break;
    case 8:
        if (seed.surface === 'gemini') {
            o.path = seed.path.replace('$MODEL', r.pick([
                encodeURIComponent(r.pick(MODEL_NAMES)), '', ':', '%00',
                'gemini-2.5-flash:generateContent:x', '..%2F..%2Fx',
                'a'.repeat(3000)]));
            o.what = 'path';
        }
        break;
    default:
        break;
    }

    return request(seed, model, body, o);
}

// --- what an answer must be ---------------------------------------------

function errorShaped(surface, doc) {
    if (doc === null || typeof doc !== 'object') {
        return false;
    }
    const e = doc.error;
    switch (surface) {
    case 'anthropic':
        return doc.type === 'error' && e && typeof e.type === 'string'
               && typeof e.message === 'string';
    case 'gemini':
        return e && Number.isInteger(e.code) && typeof e.message === 'string'
               && typeof e.status === 'string';
    default:
        return e && typeof e.message === 'string'
               && typeof e.type === 'string';
    }
}

function json(buf) {
    try {
        return JSON.parse(buf.toString('utf8'));
    } catch (e) {
        return undefined;
    }
}

// a stream must end with its dialect's end, or with an error event
function streamEnds(surface, body) {
    const text = body.toString('utf8').replace(/\r\n/g, '\n');
    const events = text.split('\n\n').filter((e) => e.trim() !== '');
    if (events.length === 0) {
        return 'an empty stream';
    }
    let last = null;
    for (const e of events) {
        let ev = '';
        let data = '';
        for (const l of e.split('\n')) {
            if (l.startsWith('event:')) { ev = l.slice(6).trim(); }
            if (l.startsWith('data:')) { data += l.slice(5).trim(); }
        }
        if (data !== '[DONE]' && data !== '' && json(Buffer.from(data))
                                                 === undefined) {
            return 'an event that is not JSON: ' + data.slice(0, 120);
        }
        last = { ev, data };
    }
    const doc = last.data === '[DONE]' ? null : json(Buffer.from(last.data));
    if (doc && doc.error !== undefined) {
        return errorShaped(surface, doc) ? null
               : 'an error event not in the surface\'s shape';
    }
    switch (surface) {
    case 'anthropic':
        return last.ev === 'message_stop' ? null
               : 'a stream that ends with ' + (last.ev || 'no event');
    case 'gemini':
        return (doc && doc.candidates && doc.candidates[0]
                && doc.candidates[0].finishReason) ? null
               : 'a stream that ends without a finishReason';
    default:
        return last.data === '[DONE]' ? null
               : 'a stream that ends without [DONE]';
    }
}

// null when the answer is as it must be, else what is wrong
function judge(req, a) {
    const dialect = routeOf(req.model);
    // a path of its own may route anywhere, passed through included
    const passthrough = dialect === req.surface || req.what === 'path';

    if (a.error && !(passthrough && a.status)) {
        // a provider's own answer may be cut by the provider; the
        // gateway's never
        return (a.status ? `a ${a.status} answer cut: ` : 'no HTTP answer: ')
               + a.error;
    }
    if (a.error) {
        return null;
    }
    for (const [name, s] of Object.entries(SECRETS)) {
        if (a.raw.includes(s) || a.body.includes(s)) {
            return 'the secret ' + name + ' in the answer';
        }
    }
    if ((req.what === 'big header' || req.what === 'duplicate header'
         || /%00|%2[eE]%2[eE]|[\x00-\x1f]/.test(req.path))
        && [400, 414, 431, 494].includes(a.status))
    {
        // nginx's own page: refused before any location is chosen
        return null;
    }

    const ctype = a.headers['content-type'] || '';

    if (req.surface === 'admin') {
        return a.status !== 200 || json(a.body) !== undefined ? null
               : 'usage that is not JSON';
    }
    if (passthrough && a.status < 500) {
        // the provider's own bytes: its dialect is its own to judge
        return null;
    }
    if (a.status === 200 && ctype.startsWith('text/event-stream')) {
        const why = streamEnds(req.surface, a.body);
        return why ? 'a stream: ' + why : null;
    }
    if (req.method === 'HEAD') {
        return null;
    }
    const doc = json(a.body);
    if (doc === undefined) {
        return `a ${a.status} answer that is not JSON: `
               + JSON.stringify(a.body.toString('latin1').slice(0, 160));
    }
    if ((a.status >= 400 || (doc && doc.error !== undefined))
        && !errorShaped(req.surface, doc))
    {
        return `a ${a.status} error not in the ${req.surface} shape: `
               + JSON.stringify(a.body.toString('latin1').slice(0, 160));
    }
    return null;
}

// --- the run ------------------------------------------------------------

function sleep(ms) {
    return new Promise((ok) => setTimeout(ok, ms));
}

function curlOf(req) {
    return req.method + ' ' + req.path + '\n'
           + req.headers.map(([k, v]) => `${k}: ${String(v).slice(0, 200)}`)
               .join('\n')
           + (req.framing ? `\n(framing: ${req.framing})` : '');
}

async function main() {
    const dump = arg('dump', null);
    if (dump) {
        // the sweep's request of that id, as it is sent
        const seeds = loadSeeds();
        const known = [...seeds.reduce((s, x) => M.names(x.body, s),
                                       new Set())]
            .concat(['stream', 'system', 'tools', 'contents', 'input']);
        ids = 1;
        for (const q of sweep(seeds, known)) {
            if (q.id === Number(dump)) {
                process.stdout.write(C.build(q));
                return;
            }
        }
        return;
    }

    fs.rmSync(DIR, { recursive: true, force: true });
    for (const d of ['logs', 'tmp', 'failures']) {
        fs.mkdirSync(path.join(DIR, d), { recursive: true });
    }

    const mstats = {};
    const m = await mocks.start(SEED, mstats);
    const sock = path.join(DIR, 'gw.sock');
    fs.writeFileSync(path.join(DIR, 'nginx.conf'), config(m.ports, sock));

    const env = { ...process.env };
    if (ASAN) {
        // the workers run as nobody: their reports must be writable
        fs.chmodSync(DIR, 0o1777);
        env.LD_PRELOAD = ASAN;
        // the fast unwinder: the slow one on every malloc makes a 500 KB
        // body cost seconds (200 times the plain build), and a worker
        // that busy starves its other connections into 408s; the module
        // keeps its frame pointers, only nginx's own frames go unnamed
        env.ASAN_OPTIONS = 'detect_leaks=1:fast_unwind_on_malloc=1:log_path='
                           + path.join(DIR, 'asan');
    }
    const nginx = spawn(NGINX, ['-p', DIR + '/', '-c',
                                path.join(DIR, 'nginx.conf')],
                        { env, stdio: ['ignore', 'inherit', 'inherit'] });
    let exited = null;
    nginx.on('exit', (code, sig) => { exited = { code, sig }; });

    const seeds = loadSeeds();
    const known = [...seeds.reduce((s, x) => M.names(x.body, s), new Set())]
        .concat(['stream', 'system', 'tools', 'contents', 'input']);
    const probe = request(seeds.find((s) => s.name === 'openai-models'),
                          '-', null);

    for (let i = 0; ; i++) {
        if (exited) {
            console.error('nginx exited at start:', exited);
            process.exit(1);
        }
        if (fs.existsSync(sock)) {
            const [a] = await C.exchange(sock, [probe], 2000);
            if (a.status === 200) {
                break;
            }
        }
        if (i > 100) {
            console.error('the gateway did not start');
            process.exit(1);
        }
        await sleep(100);
    }

    const r = M.rng(SEED);
    const sw = sweep(seeds, known);
    const deadline = Date.now() + SECONDS * 1000;
    const stats = { requests: 0, sweep: 0, random: 0, statuses: {},
                    surfaces: {} };
    const failures = [];
    let swept = false;

    const next = () => {
        if (Date.now() > deadline || failures.length >= 20) {
            return null;
        }
        if (!swept) {
            const s = sw.next();
            if (!s.done) {
                stats.sweep++;
                return [s.value];
            }
            swept = true;
        }
        stats.random++;
        // now and then two or three requests on one kept-alive connection
        const n = r.chance(0.15) ? 2 + r.int(2) : 1;
        const reqs = [];
        for (let i = 0; i < n; i++) {
            const q = randomRequest(seeds, known, r);
            q.keepalive = i < n - 1;
            reqs.push(q);
            if (q.framing === 'short' || q.framing === 'none'
                || q.what === 'big header')
            {
                // what follows on this connection is not a request
                q.keepalive = false;
                break;
            }
        }
        return reqs;
    };

    const worker = async () => {
        for (let reqs = next(); reqs; reqs = next()) {
            const answers = await C.exchange(sock, reqs, TIMEOUT);
            reqs.forEach((q, i) => {
                const a = answers[i];
                if (a.unsent) {
                    return;
                }
                q.after = reqs.slice(0, i).map((p, j) =>
                    `${p.id}: ${answers[j].status} `
                    + (answers[j].headers || {}).connection);
                stats.requests++;
                const k = a.error ? 'none' : String(a.status);
                stats.statuses[k] = (stats.statuses[k] || 0) + 1;
                const sk = q.seed;
                stats.surfaces[sk] = (stats.surfaces[sk] || 0) + 1;
                const why = judge(q, a);
                if (why && failures.length < 20) {
                    const f = path.join(DIR, 'failures',
                                        `${failures.length + 1}.http`);
                    fs.writeFileSync(f, C.build(q));
                    failures.push({ why, request: curlOf(q), file: f,
                                    id: q.id, after: q.after,
                                    what: q.what, model: q.model,
                                    answer: a.raw ? a.raw.toString('latin1')
                                        .slice(0, 300) : null });
                }
            });
        }
    };

    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    if (HOLD) {
        // for a look at a failure by hand: the gateway stays up
        console.log(`fuzz-http: holding; the gateway is on ${sock}`);
        await new Promise((ok) => process.once('SIGINT', ok));
    }

    // the gateway still answers, then it stops
    const [last] = await C.exchange(sock, [probe], 5000);
    if (last.status !== 200) {
        failures.push({ why: 'the gateway does not answer after the run: '
                             + (last.error || last.status) });
    }
    nginx.kill('SIGQUIT');
    for (let i = 0; i < 100 && !exited; i++) {
        await sleep(100);
    }
    if (!exited) {
        nginx.kill('SIGKILL');
    }
    await m.stop();

    const log = fs.readFileSync(path.join(DIR, 'logs/error.log'), 'latin1');
    const access = fs.readFileSync(path.join(DIR, 'logs/access.log'),
                                   'latin1');
    for (const l of log.split('\n')) {
        // ASan ends a worker with exit code 1, not a signal
        if (/exited on signal|exited with code [1-9]|\[(alert|emerg|crit)\]/
                .test(l)
            || /AddressSanitizer|Can't open file/.test(l)) {
            failures.push({ why: 'error.log: ' + l.slice(0, 300) });
        }
    }
    // nginx itself logs, at info, both values of a header it allows once
    // ("client sent duplicate header line"): the README says so
    const ours = log.split('\n')
        .filter((l) => !l.includes('client sent duplicate header line'))
        .join('\n');
    for (const [name, s] of Object.entries(SECRETS)) {
        for (const [file, text] of [['error.log', ours],
                                    ['access.log', access]]) {
            const at = text.indexOf(s);
            if (at >= 0) {
                const l = text.lastIndexOf('\n', at) + 1;
                failures.push({ why: `the secret ${name} in ${file}: `
                                     + text.slice(l, l + 300) });
            }
        }
    }
    // memory errors, and leaks through the module (the suite's own rule)
    const reports = fs.readdirSync(DIR).filter((x) => x.startsWith('asan.'))
        .map((x) => path.join(DIR, x));
    if (ASAN) {
        const check = require('child_process').spawnSync('bash',
            [path.join(__dirname, '..', 'asan-check.sh')].concat(reports),
            { encoding: 'latin1' });
        console.log(check.stdout.split('\n').slice(-2).join(''));
        if (check.status !== 0) {
            failures.push({ why: 'AddressSanitizer:\n'
                                 + check.stdout.split('\n').slice(0, 40)
                                       .join('\n') });
        }
    }

    // what the gateway logged of each failed request, by its id
    for (const f of failures.filter((x) => x.id)) {
        const line = access.split('\n')
            .find((l) => l.includes(` id=${f.id} `));
        const conn = line && /^\S+ \S+ (\*\d+) /.exec(line);
        f.log = [line || '(not in access.log)'].concat(conn
            ? log.split('\n').filter((l) => l.includes(conn[1] + ' ')
                                            && !l.includes('[debug]'))
                .slice(0, 8).map((l) => l.slice(0, 240))
            : []);
    }

    const hostile = Object.entries(mstats)
        .filter(([k]) => !k.endsWith(' normal'))
        .reduce((s, [, v]) => s + v, 0);
    console.log(`fuzz-http: seed ${SEED}, ${SECONDS} s, ${stats.requests} `
                + `requests (${stats.sweep} sweep jobs${swept ? ', done'
                                                            : ', cut short'}, `
                + `${stats.random} random), provider answers `
                + `${Object.values(mstats).reduce((s, v) => s + v, 0)} `
                + `(${hostile} hostile); statuses `
                + JSON.stringify(stats.statuses));
    console.log('fuzz-http: per seed ' + JSON.stringify(stats.surfaces));

    if (failures.length) {
        for (const f of failures) {
            console.log('\nFAIL: ' + f.why);
            if (f.request) {
                console.log(`  (${f.what}, model ${JSON.stringify(f.model)
                    .slice(0, 80)}) ${f.file}\n  ` + f.request.replace(/\n/g,
                                                                   '\n  '));
                console.log('  answer: ' + JSON.stringify(f.answer));
                if (f.after.length) {
                    console.log('  after, on its connection: '
                                + f.after.join(', '));
                }
                console.log('  log: ' + f.log.join('\n       '));
            }
        }
        console.log(`\nfuzz-http: ${failures.length} failure(s); `
                    + `repeat with --seed ${SEED}`);
        process.exit(1);
    }

    console.log('fuzz-http: no crash, every request answered in its '
                + 'surface\'s shape, no secret seen');
}

main().catch((e) => { console.error(e); process.exit(1); });
