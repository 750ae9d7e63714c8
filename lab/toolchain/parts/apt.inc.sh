# shellcheck shell=bash
# A flat apt repository (as pkgs.k8s.io lays them out: `deb [signed-by=KEY] URL /`), signed with
# a key made for it: Packages(.gz), Release, Release.gpg, InRelease and Release.key (armored).
apt_key_make() { # GNUPGHOME name
    local home=$1 name=$2
    install -d -m 0700 "$home"
    GNUPGHOME=$home gpg --batch --quiet --passphrase '' --quick-gen-key "$name <lab@hacluster.invalid>" ed25519 sign 2y
}

apt_repo_sign() { # GNUPGHOME dir origin
    local home=$1 dir=$2 origin=$3
    (
        cd "$dir" || exit 1
        apt-ftparchive packages . >Packages
        gzip -9nk Packages
        apt-ftparchive -o "APT::FTPArchive::Release::Origin=$origin" -o "APT::FTPArchive::Release::Label=$origin" \
            -o APT::FTPArchive::Release::Date="Thu, 01 Jan 2026 00:00:00 UTC" release . >Release
        GNUPGHOME=$home gpg --batch --yes --armor --detach-sign -o Release.gpg Release
        GNUPGHOME=$home gpg --batch --yes --clearsign -o InRelease Release
        GNUPGHOME=$home gpg --batch --yes --armor --export >Release.key
    )
}
