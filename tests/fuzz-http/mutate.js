'use strict';

// JSON documents and the hostile things done to them: values of other
// types, members added, removed and given twice, deep nesting, huge
// arrays and strings, truncation, invalid UTF-8.  Documents are plain
// values, except where JSON can say what JavaScript cannot: a Raw is
// bytes written as they are (1e999, invalid UTF-8 in a string), a Pairs
// an object whose members may repeat.  Everything is drawn from one
// seeded generator, so a run is repeated by its seed.

class Raw {
    constructor(text) { this.text = text; }
}

class Pairs {
    constructor(pairs) { this.pairs = pairs; }
}

function rng(seed) {
    let s = seed >>> 0;
    const next = () => {
        // mulberry32
        s = (s + 0x6d2b79f5) >>> 0;
        let t = s;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    next.int = (n) => Math.floor(next() * n);
    next.pick = (a) => a[Math.floor(next() * a.length)];
    next.chance = (p) => next() < p;
    return next;
}

function deep(n) {
    return new Raw('['.repeat(n) + ']'.repeat(n));
}

// the values put where another is expected; each one a class of its own
const HOSTILE = [
    [], {}, [[]], [[[]]], [{}], [1], [null], null, true, false, 0, -1,
    1.5, new Raw('1e999'), new Raw('-1e999'), new Raw('9223372036854775808'),
    new Raw('-0'), new Raw('1E400'), '', ' ', 'x', '\u0000', '\ud800',
    new Raw('"\\ud800"'), new Raw('"\\udc00\\ud800"'),
    new Raw(Buffer.from([0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22])),
    new Raw(Buffer.from([0x22, 0xe2, 0x82, 0x22])),
    'a'.repeat(70000), { type: 'text' }, { text: 1 }, [{ type: 1 }],
    [{ text: [] }], { name: {} }, deep(200), deep(1100),
];

function hostile(r) {
    return r.pick(HOSTILE);
}

function isObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v)
        && !(v instanceof Raw) && !(v instanceof Pairs);
}

// every place in a document: {parent, key} pairs, the root's parent null
function places(doc) {
    const out = [];
    const walk = (v, parent, key) => {
        out.push({ parent, key, value: v });
        if (Array.isArray(v)) {
            v.forEach((e, i) => walk(e, v, i));
        } else if (isObject(v)) {
            for (const k of Object.keys(v)) {
                walk(v[k], v, k);
            }
        }
    };
    walk(doc, null, null);
    return out;
}

function objects(doc) {
    return places(doc).filter((p) => isObject(p.value));
}

// every member name of a document, for adding them elsewhere
function names(doc, into) {
    for (const p of places(doc)) {
        if (p.parent && !Array.isArray(p.parent)) {
            into.add(p.key);
        }
    }
    return into;
}

