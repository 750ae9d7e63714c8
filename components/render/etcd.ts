/**
 * External etcd members: the `etcd.env` file and the `etcd.service` unit of one member.
 *
 * Pure: no Pulumi, no I/O. Every setting is an `ETCD_*` environment variable, which etcd reads
 * natively for each of its flags; the unit loads the file with `EnvironmentFile=` and starts etcd
 * with no command-line flags at all (etcd refuses to start when a setting arrives both ways).
 *
 * Only settings that etcd 3.4 (Debian) and etcd 3.5 (what kubeadm ships) both accept are
 * rendered: no `--experimental-*` flags, no `--tls-min-version`, no `--enable-v2`. Unknown
 * `ETCD_*` variables would only be warned about by etcd ("unrecognized environment variable"), so
 * the integration test asserts that a real etcd recognises every variable rendered here.
 *
 * Certificates expected in `pkiDir` (all signed by `ca.crt`, the etcd CA):
 * - `server.crt`: IP SAN of the member address, plus 127.0.0.1 when `listenClientOnLocalhost`;
 *   extended key usage serverAuth AND clientAuth (etcd's own gRPC gateway dials the member with
 *   this certificate; without clientAuth etcd logs "incompatible key usage" rejections).
 * - `peer.crt`: IP SAN of the member address; serverAuth and clientAuth.
 */
import * as ipaddr from "ipaddr.js";
import { ETCD_BIN, ETCD_DATA_DIR, ETCD_ENV_PATH, ETCD_PKI_DIR, ETCD_UNIT_PATH } from "./paths";

/** One member of the etcd cluster. */
export interface EtcdMember {
    /** Member name (`--name`, and the key in `--initial-cluster`): `[A-Za-z0-9][A-Za-z0-9._-]*`. */
    readonly name: string;
    /** IPv4 or IPv6 address the member listens on and advertises (certificates carry it as an IP SAN). */
    readonly address: string;
}

/** Input of {@link renderEtcdEnv} and {@link renderEtcdUnit}; {@link etcdMemberInput} fills defaults. */
export interface EtcdMemberInput {
    /** This member. */
    readonly member: EtcdMember;
    /** All members, in order (`--initial-cluster`). */
    readonly members: readonly EtcdMember[];
    /** `--initial-cluster-token`, e.g. `<cluster>-etcd`: `[A-Za-z0-9._-]+`. */
    readonly clusterToken: string;
    /** @default 2379 */
    readonly clientPort: number;
    /** @default 2380 */
    readonly peerPort: number;
    /** @default /var/lib/etcd */
    readonly dataDir: string;
    /** Holds ca.crt, server.crt/key, peer.crt/key. @default /etc/etcd/pki */
    readonly pkiDir: string;
    /** @default 100 */
    readonly heartbeatIntervalMs: number;
    /** At least 5x the heartbeat (etcd's tuning guide; etcd refuses less), at most 50000. @default 1000 */
    readonly electionTimeoutMs: number;
    /** `--snapshot-count`; etcd's own default when omitted (100000 in 3.4 and 3.5). */
    readonly snapshotCount?: number;
    /** `--quota-backend-bytes`, at most 8 GiB (etcd's suggested maximum); etcd's 2 GiB when omitted. */
    readonly quotaBackendBytes?: number;
    /**
     * `--listen-metrics-urls`, comma separated, plain `http` or `https` on a loopback address only.
     * Without it, metrics are served only on the client URLs (behind client-certificate auth).
     * @default http://127.0.0.1:2381 (what kubeadm uses)
     */
    readonly listenMetricsUrls?: string;
    /** Absolute path of the etcd binary. @default /usr/local/bin/etcd */
    readonly etcdBinary: string;
    /**
     * Also listen for clients on 127.0.0.1 (so local tools and a co-located kube-apiserver can use
     * `https://127.0.0.1:<clientPort>`; the server certificate then needs the 127.0.0.1 IP SAN).
     * Turn off only when several members share one host, as in tests. @default true
     */
    readonly listenClientOnLocalhost?: boolean;
    /** `--auto-compaction-mode`. @default "periodic" */
    readonly autoCompactionMode?: "periodic" | "revision";
    /**
     * `--auto-compaction-retention`: a duration such as `1h`/`30m` (or whole hours) in periodic
     * mode, a revision count in revision mode. @default "1h"
     */
    readonly autoCompactionRetention?: string;
}


/** Defaults of the {@link EtcdMemberInput} fields (see each field for why). */
export const ETCD_DEFAULTS = {
    clientPort: 2379,
    peerPort: 2380,
    dataDir: ETCD_DATA_DIR,
    pkiDir: ETCD_PKI_DIR,
    heartbeatIntervalMs: 100,
    electionTimeoutMs: 1000,
    listenMetricsUrls: "http://127.0.0.1:2381",
    etcdBinary: ETCD_BIN,
    listenClientOnLocalhost: true,
    autoCompactionMode: "periodic",
    autoCompactionRetention: "1h",
} as const;

