#!/usr/bin/env bash
# Refreshes ui/static/govuk from the govuk-frontend npm package and the component
# fixtures used by internal/web/govuk tests.
#
#   bash ui/update-govuk.sh 6.6.0
#
# Then run `go test ./internal/web/govuk/...` and fix any component whose markup changed.
set -euo pipefail

version="${1:?usage: update-govuk.sh VERSION}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
dest="$here/static/govuk"
fixtures="$root/internal/web/govuk/testdata/fixtures"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "govuk-frontend@$version" >/dev/null && tar xzf "govuk-frontend-$version.tgz")
dist="$work/package/dist/govuk"

rm -rf "$dest/assets"
mkdir -p "$dest"
cp -R "$dist/assets" "$dest/assets"
cp "$dist/govuk-frontend.min.js" "$dest/govuk-frontend.min.js"
# The stylesheet refers to /assets/...; we serve the assets under /static/govuk/assets/.
sed 's#url(/assets/#url(/static/govuk/assets/#g' "$dist/govuk-frontend.min.css" >"$dest/govuk-frontend.min.css"
if grep -q 'url(/assets/' "$dest/govuk-frontend.min.css"; then
	echo "unrewritten url(/assets/...) left in the stylesheet" >&2
	exit 1
fi
echo "$version" >"$dest/VERSION"

mkdir -p "$fixtures"
for f in "$fixtures"/*.json; do
	[ -e "$f" ] || continue
	name="$(basename "$f" .json)"
	cp "$dist/components/$name/fixtures.json" "$f"
done
echo "govuk-frontend $version installed in $dest"
