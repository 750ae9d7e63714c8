/**
 * What the LB hosts' rendered files must say for the VIP to survive a dead HAProxy, read back
 * from the files themselves (keepalived.conf, haproxy.cfg), so tests judge what a stack ships
 * rather than a renderer's defaults.
 */

/** One LB host's VRRP instance and tracked check, as its keepalived.conf says. */
export interface VrrpHost {
    readonly host: string;
    readonly state: string;
    readonly priority: number;
    readonly preempt: boolean;
    readonly advertInt: number;
    readonly check: { readonly interval: number; readonly timeout: number; readonly fall: number; readonly rise: number; readonly weight: number };
}

function keyword(conf: string, key: string): string {
    const m = new RegExp(`^\\s*${key} (\\S+)$`, "m").exec(conf);
    if (!m) throw new Error(`keepalived.conf has no ${key}`);
    return m[1];
}

/** Reads the values failover depends on from one host's keepalived.conf. */
export function parseKeepalived(host: string, conf: string): VrrpHost {
    const num = (key: string) => Number(keyword(conf, key));
    return {
        host,
        state: keyword(conf, "state"),
        priority: num("priority"),
        preempt: !/^\s*nopreempt$/m.test(conf),
        advertInt: num("advert_int"),
        check: { interval: num("interval"), timeout: num("timeout"), fall: num("fall"), rise: num("rise"), weight: num("weight") },
    };
}

/**
 * Why the VIP would not move to a healthy host when any one host's check fails (HAProxy dead),
 * or would not stay put when they all fail; empty when it does both. With preemption a failing
 * check lowers its host's priority by |weight|: the failing holder must then rank below the
 * best healthy host, and when every check fails the order must not change.
 */
export function failoverProblems(hosts: readonly VrrpHost[]): string[] {
    const problems: string[] = [];
    const masters = hosts.filter((h) => h.state === "MASTER");
    if (masters.length !== 1) problems.push(`expected one MASTER, got ${masters.map((m) => m.host).join(", ") || "none"}`);
    for (const failing of hosts) {
        if (!failing.preempt || failing.check.weight >= 0) {
            problems.push(`${failing.host}: a failing check must lower its priority (weight ${failing.check.weight}, preempt ${failing.preempt})`);
            continue;
        }
        const effective = hosts.map((h) => ({ h, p: h === failing ? h.priority + h.check.weight : h.priority }));
        const top = Math.max(...effective.map((e) => e.p));
        const holders = effective.filter((e) => e.p === top).map((e) => e.h);
        if (holders.includes(failing)) {
            problems.push(
                `${failing.host} (priority ${failing.priority}, weight ${failing.check.weight}) keeps the VIP with its HAProxy dead: ` +
                    `another host needs a priority above ${failing.priority + failing.check.weight}`,
            );
        }
    }
    return problems;
}

/** The `default-server` settings of haproxy.cfg's API backend. */
export function haproxyCheck(cfg: string): { inter: string; fastinter: string; fall: number; rise: number; path: string } {
    const ds = /^\s*default-server inter (\S+) fastinter (\S+) fall (\d+) rise (\d+)/m.exec(cfg);
    const path = /^\s*http-check send meth GET uri (\S+)$/m.exec(cfg);
    if (!ds || !path) throw new Error("haproxy.cfg has no default-server check settings or no http-check path");
    return { inter: ds[1], fastinter: ds[2], fall: Number(ds[3]), rise: Number(ds[4]), path: path[1] };
}