/** What {@link etcdMemberInput} needs: the identity fields, everything else optional. */
export type EtcdMemberArgs = Pick<EtcdMemberInput, "member" | "members" | "clusterToken"> &
    Partial<Omit<EtcdMemberInput, "member" | "members" | "clusterToken">>;

/**
 * An {@link EtcdMemberInput} with {@link ETCD_DEFAULTS} filled in where `args` leaves a field
 * undefined. To drop the dedicated metrics listener, set `listenMetricsUrls: undefined` on the result.
 */
export function etcdMemberInput(args: EtcdMemberArgs): EtcdMemberInput {
    const out: Record<string, unknown> = { ...ETCD_DEFAULTS };
    for (const [k, v] of Object.entries(args)) if (v !== undefined) out[k] = v;
    return out as unknown as EtcdMemberInput;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const TOKEN_RE = /^[A-Za-z0-9._-]+$/;
/** Characters an unquoted systemd EnvironmentFile value keeps verbatim (no quotes, `\`, `$`, blanks). */
const ENV_VALUE_RE = /^[A-Za-z0-9._:/=,@%+[\]-]*$/;
const PATH_RE = /^\/[A-Za-z0-9._/+@-]*$/;
const MAX_ELECTION_TIMEOUT_MS = 50000;
const MAX_QUOTA_BACKEND_BYTES = 8 * 1024 ** 3;

/** Parses an IP address literal (dotted-quad IPv4 or IPv6 without a zone); undefined otherwise. */
function parseIp(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
    if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address);
    if (!address.includes("%") && ipaddr.IPv6.isValid(address)) return ipaddr.IPv6.parse(address);
    return undefined;
}

/** The host part of a URL for `address`: IPv6 in brackets. */
function urlHost(address: string): string {
    const ip = parseIp(address);
    return ip?.kind() === "ipv6" ? `[${ip.toString()}]` : address;
}

function url(address: string, port: number): string {
    return `https://${urlHost(address)}:${port}`;
}

/** `m1=https://a:2380,m2=https://b:2380,...`: the `--initial-cluster` value. */
export function initialCluster(members: readonly EtcdMember[], peerPort: number): string {
    return members.map((m) => `${m.name}=${url(m.address, peerPort)}`).join(",");
}

function checkPort(what: string, port: number): void {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`etcd: ${what} must be an integer between 1 and 65535, got ${port}`);
    }
}

function checkPositiveInt(what: string, value: number): void {
    if (!Number.isSafeInteger(value) || value < 1) {
        throw new Error(`etcd: ${what} must be a positive integer, got ${value}`);
    }
}

function checkPath(what: string, path: string): void {
    if (!PATH_RE.test(path) || path.split("/").includes("..")) {
        throw new Error(
            `etcd: ${what} must be an absolute path of [A-Za-z0-9._/+@-] without "..", got ${JSON.stringify(path)}`,
        );
    }
}

function checkMetricsUrls(value: string, clientPort: number, peerPort: number): void {
    const urls = value.split(",");
    for (const u of urls) {
        const m = /^(https?):\/\/(\[[0-9A-Fa-f:.]+\]|[0-9.]+|localhost):(\d+)$/.exec(u);
        if (!m) {
            throw new Error(
                `etcd: listenMetricsUrls entry ${JSON.stringify(u)} must look like http://127.0.0.1:2381 (scheme, loopback host, port; no path)`,
            );
        }
        const host = m[2].startsWith("[") ? m[2].slice(1, -1) : m[2];
        const ip = host === "localhost" ? undefined : parseIp(host);
        if (host === "localhost" || !ip || ip.range() !== "loopback") {
            throw new Error(
                `etcd: listenMetricsUrls entry ${JSON.stringify(u)} must use a loopback IP address: metrics are served without authentication`,
            );
        }
        const port = Number(m[3]);
        checkPort(`listenMetricsUrls port in ${JSON.stringify(u)}`, port);
        if (port === clientPort || port === peerPort) {
            throw new Error(
                `etcd: listenMetricsUrls port ${port} collides with the client port ${clientPort} or peer port ${peerPort}`,
            );
        }
    }
}

