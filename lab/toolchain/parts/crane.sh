# shellcheck shell=bash
# crane (go-containerregistry): assembles the lab's OCI images from the built binaries, no Docker.
PART_VARS=(GGCR_VERSION)
PART_INPUTS=(modules/crane)
part_build() {
    go_build crane "$OUT/bin" "-X github.com/google/go-containerregistry/cmd/crane/cmd.Version=v$GGCR_VERSION" github.com/google/go-containerregistry/cmd/crane
}
