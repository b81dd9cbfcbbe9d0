#!/usr/bin/env bash
# One AFL++ campaign over one fuzz target (docs/fuzzing.md):  fuzz/afl.sh TARGET MINUTES
# Publishes Tsdb.Fuzz once into fuzz/out/bin, instruments the product assemblies with SharpFuzz there, then runs
# afl-fuzz for MINUTES on fuzz/corpus/TARGET, writing fuzz/findings/TARGET (queue, crashes, hangs, fuzzer_stats).
set -euo pipefail
cd "$(dirname "$0")/.."
target=$1
minutes=$2
bin=fuzz/out/bin
export PATH="$PATH:$HOME/.dotnet/tools"
if [ ! -f "$bin/.instrumented" ]; then
  dotnet publish fuzz/Tsdb.Fuzz -c Release -o "$bin" --nologo -v quiet
  # Snappier too: the snappy and remote-write targets' decoding happens there, and without it AFL++ sees no edges.
  for dll in "$bin"/Tsdb.*.dll "$bin"/Snappier.dll; do
    case "$(basename "$dll")" in Tsdb.Fuzz.dll) continue ;; esac
    sharpfuzz "$dll"
  done
  touch "$bin/.instrumented"
fi
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
mkdir -p fuzz/findings
# -t: the .NET runtime starts slowly and a target's first inputs are JIT-compiled; 5 s per input is a hang.
afl-fuzz -i "fuzz/corpus/$target" -o "fuzz/findings/$target" -t 5000 -m none -V $((minutes * 60)) \
  -- dotnet "$bin/Tsdb.Fuzz.dll" afl "$target"
