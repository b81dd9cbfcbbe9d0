#!/usr/bin/env bash
# Publishes tsdb as one self-contained executable per platform: the .NET runtime, ASP.NET Core and the web UI are
# inside the file, so the machine it runs on needs no .NET. What it still takes from the system: glibc (2.27 or
# newer, as .NET 10 asks) with libstdc++ and libgcc_s, libzstd.so.1 (Debian's libzstd1, which Tsdb.Core calls for
# zstd) and libssl.so.3 (Debian's libssl3: tokens are hashed with SHA-256 through OpenSSL, and S3 over https; without
# it the first request that hashes anything ends the process), plus CA certificates for S3 over https.
#
#   deploy/publish.sh                    # linux-x64 and linux-arm64 into artifacts/publish/<rid>/tsdb
#   deploy/publish.sh linux-x64          # one platform
#   OUT=/tmp/p deploy/publish.sh         # another output folder
#   READY_TO_RUN=false deploy/publish.sh # smaller files, slower start (the JIT compiles everything at start-up)
set -euo pipefail
cd "$(dirname "$0")/.."

out=${OUT:-artifacts/publish}
r2r=${READY_TO_RUN:-true}
rids=("$@")
if [ ${#rids[@]} -eq 0 ]; then rids=(linux-x64 linux-arm64); fi

for rid in "${rids[@]}"; do
  echo "== publishing $rid into $out/$rid"
  # ReadyToRun precompiles the assemblies (the JIT still re-optimises hot code); it roughly halves the time to
  # the first answer. DebugType=none: the single file carries no separate .pdb to forget.
  dotnet publish src/Tsdb.Cli/Tsdb.Cli.csproj -c Release -r "$rid" --self-contained true \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:PublishReadyToRun="$r2r" \
    -p:DebugType=none -p:DebugSymbols=false \
    -o "$out/$rid" --nologo -v quiet
  # The projects' XML documentation files are copied beside it; the executable does not read them.
  rm -f "$out/$rid"/*.xml
  ls -l "$out/$rid"
done
