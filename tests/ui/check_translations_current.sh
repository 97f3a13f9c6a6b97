#!/usr/bin/env bash
# Every translatable string in the studio's sources has an entry in each .ts file.
set -euo pipefail
src="$1"
lupdate=/usr/lib/qt6/bin/lupdate; [[ -x $lupdate ]] || lupdate=$(command -v lupdate6 || command -v lupdate)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
status=0
for ts in "$src"/translations/*.ts; do
  cp "$ts" "$work/check.ts"
  "$lupdate" -silent -no-obsolete "$src/ui" "$src/widgets" "$src/app/csm-studio" -ts "$work/check.ts" >/dev/null
  if grep -q 'type="unfinished"' "$work/check.ts"; then
    echo "$(basename "$ts"): untranslated strings:"; grep -B2 'type="unfinished"' "$work/check.ts" | grep '<source>' || true
    status=1
  fi
done
[[ $status == 0 ]] && echo "1 passed, 0 failed"
exit $status
