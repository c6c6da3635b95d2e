#!/usr/bin/env bash
# Does each patch of patches/ still pay? Makes copies of the checkout (links)
# whose node_modules has every patch, none, or all but one, then runs
# tests/bench/portal-patches.ts on them: the framework's CPU per page of each,
# side by side in the same run, as a ratio to "every patch" (the machine is
# shared: read the ratios, not the absolute figures).
#
#   source scripts/test-env.sh && npm run build && bash tests/bench/portal-patches.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
patches=(patches/*.patch)

# A checkout whose node_modules has all patches but those named ($@) reversed.
variant() {
  local dir=$work/$1; shift
  mkdir -p "$dir"
  ln -s "$root"/* "$dir"/ && rm "$dir/node_modules" && mkdir "$dir/node_modules"
  ln -s "$root"/node_modules/* "$root"/node_modules/.bin "$dir/node_modules/"
  for patch in "$@"; do
    # The package the patch touches: node_modules/<name>/... or node_modules/@scope/<name>/...
    local pkg; pkg=$(grep -m1 '^+++ b/node_modules/' "$patch" | sed -E 's#^\+\+\+ b/node_modules/((@[^/]+/)?[^/]+)/.*#\1#')
    case $pkg in @*/*) local scope=${pkg%%/*}; if [ -L "$dir/node_modules/$scope" ]; then rm "$dir/node_modules/$scope"; mkdir "$dir/node_modules/$scope"; ln -s "$root/node_modules/$scope"/* "$dir/node_modules/$scope/"; fi ;; esac
    rm "$dir/node_modules/$pkg"
    cp -r "$root/node_modules/$pkg" "$dir/node_modules/$pkg"
    patch -s -R -p1 -d "$dir" < "$patch"
  done
  echo "$dir"
}

all=$(variant all)
args=("every-patch=$all" "no-patch=$(variant none "${patches[@]}")")
for p in "${patches[@]}"; do args+=("without-$(basename "$p" .patch)=$(variant "without-$(basename "$p" .patch)" "$p")"); done
nice npx tsx tests/bench/portal-patches.ts "${args[@]}"