function clone(v) {
    if (v instanceof Raw || v instanceof Pairs) {
        return v;
    }
    return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

// one structural mutation of a copy of the document
function mutate(doc, r, known) {
    const d = clone(doc);
    const all = places(d);
    const p = r.pick(all);
    const kind = r.int(10);

    if (p.parent === null) {
        // the root itself
        return r.chance(0.5) ? hostile(r) : [d];
    }

    switch (kind) {
    case 0: case 1: case 2: case 3:
        p.parent[p.key] = clone(hostile(r));
        break;
    case 4:
        // removed
        if (Array.isArray(p.parent)) {
            p.parent.splice(p.key, 1);
        } else {
            delete p.parent[p.key];
        }
        break;
    case 5: {
        // a known member added to some object, with a hostile value
        const o = r.pick(objects(d));
        if (o) {
            o.value[r.pick(known)] = clone(hostile(r));
        }
        break;
    }
    case 6:
        // wrapped
        p.parent[p.key] = r.chance(0.5) ? [p.value] : { v: p.value };
        break;
    case 7: {
        // a member given twice: the copy's parent becomes pairs
        if (!Array.isArray(p.parent)) {
            const pairs = Object.keys(p.parent)
                .map((k) => [k, p.parent[k]]);
            pairs.push([p.key, clone(hostile(r))]);
            return replace(d, p.parent, new Pairs(pairs));
        }
        p.parent.push(clone(hostile(r)));
        break;
    }
    case 8:
        // huge: an array of many, or a long string
        p.parent[p.key] = r.chance(0.5)
            ? new Array(20000 + r.int(100000)).fill(r.chance(0.5) ? 1 : 'a')
            : 'x'.repeat(100000 + r.int(400000));
        break;
    default: {
        // two places swapped
        const q = r.pick(all);
        if (q.parent && q.parent !== p.value && p.parent !== q.value) {
            const t = p.parent[p.key];
            p.parent[p.key] = q.parent[q.key];
            q.parent[q.key] = t;
        }
    }
    }

    return d;
}

// a document with one object replaced by another value (by identity)
function replace(doc, target, by) {
    if (doc === target) {
        return by;
    }
    const walk = (v) => {
        if (Array.isArray(v)) {
            for (let i = 0; i < v.length; i++) {
                if (v[i] === target) { v[i] = by; return true; }
                if (walk(v[i])) { return true; }
            }
        } else if (isObject(v)) {
            for (const k of Object.keys(v)) {
                if (v[k] === target) { v[k] = by; return true; }
                if (walk(v[k])) { return true; }
            }
        }
        return false;
    };
    walk(doc);
    return doc;
}

// JSON text as bytes, Raw and Pairs included
function emit(v) {
    const parts = [];
    const out = (x) => {
        if (x instanceof Raw) {
            parts.push(Buffer.isBuffer(x.text) ? x.text : Buffer.from(x.text));
        } else if (x instanceof Pairs) {
            parts.push(Buffer.from('{'));
            x.pairs.forEach(([k, e], i) => {
                parts.push(Buffer.from((i ? ',' : '') + JSON.stringify(k)
                                       + ':'));
                out(e);
            });
            parts.push(Buffer.from('}'));
        } else if (Array.isArray(x)) {
            parts.push(Buffer.from('['));
            x.forEach((e, i) => {
                if (i) { parts.push(Buffer.from(',')); }
                out(e);
            });
            parts.push(Buffer.from(']'));
        } else if (isObject(x)) {
            parts.push(Buffer.from('{'));
            Object.keys(x).forEach((k, i) => {
                parts.push(Buffer.from((i ? ',' : '') + JSON.stringify(k)
                                       + ':'));
                out(x[k]);
            });
            parts.push(Buffer.from('}'));
        } else if (x === undefined) {
            parts.push(Buffer.from('null'));
        } else {
            parts.push(Buffer.from(JSON.stringify(x)));
        }
    };
    out(v);
    return Buffer.concat(parts);
}

// byte-level damage to a body
function damage(buf, r) {
    const b = Buffer.from(buf);
    switch (r.int(7)) {
    case 0:
        return b.subarray(0, r.int(b.length + 1));
    case 1:
        if (b.length) { b[r.int(b.length)] = r.int(256); }
        return b;
    case 2: {
        const at = r.int(b.length + 1);
        return Buffer.concat([b.subarray(0, at),
                              Buffer.from(r.pick([[0xff], [0xc0, 0x80],
                                                  [0xed, 0xa0, 0x80],
                                                  [0xf4, 0x90, 0x80, 0x80],
                                                  [0x00]])),
                              b.subarray(at)]);
    }
    case 3:
        return Buffer.concat([b, Buffer.from(r.pick(['}', ']', ',', ' x',
                                                      '{}', '\u0000']))]);
    case 4:
        return Buffer.from(r.pick(['', ' ', 'null', '[]', '"s"', '{', 'x',
                                   '{"a":1}{"b":2}', '\ufeff{}']));
    case 5: {
        // a long run of nesting where the document begins
        const n = r.pick([100, 129, 1000, 20000]);
        return Buffer.concat([Buffer.from('{"a":' + '['.repeat(n)),
                              Buffer.from(']'.repeat(n) + '}')]);
    }
    default:
        return b.subarray(0, Math.max(0, b.length - 1 - r.int(4)));
    }
}

module.exports = {
    Raw, Pairs, HOSTILE, rng, hostile, places, objects, names, clone,
    mutate, emit, damage, isObject,
};