function checkRetention(mode: string, retention: string): void {
    if (mode === "periodic") {
        const hours = /^\d+$/.test(retention);
        const duration = /^(\d+h)?(\d+m)?(\d+s)?$/.test(retention);
        if (!(hours || duration) || !/[1-9]/.test(retention)) {
            throw new Error(
                `etcd: autoCompactionRetention ${JSON.stringify(retention)} must be a positive duration such as "1h", "30m" or a number of hours in periodic mode`,
            );
        }
    } else if (mode === "revision") {
        if (!/^[1-9]\d*$/.test(retention)) {
            throw new Error(
                `etcd: autoCompactionRetention ${JSON.stringify(retention)} must be a positive revision count in revision mode`,
            );
        }
    } else {
        throw new Error(`etcd: autoCompactionMode must be "periodic" or "revision", got ${JSON.stringify(mode)}`);
    }
}

/** Validates the input; throws an Error naming the offending field. */
function validateEtcdMemberInput(input: EtcdMemberInput): void {
    if (input.members.length === 0) throw new Error("etcd: members must not be empty");
    const names = new Set<string>();
    const addresses = new Map<string, string>();
    for (const m of input.members) {
        if (!NAME_RE.test(m.name)) {
            throw new Error(`etcd: member name ${JSON.stringify(m.name)} must match ${NAME_RE.source}`);
        }
        if (names.has(m.name)) throw new Error(`etcd: duplicate member name ${m.name}`);
        names.add(m.name);
        const ip = parseIp(m.address);
        if (!ip) {
            throw new Error(
                `etcd: member ${m.name} address ${JSON.stringify(m.address)} must be an IPv4 or IPv6 address (etcd binds listen URLs to IPs, not names)`,
            );
        }
        if (ip.range() === "unspecified") {
            throw new Error(`etcd: member ${m.name} address ${m.address} must not be unspecified: it is advertised to peers`);
        }
        const key = ip.toNormalizedString();
        const other = addresses.get(key);
        if (other !== undefined) {
            throw new Error(`etcd: members ${other} and ${m.name} share the address ${m.address}`);
        }
        addresses.set(key, m.name);
    }
    const self = input.members.find((m) => m.name === input.member.name);
    if (!self) {
        throw new Error(
            `etcd: member ${input.member.name} is not in members (${input.members.map((m) => m.name).join(", ")})`,
        );
    }
    if (self.address !== input.member.address) {
        throw new Error(
            `etcd: member ${input.member.name} has address ${input.member.address} but members lists ${self.address}`,
        );
    }
    if (!TOKEN_RE.test(input.clusterToken)) {
        throw new Error(`etcd: clusterToken ${JSON.stringify(input.clusterToken)} must match ${TOKEN_RE.source}`);
    }
    checkPort("clientPort", input.clientPort);
    checkPort("peerPort", input.peerPort);
    if (input.clientPort === input.peerPort) {
        throw new Error(`etcd: clientPort and peerPort must differ, both are ${input.clientPort}`);
    }
    checkPath("dataDir", input.dataDir);
    checkPath("pkiDir", input.pkiDir);
    checkPath("etcdBinary", input.etcdBinary);
    if (input.dataDir === "/") throw new Error("etcd: dataDir must not be /");
    checkPositiveInt("heartbeatIntervalMs", input.heartbeatIntervalMs);
    checkPositiveInt("electionTimeoutMs", input.electionTimeoutMs);
    if (input.electionTimeoutMs < 5 * input.heartbeatIntervalMs) {
        throw new Error(
            `etcd: electionTimeoutMs (${input.electionTimeoutMs}) must be at least 5x heartbeatIntervalMs (${input.heartbeatIntervalMs}) = ${5 * input.heartbeatIntervalMs}; etcd's tuning guide suggests 10x`,
        );
    }
    if (input.electionTimeoutMs > MAX_ELECTION_TIMEOUT_MS) {
        throw new Error(
            `etcd: electionTimeoutMs (${input.electionTimeoutMs}) must be at most ${MAX_ELECTION_TIMEOUT_MS} (etcd's limit)`,
        );
    }
    if (input.snapshotCount !== undefined) checkPositiveInt("snapshotCount", input.snapshotCount);
    if (input.quotaBackendBytes !== undefined) {
        checkPositiveInt("quotaBackendBytes", input.quotaBackendBytes);
        if (input.quotaBackendBytes > MAX_QUOTA_BACKEND_BYTES) {
            throw new Error(
                `etcd: quotaBackendBytes (${input.quotaBackendBytes}) must be at most ${MAX_QUOTA_BACKEND_BYTES} (8 GiB, etcd's suggested maximum)`,
            );
        }
    }
    if (input.listenMetricsUrls !== undefined) {
        checkMetricsUrls(input.listenMetricsUrls, input.clientPort, input.peerPort);
    }
    checkRetention(
        input.autoCompactionMode ?? ETCD_DEFAULTS.autoCompactionMode,
        input.autoCompactionRetention ?? ETCD_DEFAULTS.autoCompactionRetention,
    );
}

