import { strict as assert } from "assert";
import {
    ETCD_DEFAULTS,
    EtcdMember,
    EtcdMemberInput,
    etcdMemberInput,
    initialCluster,
    renderEtcdEnv,
    renderEtcdUnit,
} from "../../components/render/etcd";
import { golden } from "./golden";


const MEMBERS: readonly EtcdMember[] = [
    { name: "etcd1", address: "10.0.1.11" },
    { name: "etcd2", address: "10.0.1.12" },
    { name: "etcd3", address: "10.0.1.13" },
];

function input(over: Partial<EtcdMemberInput> = {}, i = 0): EtcdMemberInput {
    return { ...etcdMemberInput({ member: MEMBERS[i], members: MEMBERS, clusterToken: "prod-etcd" }), ...over };
}

/** Parses KEY=value lines as systemd's EnvironmentFile does for these (unquoted) values. */
function parseEnv(text: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of text.split("\n")) {
        if (line === "" || line.startsWith("#")) continue;
        const eq = line.indexOf("=");
        assert.ok(eq > 0, `not KEY=value: ${line}`);
        const key = line.slice(0, eq);
        assert.ok(!out.has(key), `duplicate ${key}`);
        out.set(key, line.slice(eq + 1));
    }
    return out;
}

describe("render/etcd", () => {
    describe("golden files: etcd1..3 at 10.0.1.11..13", () => {
        MEMBERS.forEach((m, i) => {
            it(`${m.name}.env`, () => golden(`${m.name}.env`, renderEtcdEnv(input({}, i))));
            it(`${m.name}.service`, () => golden(`${m.name}.service`, renderEtcdUnit(input({}, i))));
        });
    });

    describe("defaults", () => {
        it("fills every documented default", () => {
            assert.deepEqual(ETCD_DEFAULTS, {
                clientPort: 2379,
                peerPort: 2380,
                dataDir: "/var/lib/etcd",
                pkiDir: "/etc/etcd/pki",
                heartbeatIntervalMs: 100,
                electionTimeoutMs: 1000,
                listenMetricsUrls: "http://127.0.0.1:2381",
                etcdBinary: "/usr/local/bin/etcd",
                listenClientOnLocalhost: true,
                autoCompactionMode: "periodic",
                autoCompactionRetention: "1h",
            });
        });
        it("keeps explicit values over defaults and ignores undefined ones", () => {
            const x = etcdMemberInput({
                member: MEMBERS[0],
                members: MEMBERS,
                clusterToken: "t",
                clientPort: 12379,
                dataDir: undefined,
            });
            assert.equal(x.clientPort, 12379);
            assert.equal(x.dataDir, "/var/lib/etcd");
        });
    });

    describe("env fragments", () => {
        const env = parseEnv(renderEtcdEnv(input({}, 1)));
        it("identifies the member and the initial cluster", () => {
            assert.equal(env.get("ETCD_NAME"), "etcd2");
            assert.equal(
                env.get("ETCD_INITIAL_CLUSTER"),
                "etcd1=https://10.0.1.11:2380,etcd2=https://10.0.1.12:2380,etcd3=https://10.0.1.13:2380",
            );
            assert.equal(env.get("ETCD_INITIAL_CLUSTER_TOKEN"), "prod-etcd");
            assert.equal(env.get("ETCD_INITIAL_CLUSTER_STATE"), "new");
        });
        it("listens on the member address and 127.0.0.1, advertises the member address", () => {
            assert.equal(env.get("ETCD_LISTEN_CLIENT_URLS"), "https://10.0.1.12:2379,https://127.0.0.1:2379");
            assert.equal(env.get("ETCD_ADVERTISE_CLIENT_URLS"), "https://10.0.1.12:2379");
            assert.equal(env.get("ETCD_LISTEN_PEER_URLS"), "https://10.0.1.12:2380");
            assert.equal(env.get("ETCD_INITIAL_ADVERTISE_PEER_URLS"), "https://10.0.1.12:2380");
            assert.equal(env.get("ETCD_LISTEN_METRICS_URLS"), "http://127.0.0.1:2381");
        });
        it("requires client certificates on both client and peer TLS", () => {
            assert.equal(env.get("ETCD_CLIENT_CERT_AUTH"), "true");
            assert.equal(env.get("ETCD_PEER_CLIENT_CERT_AUTH"), "true");
            assert.equal(env.get("ETCD_TRUSTED_CA_FILE"), "/etc/etcd/pki/ca.crt");
            assert.equal(env.get("ETCD_PEER_TRUSTED_CA_FILE"), "/etc/etcd/pki/ca.crt");
            assert.equal(env.get("ETCD_CERT_FILE"), "/etc/etcd/pki/server.crt");
            assert.equal(env.get("ETCD_KEY_FILE"), "/etc/etcd/pki/server.key");
            assert.equal(env.get("ETCD_PEER_CERT_FILE"), "/etc/etcd/pki/peer.crt");
            assert.equal(env.get("ETCD_PEER_KEY_FILE"), "/etc/etcd/pki/peer.key");
            for (const k of env.keys()) assert.ok(!/AUTO_TLS/.test(k), `${k} must not be set`);
        });
        it("sets data dir, timeouts, compaction, pre-vote and the zap logger", () => {
            assert.equal(env.get("ETCD_DATA_DIR"), "/var/lib/etcd");
            assert.equal(env.get("ETCD_HEARTBEAT_INTERVAL"), "100");
            assert.equal(env.get("ETCD_ELECTION_TIMEOUT"), "1000");
            assert.equal(env.get("ETCD_AUTO_COMPACTION_MODE"), "periodic");
            assert.equal(env.get("ETCD_AUTO_COMPACTION_RETENTION"), "1h");
            assert.equal(env.get("ETCD_PRE_VOTE"), "true");
            assert.equal(env.get("ETCD_LOGGER"), "zap");
            assert.ok(!env.has("ETCD_SNAPSHOT_COUNT"));
            assert.ok(!env.has("ETCD_QUOTA_BACKEND_BYTES"));
        });
        it("only uses variables both etcd 3.4 and 3.5 accept", () => {
            for (const k of env.keys()) {
                assert.ok(!/EXPERIMENTAL|TLS_MIN_VERSION|ENABLE_V2|UNSAFE/.test(k), `${k} is version-specific`);
            }
        });
        it("renders optional settings and custom paths/ports", () => {
            const e = parseEnv(
                renderEtcdEnv(
                    input({
                        snapshotCount: 10000,
                        quotaBackendBytes: 8 * 1024 ** 3,
                        listenMetricsUrls: "http://127.0.0.1:12381,http://[::1]:12381",
                        clientPort: 12379,
                        peerPort: 12380,
                        dataDir: "/data/etcd",
                        pkiDir: "/srv/pki",
                        heartbeatIntervalMs: 250,
                        electionTimeoutMs: 2500,
                        autoCompactionMode: "revision",
                        autoCompactionRetention: "10000",
                    }),
                ),
            );
            assert.equal(e.get("ETCD_SNAPSHOT_COUNT"), "10000");
            assert.equal(e.get("ETCD_QUOTA_BACKEND_BYTES"), "8589934592");
            assert.equal(e.get("ETCD_LISTEN_METRICS_URLS"), "http://127.0.0.1:12381,http://[::1]:12381");
            assert.equal(e.get("ETCD_LISTEN_CLIENT_URLS"), "https://10.0.1.11:12379,https://127.0.0.1:12379");
            assert.equal(e.get("ETCD_INITIAL_CLUSTER")?.split(",")[2], "etcd3=https://10.0.1.13:12380");
            assert.equal(e.get("ETCD_DATA_DIR"), "/data/etcd");
            assert.equal(e.get("ETCD_PEER_TRUSTED_CA_FILE"), "/srv/pki/ca.crt");
            assert.equal(e.get("ETCD_HEARTBEAT_INTERVAL"), "250");
            assert.equal(e.get("ETCD_ELECTION_TIMEOUT"), "2500");
            assert.equal(e.get("ETCD_AUTO_COMPACTION_MODE"), "revision");
            assert.equal(e.get("ETCD_AUTO_COMPACTION_RETENTION"), "10000");
        });
        it("can drop the localhost client listener and the metrics listener", () => {
            const e = parseEnv(renderEtcdEnv(input({ listenClientOnLocalhost: false, listenMetricsUrls: undefined })));
            assert.equal(e.get("ETCD_LISTEN_CLIENT_URLS"), "https://10.0.1.11:2379");
            assert.ok(!e.has("ETCD_LISTEN_METRICS_URLS"));
        });
        it("does not listen twice on 127.0.0.1", () => {
            const m = { name: "solo", address: "127.0.0.1" };
            const e = parseEnv(renderEtcdEnv(input({ member: m, members: [m], listenMetricsUrls: undefined })));
            assert.equal(e.get("ETCD_LISTEN_CLIENT_URLS"), "https://127.0.0.1:2379");
        });
        it("brackets IPv6 addresses in URLs", () => {
            const v6 = [
                { name: "a", address: "fd00::11" },
                { name: "b", address: "fd00::12" },
            ];
            assert.equal(initialCluster(v6, 2380), "a=https://[fd00::11]:2380,b=https://[fd00::12]:2380");
            const e = parseEnv(renderEtcdEnv(input({ member: v6[1], members: v6 })));
            assert.equal(e.get("ETCD_ADVERTISE_CLIENT_URLS"), "https://[fd00::12]:2379");
        });
    });

    describe("unit fragments", () => {
        const unit = renderEtcdUnit(input({ etcdBinary: "/opt/etcd/bin/etcd" }));
        const lines = unit.split("\n");
        for (const l of [
            "Type=notify",
            "Restart=always",
            "RestartSec=5s",
            "LimitNOFILE=65536",
            "After=network-online.target",
            "Wants=network-online.target",
            "EnvironmentFile=/etc/etcd/etcd.env",
            "ExecStart=/opt/etcd/bin/etcd",
            "WantedBy=multi-user.target",
        ]) {
            it(l, () => assert.ok(lines.includes(l), unit));
        }
        it("passes no flags on the command line (etcd rejects a flag also set by ETCD_*)", () => {
            assert.ok(!/^ExecStart=.*\s--/m.test(unit));
        });
    });

    describe("errors", () => {
        const cases: Array<[string, Partial<EtcdMemberInput>, string]> = [
            ["empty members", { members: [] }, "etcd: members must not be empty"],
            [
                "member not in members",
                { member: { name: "etcd9", address: "10.0.1.19" } },
                "etcd: member etcd9 is not in members (etcd1, etcd2, etcd3)",
            ],
            [
                "member address mismatch",
                { member: { name: "etcd1", address: "10.0.1.99" } },
                "etcd: member etcd1 has address 10.0.1.99 but members lists 10.0.1.11",
            ],
            [
                "duplicate names",
                { members: [...MEMBERS, { name: "etcd2", address: "10.0.1.14" }] },
                "etcd: duplicate member name etcd2",
            ],
            [
                "duplicate addresses",
                { members: [...MEMBERS, { name: "etcd4", address: "10.0.1.12" }] },
                "etcd: members etcd2 and etcd4 share the address 10.0.1.12",
            ],
            [
                "duplicate IPv6 addresses in different spellings",
                {
                    member: { name: "a", address: "fd00::1" },
                    members: [
                        { name: "a", address: "fd00::1" },
                        { name: "b", address: "fd00:0:0::0001" },
                    ],
                },
                "etcd: members a and b share the address fd00:0:0::0001",
            ],
            [
                "bad name",
                { members: [...MEMBERS, { name: "bad=name", address: "10.0.1.14" }] },
                'etcd: member name "bad=name" must match ^[A-Za-z0-9][A-Za-z0-9._-]*$',
            ],
            [
                "hostname address",
                { members: [...MEMBERS, { name: "etcd4", address: "etcd4.example" }] },
                'etcd: member etcd4 address "etcd4.example" must be an IPv4 or IPv6 address (etcd binds listen URLs to IPs, not names)',
            ],
            [
                "unspecified address",
                { members: [...MEMBERS, { name: "etcd4", address: "0.0.0.0" }] },
                "etcd: member etcd4 address 0.0.0.0 must not be unspecified: it is advertised to peers",
            ],
            [
                "bad token",
                { clusterToken: "a b" },
                'etcd: clusterToken "a b" must match ^[A-Za-z0-9._-]+$',
            ],
            ["bad client port", { clientPort: 0 }, "etcd: clientPort must be an integer between 1 and 65535, got 0"],
            ["bad peer port", { peerPort: 70000 }, "etcd: peerPort must be an integer between 1 and 65535, got 70000"],
            ["same ports", { peerPort: 2379 }, "etcd: clientPort and peerPort must differ, both are 2379"],
            [
                "relative data dir",
                { dataDir: "var/lib/etcd" },
                'etcd: dataDir must be an absolute path of [A-Za-z0-9._/+@-] without "..", got "var/lib/etcd"',
            ],
            [
                "pki dir with a space",
                { pkiDir: "/etc/etcd pki" },
                'etcd: pkiDir must be an absolute path of [A-Za-z0-9._/+@-] without "..", got "/etc/etcd pki"',
            ],
            [
                "binary with ..",
                { etcdBinary: "/usr/../bin/etcd" },
                'etcd: etcdBinary must be an absolute path of [A-Za-z0-9._/+@-] without "..", got "/usr/../bin/etcd"',
            ],
            ["root data dir", { dataDir: "/" }, "etcd: dataDir must not be /"],
            [
                "non-integer heartbeat",
                { heartbeatIntervalMs: 1.5 },
                "etcd: heartbeatIntervalMs must be a positive integer, got 1.5",
            ],
            [
                "election below 5x heartbeat",
                { heartbeatIntervalMs: 100, electionTimeoutMs: 400 },
                "etcd: electionTimeoutMs (400) must be at least 5x heartbeatIntervalMs (100) = 500; etcd's tuning guide suggests 10x",
            ],
            [
                "election too long",
                { heartbeatIntervalMs: 1000, electionTimeoutMs: 60000 },
                "etcd: electionTimeoutMs (60000) must be at most 50000 (etcd's limit)",
            ],
            ["zero snapshot count", { snapshotCount: 0 }, "etcd: snapshotCount must be a positive integer, got 0"],
            [
                "quota above 8 GiB",
                { quotaBackendBytes: 9 * 1024 ** 3 },
                "etcd: quotaBackendBytes (9663676416) must be at most 8589934592 (8 GiB, etcd's suggested maximum)",
            ],
            [
                "metrics on a public address",
                { listenMetricsUrls: "http://10.0.1.11:2381" },
                'etcd: listenMetricsUrls entry "http://10.0.1.11:2381" must use a loopback IP address: metrics are served without authentication',
            ],
            [
                "metrics with a path",
                { listenMetricsUrls: "http://127.0.0.1:2381/metrics" },
                'etcd: listenMetricsUrls entry "http://127.0.0.1:2381/metrics" must look like http://127.0.0.1:2381 (scheme, loopback host, port; no path)',
            ],
            [
                "metrics on the client port",
                { listenMetricsUrls: "http://127.0.0.1:2379" },
                "etcd: listenMetricsUrls port 2379 collides with the client port 2379 or peer port 2380",
            ],
            [
                "bad periodic retention",
                { autoCompactionRetention: "1d" },
                'etcd: autoCompactionRetention "1d" must be a positive duration such as "1h", "30m" or a number of hours in periodic mode',
            ],
            [
                "zero periodic retention",
                { autoCompactionRetention: "0h" },
                'etcd: autoCompactionRetention "0h" must be a positive duration such as "1h", "30m" or a number of hours in periodic mode',
            ],
            [
                "bad revision retention",
                { autoCompactionMode: "revision", autoCompactionRetention: "1h" },
                'etcd: autoCompactionRetention "1h" must be a positive revision count in revision mode',
            ],
        ];
        for (const [title, over, message] of cases) {
            it(title, () => {
                assert.throws(() => renderEtcdEnv(input(over)), (e: Error) => {
                    assert.equal(e.message, message);
                    return true;
                });
                assert.throws(() => renderEtcdUnit(input(over)), { message });
            });
        }
    });
});
