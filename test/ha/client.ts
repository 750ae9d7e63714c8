/**
 * Load clients for the HA drills, run inside the lab's client namespace. Node builtins only; each
 * attempt is printed as one JSON line (`Sample`), timestamps from Date.now() (same clock as the test).
 *
 *   client.ts api <host> <port> <servername|-> <ca> <intervalMs> <timeoutMs> <path>
 *       Starts a request every intervalMs (fixed rate, so a hanging request does not slow the
 *       probe), each on a NEW TLS connection (what a reconnecting client meets), verifying the CA
 *       and the name (servername, or the IP SAN of <host> when `-`), aborted after timeoutMs.
 *   client.ts check <host> <port> <servername|-> <ca> <path>
 *       One such request; prints its Sample, exits 0 when it succeeded.
 *   client.ts etcd-writer <endpoints,> <ca> <cert> <key> <prefix> <timeoutMs> <minIntervalMs>
 *       Sequential puts `<prefix>/<seq>` = `<seq>` through etcd's v3 JSON gateway (mutual TLS),
 *       one at a time, a persistent connection per endpoint; a failed or timed-out put moves to
 *       the next endpoint (as clientv3 does). `ok` = acknowledged (HTTP 200 with a revision).
 *   client.ts etcd-read <endpoints,> <ca> <cert> <key> <prefix> <timeoutMs>
 *       Linearizable range read of the prefix from the first endpoint that answers; prints
 *       `{"endpoint":..., "values": {"<seq>": "<value>"}}`.
 */
import * as fs from "fs";
import * as https from "https";
import { URL } from "url";

/** One attempt. */
export interface Sample {
    /** Start and end, ms since the epoch. */
    readonly s: number;
    readonly e: number;
    readonly ok: boolean;
    /** Which API server answered (api mode). */
    readonly by?: string;
    /** Sequence number (etcd writer). */
    readonly seq?: number;
    /** Endpoint used (etcd). */
    readonly ep?: string;
    readonly err?: string;
}

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string): string => Buffer.from(s, "base64").toString("utf8");

function emit(x: unknown): void {
    process.stdout.write(`${JSON.stringify(x)}\n`);
}

function apiRequest(host: string, port: number, servername: string | undefined, ca: Buffer, urlPath: string, timeoutMs: number): Promise<Sample> {
    const s = Date.now();
    return new Promise((resolve) => {
        let done = false;
        const finish = (ok: boolean, extra: { by?: string; err?: string }) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            resolve({ s, e: Date.now(), ok, ...extra });
        };
        const req = https.request(
            { host, port, path: urlPath, method: "GET", ca, servername, agent: false, headers: { connection: "close" } },
            (res) => {
                let body = "";
                res.setEncoding("utf8");
                res.on("data", (c: string) => (body += c));
                res.on("end", () => {
                    const by = String(res.headers["x-server"] ?? "");
                    if (res.statusCode === 200) finish(true, { by });
                    else finish(false, { by, err: `HTTP ${res.statusCode}` });
                });
                res.on("error", (e) => finish(false, { err: (e as NodeJS.ErrnoException).code ?? e.message }));
            },
        );
        const timer = setTimeout(() => {
            finish(false, { err: "TIMEOUT" });
            req.destroy();
        }, timeoutMs);
        req.on("error", (e) => finish(false, { err: (e as NodeJS.ErrnoException).code ?? e.message }));
        req.end();
    });
}

async function apiMode(a: readonly string[]): Promise<void> {
    const [host, port, sn, caFile, intervalMs, timeoutMs, urlPath] = a;
    const ca = fs.readFileSync(caFile);
    const servername = sn === "-" ? undefined : sn;
    const every = Number(intervalMs);
    let next = Date.now();
    for (;;) {
        void apiRequest(host, Number(port), servername, ca, urlPath, Number(timeoutMs)).then(emit);
        next += every;
        const wait = next - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        else next = Date.now(); // fell behind (CPU starved): do not burst
    }
}

async function checkMode(a: readonly string[]): Promise<void> {
    const [host, port, sn, caFile, urlPath] = a;
    const r = await apiRequest(host, Number(port), sn === "-" ? undefined : sn, fs.readFileSync(caFile), urlPath ?? "/api", 5000);
    emit(r);
    process.exit(r.ok ? 0 : 1);
}

interface EtcdTls {
    readonly ca: Buffer;
    readonly cert: Buffer;
    readonly key: Buffer;
}

