/**
 * keepalived on the on-prem LB hosts (pure): one VRRP instance that holds the API VIP on a host
 * whose HAProxy works, the check script it runs, and the root-only include file with the VRRP
 * password. VRRPv2 over unicast (no multicast, so it also works where the L2 segment filters it),
 * with PASS authentication (VRRPv3 has none).
 *
 * Failover arithmetic (the defaults): priorities 150 (first LB host) and 100 (others), check
 * weight -60. While the master's check fails its priority is 150 - 60 = 90 < 100, so a healthy
 * backup preempts and takes the VIP within about one advert interval. If every host's check
 * fails (all API servers down), the order is unchanged (90 vs 40) and the VIP stays put, so
 * clients get fast resets from HAProxy instead of ARP timeouts. The caller picks the numbers:
 * a failing master only loses the VIP when |weight| > (its priority - the best backup's priority).
 *
 * `preempt: false` (nopreempt) changes the semantics: keepalived then never lets a backup take
 * over from a master whose priority merely dropped (checked with keepalived 2.2.7), so a weighted
 * check could never move the VIP. That combination is rejected; use weight 0 (a failing check
 * puts the instance in FAULT, which releases the VIP) and initial state BACKUP on every host
 * (keepalived clears nopreempt on a MASTER).
 */

/** The API health check keepalived runs (vrrp_script). */
export interface KeepalivedCheck {
    /** Seconds between runs of the check script (whole seconds). */
    readonly intervalSec: number;
    /** Seconds after which a run counts as failed; keep it above the script's own curl timeout. */
    readonly timeoutSec: number;
    /** Consecutive failed runs before the check counts as failed. */
    readonly fall: number;
    /** Consecutive passed runs before the check counts as passed again. */
    readonly rise: number;
    /**
     * keepalived's weight, -253..253. Negative: subtracted from the priority while the check fails;
     * positive: added while it passes; 0: a failing check puts the instance in FAULT (VIP released).
     */
    readonly weight: number;
}

/** Input of {@link renderKeepalivedConf}. */
export interface KeepalivedInput {
    /** global_defs router_id, e.g. the LB host's name. */
    readonly routerId: string;
    /** Interface carrying the VIP and the VRRP adverts, e.g. `ens32`. */
    readonly interface: string;
    /** VRRP virtual router id, 1..255, unique on the segment; the same on every LB host. */
    readonly virtualRouterId: number;
    /** 1..254 (255 means "address owner" and disables weighted checks); the first LB host gets the highest. */
    readonly priority: number;
    /** State at start; with preempt the highest priority wins anyway, this only saves one election. */
    readonly initialState: "MASTER" | "BACKUP";
    /**
     * VRRP version. 2: PASS authentication with the password include, adverts in whole seconds
     * (keepalived rounds 0.5 and warns, so 1..255 here). 3: no authentication (the protocol has
     * none), adverts from 0.01 to 40.95 s, and `check_unicast_src` so only the listed peers' adverts
     * count. @default 2
     */
    readonly vrrpVersion?: 2 | 3;
    /** Seconds between VRRP adverts; a backup takes over after ~3 missed ones (see {@link vrrpVersion}). */
    readonly advertIntervalSec: number;
    /** This host's address: source of the unicast adverts. */
    readonly unicastSrcIp: string;
    /** The other LB hosts' addresses (at least one). */
    readonly unicastPeers: readonly string[];
    /** The virtual IP clients dial. */
    readonly vip: string;
    /** Prefix length of the VIP's network, e.g. 24. */
    readonly vipPrefix: number;
    /**
     * VRRPv2: root-only (0600) file holding `auth_pass`, rendered by {@link renderVrrpAuth} and
     * delivered separately: keepalived.conf is shown in plans and diffs, so the secret is never in
     * it. Included with `includea`, so keepalived refuses to start without it rather than run
     * without a password. Unused with VRRPv3.
     */
    readonly authIncludePath: string;
    /** The check script, e.g. `/etc/keepalived/check_apiserver.sh` (root-owned, not writable by others). */
    readonly checkScriptPath: string;
    /** How the check runs and what a failure does. @default {@link KEEPALIVED_DEFAULTS}.check */
    readonly check: KeepalivedCheck;
    /** Let a higher-priority host take the VIP back; false renders `nopreempt` (see the module doc). */
    readonly preempt: boolean;
    /** Seconds after becoming master before the second burst of gratuitous ARPs. @default 1 */
    readonly garpMasterDelaySec?: number;
    /** Seconds between gratuitous ARP refreshes while master; 0 turns them off. @default 60 */
    readonly garpMasterRefreshSec?: number;
}

