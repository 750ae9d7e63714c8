#!/usr/bin/env bash
# Synths every shipped stack (Pulumi.<stack>.yaml) into DIR/<stack> through the CLI contract
# (`npm run synth -- --stack X --out DIR/X`), then, with --compare BASE, shows every byte that
# differs from an earlier run (diff -r; exit 1 on any difference). A refactoring keeps it empty.
#
#   scripts/synth-stacks.sh DIR                 # record plan.json + nodes/ of every stack
#   scripts/synth-stacks.sh DIR --compare BASE  # record, then diff against BASE
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/synth-stacks.sh DIR [--compare BASE]}
base=
if [[ ${2:-} == --compare ]]; then base=${3:?--compare needs a directory}; fi
mkdir -p "$out"
for f in Pulumi.*.yaml; do
  stack=${f#Pulumi.}
  stack=${stack%.yaml}
  npm run --silent synth -- --stack "$stack" --out "$out/$stack" --quiet
done
(cd "$out" && find . -type f | LC_ALL=C sort | xargs sha256sum) >"$out.sha256"
echo "synth-stacks: $(ls "$out" | wc -l) stacks, $(wc -l <"$out.sha256") files, digest $(sha256sum <"$out.sha256" | cut -c1-16)"
if [[ -n $base ]]; then
  if diff -r "$base" "$out"; then
    echo "synth-stacks: byte-identical to $base"
  else
    echo "synth-stacks: differs from $base" >&2
    exit 1
  fi
fi
