import { strict as assert } from "assert";
import {
    KEEPALIVED_DEFAULTS,
    KeepalivedInput,
    renderCheckApiserverScript,
    renderKeepalivedConf,
    renderVrrpAuth,
} from "../../components/render/keepalived";
import { CHECK_SCRIPT, VRRP_AUTH_FILE } from "../../components/render/paths";
import { golden } from "./golden";


const SECRET = "Zq7-xY9k";

/** The seeds' LB hosts: lb-a 211.183.3.251 (first, MASTER), lb-b 211.183.3.252; VIP 211.183.3.250/24 on ens32. */
function lb(which: "a" | "b", over: Partial<KeepalivedInput> = {}): KeepalivedInput {
    const a = which === "a";
    return {
        routerId: a ? "lb-a" : "lb-b",
        interface: "ens32",
        virtualRouterId: 51,
        priority: a ? 150 : 100,
        initialState: a ? "MASTER" : "BACKUP",
        advertIntervalSec: KEEPALIVED_DEFAULTS.advertIntervalSec,
        unicastSrcIp: a ? "211.183.3.251" : "211.183.3.252",
        unicastPeers: [a ? "211.183.3.252" : "211.183.3.251"],
        vip: "211.183.3.250",
        vipPrefix: 24,
        authIncludePath: VRRP_AUTH_FILE,
        checkScriptPath: CHECK_SCRIPT,
        check: KEEPALIVED_DEFAULTS.check,
        preempt: KEEPALIVED_DEFAULTS.preempt,
        ...over,
    };
}

/** The lines inside `head { ... }` (first match), trimmed; nested blocks included flat. */
function blockOf(conf: string, head: string): string[] {
    const lines = conf.split("\n").map((l) => l.trim());
    const start = lines.indexOf(`${head} {`);
    assert.ok(start >= 0, `no block ${head}`);
    const out: string[] = [];
    let depth = 1;
    for (let i = start + 1; i < lines.length; i++) {
        if (lines[i].endsWith("{")) depth++;
        if (lines[i] === "}" && --depth === 0) return out;
        out.push(lines[i]);
    }
    assert.fail(`block ${head} is not closed`);
}