/** The tuned constants of every keepalived.conf (priorities are the caller's, the rest comes from the spec). */
export const KEEPALIVED_DEFAULTS = {
    /** A dead master is replaced after ~3.5 s (3 adverts + skew); config `vrrpVersion: 3` allows sub-second adverts. */
    advertIntervalSec: 1,
    /** 2 x 1 s: a host whose HAProxy or API path broke gives up the VIP in ~2-3 s; rise 2 avoids flapping back. */
    check: { intervalSec: 1, timeoutSec: 3, fall: 2, rise: 2, weight: -60 } satisfies KeepalivedCheck,
    /** The VIP returns to the first LB host once it is healthy again (costs one more reconnect of clients). */
    preempt: true,
    /** keepalived's 5 s leaves a switch that missed the first burst pointing at the old host that long. */
    garpMasterDelaySec: 1,
    /** Re-announce the VIP every minute so neighbours and switches whose entries aged out relearn it. */
    garpMasterRefreshSec: 60,
    /** curl's --max-time in the check script; below check.timeoutSec so keepalived sees our exit code. */
    checkScriptCurlTimeoutSec: 2,
} as const;

/** VRRP instance and script names (they show in keepalived's log). */
const KEEPALIVED_INSTANCE = "VI_APISERVER";
const KEEPALIVED_SCRIPT = "chk_apiserver";

function fail(message: string): never {
    throw new Error(`keepalived: ${message}`);
}

function intIn(what: string, n: number, min: number, max: number): void {
    if (!Number.isInteger(n) || n < min || n > max) fail(`${what} must be a whole number from ${min} to ${max} (got ${n})`);
}

/**
 * What the schema cannot have checked: the priorities and peers the caller derives per host, and
 * the combinations of preempt, initial state and weight that would leave the VIP where it is.
 */
function validate(input: KeepalivedInput): void {
    intIn("priority", input.priority, 1, 254);
    if (input.unicastPeers.length === 0) fail("unicastPeers must list the other LB hosts (got none)");
    const seen = new Set<string>();
    for (const p of input.unicastPeers) {
        if (p === input.unicastSrcIp) fail(`unicastPeers must not contain this host's own address ${p}`);
        if (seen.has(p)) fail(`unicast peer ${p} is listed twice`);
        seen.add(p);
    }
    const c = input.check;
    intIn("check.weight", c.weight, -253, 253);
    if (!input.preempt) {
        if (input.initialState !== "BACKUP") fail("preempt: false (nopreempt) needs initialState BACKUP: keepalived ignores nopreempt on a MASTER");
        if (c.weight !== 0) {
            fail(`preempt: false (nopreempt) needs check.weight 0 (got ${c.weight}): with nopreempt a backup never takes the VIP from a master whose priority only dropped, so a failing check would not move it`);
        }
    }
}

/** `head {`, the lines indented one level (nested blocks come pre-rendered), `}`. */
const block = (head: string, lines: readonly string[]): string[] => [`${head} {`, ...lines.map((l) => `    ${l}`), "}"];