/** The `ETCD_*` variables of one member, in rendering order. */
function etcdEnvironment(input: EtcdMemberInput): ReadonlyArray<readonly [string, string]> {
    validateEtcdMemberInput(input);
    const { member, pkiDir } = input;
    const self = url(member.address, input.clientPort);
    const local = url("127.0.0.1", input.clientPort);
    const localhost = (input.listenClientOnLocalhost ?? true) && parseIp(member.address)?.toString() !== "127.0.0.1";
    const peer = url(member.address, input.peerPort);
    const vars: Array<[string, string]> = [
        ["ETCD_NAME", member.name],
        ["ETCD_DATA_DIR", input.dataDir],
        ["ETCD_LISTEN_CLIENT_URLS", localhost ? `${self},${local}` : self],
        ["ETCD_ADVERTISE_CLIENT_URLS", self],
        ["ETCD_LISTEN_PEER_URLS", peer],
        ["ETCD_INITIAL_ADVERTISE_PEER_URLS", peer],
        ["ETCD_INITIAL_CLUSTER", initialCluster(input.members, input.peerPort)],
        ["ETCD_INITIAL_CLUSTER_TOKEN", input.clusterToken],
        ["ETCD_INITIAL_CLUSTER_STATE", "new"],
        ["ETCD_CLIENT_CERT_AUTH", "true"],
        ["ETCD_TRUSTED_CA_FILE", `${pkiDir}/ca.crt`],
        ["ETCD_CERT_FILE", `${pkiDir}/server.crt`],
        ["ETCD_KEY_FILE", `${pkiDir}/server.key`],
        ["ETCD_PEER_CLIENT_CERT_AUTH", "true"],
        ["ETCD_PEER_TRUSTED_CA_FILE", `${pkiDir}/ca.crt`],
        ["ETCD_PEER_CERT_FILE", `${pkiDir}/peer.crt`],
        ["ETCD_PEER_KEY_FILE", `${pkiDir}/peer.key`],
        ["ETCD_HEARTBEAT_INTERVAL", String(input.heartbeatIntervalMs)],
        ["ETCD_ELECTION_TIMEOUT", String(input.electionTimeoutMs)],
        ["ETCD_PRE_VOTE", "true"],
        ["ETCD_AUTO_COMPACTION_MODE", input.autoCompactionMode ?? ETCD_DEFAULTS.autoCompactionMode],
        ["ETCD_AUTO_COMPACTION_RETENTION", input.autoCompactionRetention ?? ETCD_DEFAULTS.autoCompactionRetention],
    ];
    if (input.snapshotCount !== undefined) vars.push(["ETCD_SNAPSHOT_COUNT", String(input.snapshotCount)]);
    if (input.quotaBackendBytes !== undefined) {
        vars.push(["ETCD_QUOTA_BACKEND_BYTES", String(input.quotaBackendBytes)]);
    }
    if (input.listenMetricsUrls !== undefined) vars.push(["ETCD_LISTEN_METRICS_URLS", input.listenMetricsUrls]);
    vars.push(["ETCD_LOGGER", "zap"]);
    for (const [k, v] of vars) {
        if (!ENV_VALUE_RE.test(v)) throw new Error(`etcd: ${k} value ${JSON.stringify(v)} is not safe in an EnvironmentFile`);
    }
    return vars;
}

/** `etcd.env`: one `ETCD_*=value` a line, read by systemd's `EnvironmentFile=` (and by etcd natively). */
export function renderEtcdEnv(input: EtcdMemberInput): string {
    const lines = [
        `# etcd member ${input.member.name}: generated by hacluster, read by ${ETCD_UNIT_PATH}.`,
        "# etcd reads each ETCD_* variable as the flag of the same name; pass no flags on the command line.",
        ...etcdEnvironment(input).map(([k, v]) => `${k}=${v}`),
    ];
    return `${lines.join("\n")}\n`;
}

/**
 * `etcd.service`. `Type=notify`: etcd reports ready only once the cluster has a leader, so
 * `TimeoutStartSec=0` (as etcd's own contrib unit) keeps systemd from killing the first member of a
 * new cluster while it waits for its peers; bootstrap scripts should start it with `--no-block`
 * and poll health with a bounded retry.
 */
export function renderEtcdUnit(input: EtcdMemberInput): string {
    validateEtcdMemberInput(input);
    return [
        "[Unit]",
        `Description=etcd key-value store (hacluster member ${input.member.name})`,
        "Documentation=https://etcd.io/docs/",
        "After=network-online.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=notify",
        `EnvironmentFile=${ETCD_ENV_PATH}`,
        `ExecStart=${input.etcdBinary}`,
        "Restart=always",
        "RestartSec=5s",
        "TimeoutStartSec=0",
        "LimitNOFILE=65536",
        "IOSchedulingClass=best-effort",
        "IOSchedulingPriority=0",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ].join("\n");
}
