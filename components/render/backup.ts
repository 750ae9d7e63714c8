/**
 * etcd backups (pure): a snapshot script run by a systemd timer on every etcd member (external)
 * or control plane (stacked), keeping the newest N snapshots locally and optionally copying each
 * to a remote target; and the restore script for the documented disaster procedure.
 *
 * Every member snapshots (not only the leader): any one surviving copy restores the cluster,
 * and a snapshot is a consistent point in time whichever member takes it.
 */
import { SNAPSHOT_BIN } from "./paths";
import { shq, type NodeFile } from "./script";


interface EtcdClientTls {
    readonly caFile: string;
    readonly certFile: string;
    readonly keyFile: string;
}

export interface BackupInput {
    /** Client URL of the local member, e.g. `https://127.0.0.1:2379`. */
    readonly endpoint: string;
    readonly tls: EtcdClientTls;
    /** Directory for snapshots. @default /var/backups/etcd */
    readonly dir?: string;
    /** Snapshots kept locally. @default 96 (a day at 15 minutes) */
    readonly keep?: number;
    /** Timer period as a systemd OnCalendar expression. @default every 15 minutes */
    readonly onCalendar?: string;
    /**
     * Command run with the snapshot's path as `$1` after each snapshot, e.g. an rsync to a backup
     * host or `aws s3 cp "$1" s3://bucket/prefix/`. @default none
     */
    readonly copyCommand?: string;
    /**
     * Bash that uploads `$1` to the stack's object store (render/backup-store.ts), run before
     * `copyCommand`. @default none
     */
    readonly upload?: string;
}

const indent = (bash: string): string => bash.split("\n").map((l) => (l ? `  ${l}` : l)).join("\n");

/** The snapshot script: save, verify, prune, copy. Exits non-zero if any step fails. */
export function renderSnapshotScript(input: BackupInput): string {
    const dir = input.dir ?? "/var/backups/etcd";
    const keep = input.keep ?? 96;
    if (!Number.isInteger(keep) || keep < 1) throw new Error(`etcd backup: keep must be a positive whole number (got ${keep})`);
    return `#!/usr/bin/env bash
# hacluster: etcd snapshot of the local member. Run by hacluster-etcd-snapshot.timer.
set -euo pipefail
umask 077
dir=\${HACLUSTER_BACKUP_DIR:-${shq(dir)}}
keep=${keep}
install -d -m 0700 "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
tmp="$dir/.etcd-$stamp.db.part"
out="$dir/etcd-$stamp.db"
ETCDCTL_API=3 etcdctl --endpoints=${shq(input.endpoint)} \\
  --cacert=${shq(input.tls.caFile)} --cert=${shq(input.tls.certFile)} --key=${shq(input.tls.keyFile)} \\
  snapshot save "$tmp" >/dev/null
# A snapshot that cannot be read is no backup: check it before it replaces anything.
if command -v etcdutl >/dev/null; then
  etcdutl snapshot status "$tmp" >/dev/null
else
  ETCDCTL_API=3 etcdctl snapshot status "$tmp" >/dev/null
fi
mv -f "$tmp" "$out"
# Keep the newest $keep snapshots.
mapfile -t old < <(find "$dir" -maxdepth 1 -name 'etcd-*.db' -printf '%f\\n' | sort -r | tail -n +$((keep + 1)))
for f in "\${old[@]}"; do rm -f -- "$dir/$f"; done
${input.upload ? `upload() {\n${indent(input.upload)}\n}\nupload "$out"\n` : ""}${input.copyCommand ? `copy() {\n  ${input.copyCommand}\n}\ncopy "$out"\n` : ""}echo "hacluster: etcd snapshot $out"
`;
}

export function renderSnapshotUnits(onCalendar = "*:0/15"): NodeFile[] {
    return [
        {
            path: "/etc/systemd/system/hacluster-etcd-snapshot.service",
            content: `[Unit]
Description=hacluster: etcd snapshot
After=network-online.target

[Service]
Type=oneshot
ExecStart=${SNAPSHOT_BIN}
Nice=10
IOSchedulingClass=idle
`,
        },
        {
            path: "/etc/systemd/system/hacluster-etcd-snapshot.timer",
            content: `[Unit]
Description=hacluster: etcd snapshot every 15 minutes

[Timer]
OnCalendar=${onCalendar}
RandomizedDelaySec=60
Persistent=true

[Install]
WantedBy=timers.target
`,
        },
    ];
}

export interface RestoreInput {
    /** `external`: etcd.service reads /etc/etcd/etcd.env; `stacked`: kubeadm's static pod. */
    readonly topology: "external" | "stacked";
    /** Stacked: this member's name and peer URL, and the initial cluster of every member. */
    readonly stacked?: { readonly name: string; readonly peerUrl: string; readonly initialCluster: string; readonly token: string };
    /** Data directory. @default /var/lib/etcd */
    readonly dataDir?: string;
}

/**
 * Restore one member from a snapshot (run on every member with the same snapshot, then start
 * them together). External members take name, peer URL and cluster from /etc/etcd/etcd.env.
 * The old data directory is moved aside, never deleted.
 */
export function renderRestoreScript(input: RestoreInput): string {
    const dataDir = input.dataDir ?? "/var/lib/etcd";
    const identity =
        input.topology === "external"
            ? `env_file=\${HACLUSTER_ETCD_ENV:-/etc/etcd/etcd.env}
set -a
# shellcheck disable=SC1090 # the member's own env file, chosen at run time
source "$env_file"
set +a
name=$ETCD_NAME
peer=$ETCD_INITIAL_ADVERTISE_PEER_URLS
cluster=$ETCD_INITIAL_CLUSTER
token=$ETCD_INITIAL_CLUSTER_TOKEN
data=\${ETCD_DATA_DIR:-${shq(dataDir)}}
stop() { systemctl stop etcd; }
start() { systemctl start --no-block etcd; }`
            : `name=${shq(input.stacked!.name)}
peer=${shq(input.stacked!.peerUrl)}
cluster=${shq(input.stacked!.initialCluster)}
token=${shq(input.stacked!.token)}
data=${shq(dataDir)}
# kubeadm's etcd is a static pod: moving its manifest away stops it, moving it back starts it.
stop() { mv /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/etcd.yaml.restoring; sleep 20; }
start() { mv /etc/kubernetes/etcd.yaml.restoring /etc/kubernetes/manifests/etcd.yaml; }`;
    return `#!/usr/bin/env bash
# hacluster: restore this etcd member from a snapshot. Usage: hacluster-etcd-restore SNAPSHOT
# Run it on every member with the same snapshot; each starts as a member of a new cluster.
set -euo pipefail
snapshot=\${1:?usage: hacluster-etcd-restore SNAPSHOT}
[[ -s $snapshot ]] || { echo "hacluster: no snapshot at $snapshot" >&2; exit 1; }
${identity}
if [[ \${HACLUSTER_NO_SERVICE:-0} != 1 ]]; then stop; fi
if [[ -d $data ]]; then mv "$data" "$data.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"; fi
restore_args=(snapshot restore "$snapshot" --name "$name" --initial-cluster "$cluster"
  --initial-cluster-token "$token" --initial-advertise-peer-urls "$peer" --data-dir "$data")
if command -v etcdutl >/dev/null; then
  etcdutl "\${restore_args[@]}"
else
  ETCDCTL_API=3 etcdctl "\${restore_args[@]}"
fi
chmod 0700 "$data"
if [[ \${HACLUSTER_NO_SERVICE:-0} != 1 ]]; then start; fi
echo "hacluster: $name restored from $snapshot into $data"
`;
}