function etcdPost(endpoint: string, agent: https.Agent, tls: EtcdTls, api: string, body: unknown, timeoutMs: number): Promise<{ status: number; json: Record<string, unknown> }> {
    const u = new URL(api, endpoint);
    const data = JSON.stringify(body);
    return new Promise((resolve, reject) => {
        let done = false;
        const req = https.request(
            { host: u.hostname, port: Number(u.port), path: u.pathname, method: "POST", agent, ca: tls.ca, cert: tls.cert, key: tls.key, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) } },
            (res) => {
                let text = "";
                res.setEncoding("utf8");
                res.on("data", (c: string) => (text += c));
                res.on("end", () => {
                    if (done) return;
                    done = true;
                    clearTimeout(timer);
                    try {
                        resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> });
                    } catch {
                        resolve({ status: res.statusCode ?? 0, json: { error: text.slice(0, 200) } });
                    }
                });
                res.on("error", (e) => {
                    if (!done) {
                        done = true;
                        clearTimeout(timer);
                        reject(e);
                    }
                });
            },
        );
        const timer = setTimeout(() => {
            if (done) return;
            done = true;
            req.destroy();
            reject(new Error("TIMEOUT"));
        }, timeoutMs);
        req.on("error", (e) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            reject(e);
        });
        req.end(data);
    });
}

function loadTls(ca: string, cert: string, key: string): EtcdTls {
    return { ca: fs.readFileSync(ca), cert: fs.readFileSync(cert), key: fs.readFileSync(key) };
}

async function etcdWriter(a: readonly string[]): Promise<void> {
    const [eps, ca, cert, key, prefix, timeoutMs, minIntervalMs] = a;
    const endpoints = eps.split(",");
    const tls = loadTls(ca, cert, key);
    const newAgent = () => new https.Agent({ keepAlive: true, maxSockets: 1 });
    const agents = endpoints.map(newAgent);
    let cur = 0;
    const gap = Number(minIntervalMs);
    for (let seq = 1; ; seq++) {
        const s = Date.now();
        const ep = endpoints[cur];
        let sample: Sample;
        try {
            const r = await etcdPost(ep, agents[cur], tls, "/v3/kv/put", { key: b64(`${prefix}/${seq}`), value: b64(String(seq)) }, Number(timeoutMs));
            const header = r.json.header as { revision?: string } | undefined;
            const ok = r.status === 200 && !!header?.revision;
            sample = { s, e: Date.now(), ok, seq, ep, ...(ok ? {} : { err: `HTTP ${r.status} ${String(r.json.error ?? r.json.message ?? "").slice(0, 80)}` }) };
        } catch (e) {
            sample = { s, e: Date.now(), ok: false, seq, ep, err: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
        }
        emit(sample);
        if (!sample.ok) {
            agents[cur].destroy();
            agents[cur] = newAgent();
            cur = (cur + 1) % endpoints.length;
        }
        const wait = s + gap - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
}

async function etcdRead(a: readonly string[]): Promise<void> {
    const [eps, ca, cert, key, prefix, timeoutMs] = a;
    const tls = loadTls(ca, cert, key);
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    const errors: string[] = [];
    for (const ep of eps.split(",")) {
        try {
            const agent = new https.Agent({ keepAlive: false });
            const r = await etcdPost(ep, agent, tls, "/v3/kv/range", { key: b64(prefix), range_end: b64(end) }, Number(timeoutMs));
            if (r.status !== 200) {
                errors.push(`${ep}: HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 120)}`);
                continue;
            }
            const values: Record<string, string> = {};
            for (const kv of (r.json.kvs as { key: string; value: string }[] | undefined) ?? []) {
                values[unb64(kv.key).slice(prefix.length + 1)] = unb64(kv.value ?? "");
            }
            emit({ endpoint: ep, values });
            process.exit(0);
        } catch (e) {
            errors.push(`${ep}: ${(e as Error).message}`);
        }
    }
    emit({ errors });
    process.exit(1);
}

if (require.main === module) {
    const [mode, ...rest] = process.argv.slice(2);
    for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => process.exit(0));
    const modes: Record<string, (a: readonly string[]) => Promise<void>> = { api: apiMode, check: checkMode, "etcd-writer": etcdWriter, "etcd-read": etcdRead };
    const f = modes[mode];
    if (!f) {
        process.stderr.write(`usage: client.ts api|check|etcd-writer|etcd-read ...\n`);
        process.exit(2);
    }
    f(rest).catch((e: Error) => {
        process.stderr.write(`client: ${e.stack ?? e.message}\n`);
        process.exit(1);
    });
}
