# shellcheck shell=bash
# manifest.json: every file the lab, the mirror and the tests take from the toolchain, by path,
# with versions and sha256 sums. Written last; the lab reads nothing else.
PART_VARS=(K8S_RELEASES ETCD_VERSIONS COREDNS_VERSIONS CONTAINERD_VERSION RUNC_VERSION FLANNEL_VERSION DEBIAN_SUITE)
PART_DEPS=(kubernetes-1.36 kubernetes-1.37 etcd-3.6 etcd-3.7 coredns containerd runc cni-plugins cri-tools pause flannel crane debian-base image-base debian-mirror debs archives images)
part_build() {
    local p
    declare -A dirs
    for p in "${PART_DEPS[@]}"; do dirs[$p]=$(part_dir "$p"); done
    local sums
    sums=$(cd "${dirs[archives]}" && find . -type f ! -name '*.sha256sum' ! -name SHA256SUMS ! -name build.log ! -name '.*' -printf '%P\n' | sort | xargs sha256sum)
    K8S_RELEASES=$K8S_RELEASES ETCD_VERSIONS=$ETCD_VERSIONS COREDNS_VERSIONS=$COREDNS_VERSIONS \
    SUMS=$sums TAGS="$(cat "${dirs[images]}/tags.json")" \
    K136="${dirs[kubernetes-1.36]}" K137="${dirs[kubernetes-1.37]}" E36="${dirs[etcd-3.6]}" E37="${dirs[etcd-3.7]}" \
    CONTAINERD="${dirs[containerd]}" RUNC="${dirs[runc]}" CNI="${dirs[cni-plugins]}" CRICTL="${dirs[cri-tools]}" \
    FLANNEL="${dirs[flannel]}" CRANE="${dirs[crane]}" BASE="${dirs[debian-base]}" DEBMIRROR="${dirs[debian-mirror]}" \
    DEBS="${dirs[debs]}" ARCHIVES="${dirs[archives]}" IMAGES="${dirs[images]}" OUTFILE="$OUT/manifest.json" node -e '
        const e = process.env;
        const rel = e.K8S_RELEASES.split(" "), etcd = e.ETCD_VERSIONS.split(" "), dns = e.COREDNS_VERSIONS.split(" ");
        const kdir = { "1.36": e.K136, "1.37": e.K137 }, edir = { "3.6": e.E36, "3.7": e.E37 };
        const minor = (v) => v.split(".").slice(0, 2).join(".");
        const m = {
            releases: Object.fromEntries(rel.map((v, i) => [v, { bin: kdir[minor(v)] + "/bin", etcd: etcd[i], coredns: dns[i] }])),
            etcd: Object.fromEntries(etcd.map((v) => [v, { bin: edir[minor(v)] + "/bin" }])),
            containerd: { version: process.env.CONTAINERD_VERSION, bin: e.CONTAINERD + "/bin", unit: e.CONTAINERD + "/containerd.service" },
            runc: { version: process.env.RUNC_VERSION, bin: e.RUNC + "/runc" },
            cniPlugins: { bin: e.CNI + "/bin" },
            crictl: { bin: e.CRICTL + "/bin/crictl" },
            crane: { bin: e.CRANE + "/bin/crane" },
            flannel: { version: process.env.FLANNEL_VERSION, manifest: e.FLANNEL + "/kube-flannel.yml" },
            debianBase: { rootfs: e.BASE + "/rootfs", suite: process.env.DEBIAN_SUITE },
            mirror: {
                kubernetesApt: { dir: e.DEBS, key: e.DEBS + "/Release.key", path: "core:/stable:/v{minor}/deb/" },
                debianApt: { dir: e.DEBMIRROR + "/debian", key: e.DEBMIRROR + "/debian/Release.key" },
                files: { dir: e.ARCHIVES, sha256: Object.fromEntries(e.SUMS.trim().split("\n").map((l) => l.split(/\s+/)).map(([s, f]) => [f, s])) },
                images: { layout: e.IMAGES + "/oci", tags: JSON.parse(e.TAGS) },
            },
        };
        require("fs").writeFileSync(e.OUTFILE, JSON.stringify(m, null, 2) + "\n");
    '
}
