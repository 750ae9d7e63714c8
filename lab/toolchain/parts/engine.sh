# shellcheck shell=bash
# The Pulumi engine (CLI) and the plugins an on-prem stack's `pulumi preview` / `up` loads:
# pulumi (pkg/v3, upstream), pulumi-language-nodejs (the lab's own host, sdk/v3 protocol) and the
# lab's stand-in resource plugins command, tls and random, versioned as the npm SDKs pin them
# (package.json "pulumi".version), in plugins/<name>/ ready for `pulumi plugin install --file`.
PART_VARS=(PULUMI_VERSION PULUMI_PLUGINS)
PART_INPUTS=(modules/pulumi modules/plugins)
part_build() {
    # The lab host's Kubernetes builds may run beside this one: stay out of their way.
    # (nice: the engine builds beside the Kubernetes parts in a cold build.)
    go_build pulumi "$OUT/bin" "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    go_build plugins "$OUT/bin" "-X main.version=$PULUMI_VERSION" ./cmd/pulumi-language-nodejs
    local spec name version
    for spec in $PULUMI_PLUGINS; do
        name=${spec%@*} version=${spec#*@}
        go_build plugins "$OUT/plugins/$name-$version" "-X main.version=$version" "./cmd/pulumi-resource-$name"
    done
    "$OUT/bin/pulumi" version | grep -qx "v$PULUMI_VERSION" || die "pulumi does not report v$PULUMI_VERSION"
    {
        echo "PULUMI_VERSION=$PULUMI_VERSION"
        echo "PULUMI_PLUGINS=\"$PULUMI_PLUGINS\""
    } >"$OUT/versions.env"
}