/** keepalived.conf of one LB host, from resolved values; holds no secret. Throws Error on a combination that cannot fail over. */
export function renderKeepalivedConf(input: KeepalivedInput): string {
    validate(input);
    const d = KEEPALIVED_DEFAULTS;
    const c = input.check;
    const v3 = input.vrrpVersion === 3;
    const lines = [
        "# keepalived: the Kubernetes API VIP on the LB host whose HAProxy works. Generated by hacluster.",
        ...block("global_defs", [
            `router_id ${input.routerId}`,
            // Scripts must be root-owned and not writable by others; run them as root (no keepalived_script user).
            "enable_script_security",
            "script_user root",
        ]),
        "",
        ...block(`vrrp_script ${KEEPALIVED_SCRIPT}`, [
            `script "${input.checkScriptPath}"`,
            `interval ${c.intervalSec}`,
            `timeout ${c.timeoutSec}`,
            `fall ${c.fall}`,
            `rise ${c.rise}`,
            `weight ${c.weight}`,
        ]),
        "",
        ...block(`vrrp_instance ${KEEPALIVED_INSTANCE}`, [
            `state ${input.initialState}`,
            `interface ${input.interface}`,
            // v2: the only version with authentication; it also fixes adverts to whole seconds.
            // v3: centisecond adverts, no authentication.
            `version ${v3 ? 3 : 2}`,
            `virtual_router_id ${input.virtualRouterId}`,
            `priority ${input.priority}`,
            `advert_int ${input.advertIntervalSec}`,
            ...(input.preempt ? [] : ["nopreempt"]),
            `garp_master_delay ${input.garpMasterDelaySec ?? d.garpMasterDelaySec}`,
            `garp_master_refresh ${input.garpMasterRefreshSec ?? d.garpMasterRefreshSec}`,
            `unicast_src_ip ${input.unicastSrcIp}`,
            ...block("unicast_peer", input.unicastPeers),
            ...(v3
                ? // Without authentication, at least ignore adverts from anyone but the listed peers.
                  ["check_unicast_src"]
                : block("authentication", [
                      "auth_type PASS",
                      // includea: a missing password file stops keepalived instead of running unauthenticated.
                      `includea ${input.authIncludePath}`,
                  ])),
            ...block("virtual_ipaddress", [`${input.vip}/${input.vipPrefix} dev ${input.interface}`]),
            ...block("track_script", [KEEPALIVED_SCRIPT]),
        ]),
    ];
    return `${lines.join("\n")}\n`;
}

/** Input of {@link renderCheckApiserverScript}. */
export interface CheckScriptInput {
    /** HAProxy's frontend port on this host (the API port). */
    readonly frontendPort: number;
    /** API path fetched through HAProxy. */
    readonly apiPath: "/readyz" | "/livez" | "/healthz";
    /** curl's --max-time in seconds; keep it below the vrrp_script timeout. @default 2 (KEEPALIVED_DEFAULTS.checkScriptCurlTimeoutSec) */
    readonly timeoutSec: number;
}

/** check_apiserver.sh: exits 0 only when HAProxy runs here and an API server answers through it. */
export function renderCheckApiserverScript(input: CheckScriptInput): string {
    const url = `https://127.0.0.1:${input.frontendPort}${input.apiPath}`;
    return `#!/usr/bin/env bash
# keepalived vrrp_script: healthy only when HAProxy runs on this host and an API server answers
# through it. Generated by hacluster. Exit 0 = keep/take the VIP; anything else = give it up.
set -uo pipefail

if ! pidof haproxy >/dev/null; then
  echo "check_apiserver: haproxy is not running" >&2
  exit 1
fi

# Through the local frontend, so the answer proves the whole path a client takes from the VIP.
# -k: 127.0.0.1 is not in the API certificate; this asks "is it ready?", it sends no credentials.
if ! curl -sk --fail --noproxy '*' --max-time ${input.timeoutSec} -o /dev/null ${url}; then
  echo "check_apiserver: GET ${url} failed" >&2
  exit 1
fi
exit 0
`;
}

/** Content of the root-only (0600) include file with the VRRP password. */
export function renderVrrpAuth(password: string): string {
    // VRRPv2 PASS carries at most 8 characters (keepalived truncates longer ones); a space, quote,
    // '#', '!' or '$' would be read as a separator, comment or variable by keepalived's parser.
    if (!/^[A-Za-z0-9_.+=\/@%:,^*~-]{1,8}$/.test(password)) {
        fail("the VRRP password must be 1 to 8 characters from letters, digits and _ . + = / @ % : , ^ * ~ -");
    }
    return `auth_pass ${password}\n`;
}
