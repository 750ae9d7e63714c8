# shellcheck shell=bash
# The Kubernetes package repository, laid out and signed like pkgs.k8s.io: one flat repository per
# minor (core:/stable:/v1.NN/deb/) holding kubeadm, kubelet, kubectl of that release plus cri-tools
# and kubernetes-cni, with the dependencies upstream declares (kubernetes/release krel templates):
# kubelet needs kubernetes-cni, mount and util-linux and recommends iptables; kubeadm installs the
# kubelet drop-in. Packages are versioned as upstream's (1.37.2-1.1).
PART_VARS=(K8S_RELEASES CRI_TOOLS_VERSION CNI_PLUGINS_VERSION)
PART_DEPS=(kubernetes-1.36 kubernetes-1.37 cri-tools cni-plugins)
PART_INPUTS=(packaging parts/apt.inc.sh)
deb_build() { # name version depends recommends root outdir
    local name=$1 version=$2 depends=$3 recommends=$4 root=$5 out=$6
    mkdir -p "$root/DEBIAN"
    {
        echo "Package: $name"
        echo "Version: $version"
        echo "Architecture: amd64"
        echo "Maintainer: hacluster lab <lab@hacluster.invalid>"
        echo "Section: admin"
        echo "Priority: optional"
        [[ -n $depends ]] && echo "Depends: $depends"
        [[ -n $recommends ]] && echo "Recommends: $recommends"
        echo "Homepage: https://kubernetes.io"
        echo "Description: $name $version, built from source by the hacluster lab toolchain"
    } >"$root/DEBIAN/control"
    if [[ -d $root/etc ]]; then (cd "$root" && find etc -type f -printf '/%p\n') >"$root/DEBIAN/conffiles"; fi
    dpkg-deb --root-owner-group -Zgzip --build "$root" "$out/${name}_${version}_amd64.deb" >/dev/null
}
part_build() {
    # shellcheck source=apt.inc.sh
    source "$TOOLCHAIN_DIR/parts/apt.inc.sh"
    local stage="$LAB_CACHE/tmp/debs-stage" rev=1.1
    apt_key_make "$OUT/gnupg" "hacluster lab Kubernetes packages"
    local crictl_deb cni_deb
    rm -rf "$stage" && mkdir -p "$stage"
    # Shared by both minors.
    install -D -m 0755 "$(part_dir cri-tools)/bin/crictl" "$stage/cri-tools/usr/bin/crictl"
    deb_build cri-tools "$CRI_TOOLS_VERSION-$rev" "" "" "$stage/cri-tools" "$stage"
    mkdir -p "$stage/kubernetes-cni/opt/cni/bin"
    install -m 0755 "$(part_dir cni-plugins)"/bin/* "$stage/kubernetes-cni/opt/cni/bin/"
    deb_build kubernetes-cni "$CNI_PLUGINS_VERSION-$rev" "" "" "$stage/kubernetes-cni" "$stage"
    crictl_deb=$stage/cri-tools_$CRI_TOOLS_VERSION-${rev}_amd64.deb
    cni_deb=$stage/kubernetes-cni_$CNI_PLUGINS_VERSION-${rev}_amd64.deb
    local v minor bin repo
    for v in $K8S_RELEASES; do
        minor=${v%.*}
        bin=$(part_dir "kubernetes-$minor")/bin
        repo="$OUT/core:/stable:/v$minor/deb"
        mkdir -p "$repo"
        local r="$stage/$v"
        install -D -m 0755 "$bin/kubelet" "$r/kubelet/usr/bin/kubelet"
        install -D -m 0644 "$TOOLCHAIN_DIR/packaging/kubelet.service" "$r/kubelet/usr/lib/systemd/system/kubelet.service"
        install -D -m 0644 /dev/null "$r/kubelet/etc/default/kubelet" && echo "KUBELET_EXTRA_ARGS=" >"$r/kubelet/etc/default/kubelet"
        install -d "$r/kubelet/etc/kubernetes/manifests" "$r/kubelet/var/lib/kubelet"
        deb_build kubelet "$v-$rev" "kubernetes-cni (>= 1.2.0), mount, util-linux" "iptables (>= 1.8.4)" "$r/kubelet" "$repo"
        install -D -m 0755 "$bin/kubeadm" "$r/kubeadm/usr/bin/kubeadm"
        install -D -m 0644 "$TOOLCHAIN_DIR/packaging/10-kubeadm.conf" "$r/kubeadm/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"
        deb_build kubeadm "$v-$rev" "" "" "$r/kubeadm" "$repo"
        install -D -m 0755 "$bin/kubectl" "$r/kubectl/usr/bin/kubectl"
        deb_build kubectl "$v-$rev" "" "" "$r/kubectl" "$repo"
        cp "$crictl_deb" "$cni_deb" "$repo/"
        apt_repo_sign "$OUT/gnupg" "$repo" "hacluster-lab-kubernetes"
    done
    GNUPGHOME=$OUT/gnupg gpg --batch --armor --export >"$OUT/Release.key"
    rm -rf "$OUT/gnupg" "$stage"
}
