# shellcheck shell=bash
# Kubernetes commands of one release, built through its wrapper module (modules/kubernetes-1.NN),
# with the version stamped the way the release build does (hack/lib/version.sh).
kubernetes_build() {
    local version=$1 minor=${1#1.}
    minor=${minor%%.*}
    local date
    date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v$version.info" 2>/dev/null || true)
    local ld="" p
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        ld+=" -X $p.gitVersion=v$version -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=${date:-1970-01-01T00:00:00Z}"
    done
    local cmds=(kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy)
    go_build "kubernetes-1.$minor" "$OUT/bin" "$ld" "${cmds[@]/#/k8s.io/kubernetes/cmd/}"
    reports "v$version" "$OUT/bin/kubeadm" version -o short
    echo "$version" >"$OUT/version"
}