describe("render/keepalived", () => {
    describe("golden files", () => {
        it("keepalived-lb-a.conf (MASTER, 150)", () => golden("keepalived-lb-a.conf", renderKeepalivedConf(lb("a"))));
        it("keepalived-lb-b.conf (BACKUP, 100)", () => golden("keepalived-lb-b.conf", renderKeepalivedConf(lb("b"))));
        it("keepalived-nopreempt.conf (FAULT semantics)", () =>
            golden(
                "keepalived-nopreempt.conf",
                renderKeepalivedConf(lb("a", { initialState: "BACKUP", preempt: false, check: { ...KEEPALIVED_DEFAULTS.check, weight: 0 } })),
            ));
        it("check_apiserver.sh", () =>
            golden(
                "check_apiserver.sh",
                renderCheckApiserverScript({ frontendPort: 6443, apiPath: "/readyz", timeoutSec: KEEPALIVED_DEFAULTS.checkScriptCurlTimeoutSec }),
            ));
    });

    describe("keepalived.conf fragments", () => {
        const a = renderKeepalivedConf(lb("a"));
        const b = renderKeepalivedConf(lb("b"));

        it("unicast peers: the other LB host, from this host's address", () => {
            assert.deepEqual(blockOf(a, "unicast_peer"), ["211.183.3.252"]);
            assert.deepEqual(blockOf(b, "unicast_peer"), ["211.183.3.251"]);
            assert.ok(blockOf(a, "vrrp_instance VI_APISERVER").includes("unicast_src_ip 211.183.3.251"));
            assert.ok(blockOf(b, "vrrp_instance VI_APISERVER").includes("unicast_src_ip 211.183.3.252"));
            assert.ok(!/mcast/.test(a), "no multicast settings");
        });

        it("three LB hosts: two peers each", () => {
            const c = renderKeepalivedConf(lb("a", { unicastPeers: ["211.183.3.252", "211.183.3.253"] }));
            assert.deepEqual(blockOf(c, "unicast_peer"), ["211.183.3.252", "211.183.3.253"]);
        });

        it("the VIP line", () => {
            assert.deepEqual(blockOf(a, "virtual_ipaddress"), ["211.183.3.250/24 dev ens32"]);
        });

        it("the password is included from the root-only file, never inline", () => {
            for (const conf of [a, b]) {
                assert.deepEqual(blockOf(conf, "authentication"), ["auth_type PASS", "includea /etc/keepalived/vrrp-auth.conf"]);
                assert.ok(!conf.includes(SECRET));
                assert.ok(!/auth_pass/.test(conf), "no auth_pass in keepalived.conf");
            }
            assert.equal(renderVrrpAuth(SECRET), `auth_pass ${SECRET}\n`);
        });

        it("state, priority, VRRPv2, garp and preempt", () => {
            const ia = blockOf(a, "vrrp_instance VI_APISERVER");
            const ib = blockOf(b, "vrrp_instance VI_APISERVER");
            for (const line of ["state MASTER", "priority 150", "interface ens32", "virtual_router_id 51", "advert_int 1", "version 2"]) {
                assert.ok(ia.includes(line), `lb-a: missing ${line}`);
            }
            assert.ok(ib.includes("state BACKUP") && ib.includes("priority 100"));
            assert.ok(ia.includes("garp_master_delay 1") && ia.includes("garp_master_refresh 60"));
            assert.ok(!ia.includes("nopreempt"));
            const np = renderKeepalivedConf(lb("a", { initialState: "BACKUP", preempt: false, check: { ...KEEPALIVED_DEFAULTS.check, weight: 0 } }));
            assert.ok(blockOf(np, "vrrp_instance VI_APISERVER").includes("nopreempt"));
            const g = renderKeepalivedConf(lb("a", { garpMasterDelaySec: 0, garpMasterRefreshSec: 0 }));
            assert.ok(g.includes("    garp_master_delay 0\n") && g.includes("    garp_master_refresh 0\n"));
        });

        it("VRRPv3: version 3, centisecond adverts, only listed peers' adverts, no authentication", () => {
            const v3 = renderKeepalivedConf(lb("a", { vrrpVersion: 3, advertIntervalSec: 0.2 }));
            const inst = blockOf(v3, "vrrp_instance VI_APISERVER");
            for (const line of ["version 3", "advert_int 0.2", "check_unicast_src"]) assert.ok(inst.includes(line), `missing ${line}`);
            assert.doesNotMatch(v3, /authentication|auth_type|includea|version 2/);
            assert.equal(renderKeepalivedConf(lb("a", { vrrpVersion: 2 })), a, "vrrpVersion 2 is the default rendering");
            assert.ok(!a.includes("check_unicast_src"), "v2 keeps PASS authentication instead");
        });

        it("the check script is tracked, with script security", () => {
            assert.deepEqual(blockOf(a, "global_defs"), ["router_id lb-a", "enable_script_security", "script_user root"]);
            assert.deepEqual(blockOf(a, "vrrp_script chk_apiserver"), [
                `script "/etc/keepalived/check_apiserver.sh"`,
                "interval 1",
                "timeout 3",
                "fall 2",
                "rise 2",
                "weight -60",
            ]);
            assert.deepEqual(blockOf(a, "track_script"), ["chk_apiserver"]);
        });

        it("braces balance", () => {
            for (const conf of [a, b]) {
                assert.equal((conf.match(/\{/g) ?? []).length, (conf.match(/\}/g) ?? []).length);
            }
        });
    });

    describe("check_apiserver.sh", () => {
        const s = renderCheckApiserverScript({ frontendPort: 8443, apiPath: "/livez", timeoutSec: 4 });
        it("bash, checks haproxy then the API through the local frontend", () => {
            assert.ok(s.startsWith("#!/usr/bin/env bash\n"));
            assert.ok(s.includes("pidof haproxy"));
            assert.ok(s.includes("curl -sk --fail --noproxy '*' --max-time 4 -o /dev/null https://127.0.0.1:8443/livez"));
            assert.ok(s.indexOf("pidof haproxy") < s.indexOf("curl "));
        });
    });

    describe("errors", () => {
        const cases: [string, Partial<KeepalivedInput>, string][] = [
            ["no peers", { unicastPeers: [] }, "keepalived: unicastPeers must list the other LB hosts (got none)"],
            ["self as peer", { unicastPeers: ["211.183.3.251"] }, "keepalived: unicastPeers must not contain this host's own address 211.183.3.251"],
            ["duplicate peer", { unicastPeers: ["211.183.3.252", "211.183.3.252"] }, "keepalived: unicast peer 211.183.3.252 is listed twice"],
            ["priority 0", { priority: 0 }, "keepalived: priority must be a whole number from 1 to 254 (got 0)"],
            ["priority 255", { priority: 255 }, "keepalived: priority must be a whole number from 1 to 254 (got 255)"],
            ["weight", { check: { ...KEEPALIVED_DEFAULTS.check, weight: -254 } }, "keepalived: check.weight must be a whole number from -253 to 253 (got -254)"],
            [
                "nopreempt on a MASTER",
                { preempt: false, check: { ...KEEPALIVED_DEFAULTS.check, weight: 0 } },
                "keepalived: preempt: false (nopreempt) needs initialState BACKUP: keepalived ignores nopreempt on a MASTER",
            ],
            [
                "nopreempt with a weighted check",
                { preempt: false, initialState: "BACKUP" },
                "keepalived: preempt: false (nopreempt) needs check.weight 0 (got -60): with nopreempt a backup never takes the VIP from a master whose priority only dropped, so a failing check would not move it",
            ],
        ];
        for (const [what, over, message] of cases) {
            it(what, () => assert.throws(() => renderKeepalivedConf(lb("a", over)), { message }));
        }

        it("VRRP password: 1..8 safe characters, and the message never echoes it", () => {
            const message = "keepalived: the VRRP password must be 1 to 8 characters from letters, digits and _ . + = / @ % : , ^ * ~ -";
            for (const bad of ["", "123456789", "a b", "a#b", "a!b", "$X", `a"b`, "a'b", "a\\b", "a{b"]) {
                assert.throws(() => renderVrrpAuth(bad), { message }); // a fixed message: it cannot leak the secret
            }
            assert.equal(renderVrrpAuth("a"), "auth_pass a\n");
            assert.equal(renderVrrpAuth("A/b+c=9~"), "auth_pass A/b+c=9~\n");
        });
    });
});
