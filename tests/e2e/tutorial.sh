# The README's rule-author tutorial, followed word for word: every block marked
# <!-- tutorial: file PATH --> is written to PATH, every block marked
# <!-- tutorial: run exit=N expect="TEXT" --> is run, in a copy of rules/ and lua/.
source "$(dirname "$0")/lib.bash"
TOP=$(cd "$E2E/../.." && pwd)
WORK=$TMP/work
mkdir -p "$WORK"
cp -r "$TOP/rules" "$TOP/lua" "$WORK/"
ln -s "$ANBUD" "$WORK/anbud"
export ANBUD_RULES=$WORK/rules ANBUD_LUA=$WORK/lua

# Split the README into numbered steps: TMP/step.N.kind (file PATH | run ...), TMP/step.N.body
awk -v dir="$TMP" '
  /^<!-- tutorial: / { kind = $0; sub(/^<!-- tutorial: /, "", kind); sub(/ -->$/, "", kind); n++;
                       print kind > (dir "/step." n ".kind"); close(dir "/step." n ".kind");
                       want = 1; next }
  want && /^```/ && !inside { inside = 1; next }
  inside && /^```/ { inside = 0; want = 0; next }
  inside { print > (dir "/step." n ".body") }
' "$TOP/README.md"

steps=$(ls "$TMP"/step.*.kind 2>/dev/null | wc -l)
t "README has tutorial steps" eval '[ "$steps" -ge 6 ]'
cd "$WORK" || exit 3
for i in $(seq 1 "$steps"); do
  kind=$(cat "$TMP/step.$i.kind")
  case $kind in
  file\ *)
    path=${kind#file }
    mkdir -p "$(dirname "$path")"
    cp "$TMP/step.$i.body" "$path"
    ;;
  run\ *)
    want_exit=$(sed -n 's/.*exit=\([0-9]*\).*/\1/p' <<<"$kind")
    want_text=$(sed -n 's/.*expect="\([^"]*\)".*/\1/p' <<<"$kind")
    bash "$TMP/step.$i.body" >"$TMP/out" 2>"$TMP/err"
    ST=$?
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
    t "tutorial step $i: $(head -n 1 "$TMP/step.$i.body")" \
      eval '[ "$ST" = "$want_exit" ] && out_has "$want_text"'
    ;;
  esac
done
cd "$TOP" || exit 3
finish
