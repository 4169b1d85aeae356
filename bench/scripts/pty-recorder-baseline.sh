#!/usr/bin/env bash
# Recording without the JVM: `script -q -c 'cat FILE' /dev/null > /dev/null` against pty-recorder-baseline.c in each
# of its modes, alternating, ROUNDS rounds. Prints wall time, MB/s (10^6 B of the file) and the recorder's own CPU
# seconds (script alone: everything it reaped minus its shell and cat, from `times`, in 10 ms ticks).
# Usage: bench/scripts/pty-recorder-baseline.sh [ROUNDS] [FILE] [MODES]
#   defaults: 4, the 200 MB file RecordingThroughputHarness writes, "none write mmap populate"
set -euo pipefail

rounds="${1:-4}"
file="${2:-/tmp/ptyq-recording/build-log-200000000.txt}"
modes="${3:-none write mmap populate}"
[[ -f "$file" ]] || { echo "pty-recorder-baseline.sh: no $file (RecordingThroughputHarness writes it)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/recorder" "$(dirname "$0")/pty-recorder-baseline.c" -lutil
mb=$(stat -c %s "$file" | awk '{print $1 / 1e6}')

# "0m1.230000s" -> 1.23
sec() { awk -F'[ms]' '{print $1 * 60 + $2}' <<<"$1"; }

for round in $(seq "$rounds"); do
  start=$(date +%s.%N)
  # The paths reach both shells through the environment, so they may hold any character.
  F="$file" W="$work" sh -c 'script -q -c "cat \"\$F\"; times > \"\$W/inner\"" /dev/null > /dev/null; times > "$W/outer"'
  end=$(date +%s.%N)
  read -r all_u all_s < <(sed -n 2p "$work/outer")
  read -r sh_u sh_s < <(sed -n 1p "$work/inner")
  read -r cat_u cat_s < <(sed -n 2p "$work/inner")
  cpu=$(awk -v a="$(sec "$all_u")" -v b="$(sec "$all_s")" -v c="$(sec "$sh_u")" -v d="$(sec "$sh_s")" \
    -v e="$(sec "$cat_u")" -v f="$(sec "$cat_s")" 'BEGIN {print a + b - c - d - e - f}')
  awk -v r="$round" -v w="$(awk -v s="$start" -v e="$end" 'BEGIN {print e - s}')" -v mb="$mb" -v c="$cpu" \
    'BEGIN {printf "%d %-10s wall %6.2f s  %6.1f MB/s  cpu %5.2f s\n", r, "script", w, mb / w, c}'
  for mode in $modes; do
    read -r wall cpu _ batches < <("$work/recorder" "$file" "$mode" "$work/journal")
    rm -f "$work/journal"
    awk -v r="$round" -v m="C-$mode" -v w="$wall" -v mb="$mb" -v c="$cpu" -v b="$batches" \
      'BEGIN {printf "%d %-10s wall %6.2f s  %6.1f MB/s  cpu %5.2f s  %d batches\n", r, m, w, mb / w, c, b}'
  done
done
