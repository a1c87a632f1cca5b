#!/usr/bin/env bash
# Builds build/appointd_VERSION_ARCH.deb from build/appointd with dpkg-deb:
# the binary in /usr/bin, the unit in /lib/systemd/system, the settings file
# /etc/appointd/appointd.env (a conffile: every setting, commented out, made
# from `appointd config`), the maintainer scripts of deploy/deb/. Depends
# names the shared libraries dpkg-shlibdeps finds, plus what the binary
# opens at run time by name (zoneinfo) and what postinst runs (adduser).
# Usage: tools/deb.sh VERSION   (make deb)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version=${1:?usage: tools/deb.sh VERSION}
arch=$(dpkg --print-architecture)
stage=build/deb
root=$stage/appointd
out=build/appointd_${version}_${arch}.deb
# Files dated by the last commit, so that one commit gives one package.
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

# The settings file: one commented-out line a setting, from the binary's table.
env_file() {
    cat <<'HEAD'
# appointd's settings, read by appointd.service (EnvironmentFile=).
# A setting left commented out takes the default shown; uncomment and edit,
# then `systemctl restart appointd`. `appointd config` prints the same table.
HEAD
    build/appointd config | tail -n +3 | awk -F' [|] ' '{
        name = $1; def = $2; range = $3; doc = $4
        sub(/^[|] /, "", name); sub(/ [|]$/, "", doc)
        gsub(/`/, "", name); gsub(/`/, "", def); gsub(/`/, "", doc)
        if (def == "computed" || def == "(unset)") def = ""
        if (name == "DATABASE_URL") {
            def = "sqlite:/var/lib/appointd/appointd.db"
            doc = doc "; the unit sets the file under its StateDirectory"
        }
        printf "\n# %s%s\n#%s=%s\n", doc, range == "" ? "" : " (" range ")", name, def
    }' | fmt -w 78 -p '# '
}

changelog() {
    printf 'appointd (%s) unstable; urgency=medium\n\n' "$version"
    printf '  * Built from the appointd repository, commit %s.\n\n' \
        "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    printf ' -- %s  %s\n' "$(sed -n 's/^Maintainer: //p' deploy/deb/control)" \
        "$(date -R -u -d "@$SOURCE_DATE_EPOCH")"
}

depends() {
    mkdir -p "$stage/debian"
    printf 'Source: appointd\n\nPackage: appointd\nArchitecture: any\n' >"$stage/debian/control"
    local libs
    libs=$(cd "$stage" && dpkg-shlibdeps -O -eappointd/usr/bin/appointd 2>/dev/null |
        sed -n 's/^shlibs:Depends=//p')
    [ -n "$libs" ] || { echo "deb: dpkg-shlibdeps found no libraries" >&2; return 1; }
    printf '%s, adduser, tzdata' "$libs"
}

[ -x build/appointd ] || { echo "deb: build/appointd is missing (make all)" >&2; exit 1; }
rm -rf "$stage"
umask 022
install -D -m 0755 build/appointd "$root/usr/bin/appointd"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/appointd"
install -D -m 0644 deploy/appointd.service "$root/lib/systemd/system/appointd.service"
install -d "$root/etc/appointd"
env_file >"$root/etc/appointd/appointd.env"
doc=$root/usr/share/doc/appointd
install -D -m 0644 deploy/deb/copyright "$doc/copyright"
changelog | gzip -9n >"$doc/changelog.gz"
install -d "$root/usr/share/man/man1"
gzip -9n <deploy/deb/appointd.1 >"$root/usr/share/man/man1/appointd.1.gz"
for f in README.md docs/OPERATIONS.md; do
    gzip -9n <"$f" >"$doc/$(basename "$f").gz"
done

install -d "$root/DEBIAN"
for s in postinst prerm postrm; do
    install -m 0755 "deploy/deb/$s" "$root/DEBIAN/$s"
done
echo /etc/appointd/appointd.env >"$root/DEBIAN/conffiles"
(cd "$root" && find usr lib -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
deps=$(depends)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
    -e "s/@DEPENDS@/$deps/" deploy/deb/control >"$root/DEBIAN/control"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
echo "$out"
