#!/usr/bin/env bash
# Packs AsyncCombinators with a unique version into a temporary folder, restores this consumer from that folder (only
# AsyncCombinators is mapped to it), builds and runs it, then publishes it trimmed and self-contained and runs that.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
version="0.1.0-ci.$(date +%s)"

dotnet pack "$root/src/AsyncCombinators/AsyncCombinators.csproj" -c Release -o "$work/feed" -p:Version="$version" -warnaserror
nupkg="$work/feed/AsyncCombinators.$version.nupkg"
listing="$(unzip -l "$nupkg")"
for entry in lib/netstandard2.0/AsyncCombinators.dll lib/net8.0/AsyncCombinators.dll lib/net10.0/AsyncCombinators.dll \
             lib/netstandard2.0/AsyncCombinators.xml lib/net8.0/AsyncCombinators.xml lib/net10.0/AsyncCombinators.xml README.md \
             analyzers/dotnet/cs/AsyncCombinators.Analyzers.dll; do
  grep -q " $entry\$" <<< "$listing" || { echo "package lacks $entry"; echo "$listing"; exit 1; }
done
test -f "$work/feed/AsyncCombinators.$version.snupkg" || { echo "no symbol package"; exit 1; }

cp -r "$here" "$work/consumer"
rm -rf "$work/consumer/bin" "$work/consumer/obj" "$work/consumer/run.sh"
cat > "$work/consumer/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-feed" value="$work/feed" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local-feed"><package pattern="AsyncCombinators" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML
# Keep the consumer out of the repository's Directory.*.props: it must build like a stranger's project.
echo '<Project></Project>' > "$work/consumer/Directory.Build.props"
echo '<Project></Project>' > "$work/consumer/Directory.Packages.props"

cd "$work/consumer"
dotnet run -c Release -p:AsyncCombinatorsVersion="$version"
dotnet publish -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -p:AsyncCombinatorsVersion="$version" -warnaserror -o "$work/trimmed" > "$work/publish.log" 2>&1 || { cat "$work/publish.log"; exit 1; }
if grep -q "warning IL" "$work/publish.log"; then grep "warning IL" "$work/publish.log"; exit 1; fi
"$work/trimmed/PackageConsumer"
echo "package consumer: trimmed, self-contained binary ran"

# A netstandard2.0 library built against the package, loaded by a .NET app that does not reference the package itself:
# the library's references to the Microsoft.Bcl facades must resolve there too.
cp -r "$root/tests/NetStandardConsumer" "$work/netstandard"
rm -rf "$work/netstandard"/*/bin "$work/netstandard"/*/obj
cp "$work/consumer/nuget.config" "$work/consumer/Directory.Build.props" "$work/consumer/Directory.Packages.props" "$work/netstandard/"
dotnet run -c Release --project "$work/netstandard/Host" -p:AsyncCombinatorsVersion="$version"

# The analyzers the package carries: a project with each idiom gets every rule's ID in its build output; the same
# project with the fixed code builds clean, warnings as errors. Nothing is applied: both versions are checked in.
cp -r "$root/tests/AnalyzerConsumer" "$work/analyzers"
rm -rf "$work/analyzers/bin" "$work/analyzers/obj"
cp "$work/consumer/nuget.config" "$work/consumer/Directory.Build.props" "$work/consumer/Directory.Packages.props" "$work/analyzers/"
cd "$work/analyzers"
# The compiler prints warnings but not Info diagnostics (AC0005): its SARIF error log, part of the build's output,
# lists both.
dotnet build -c Release -p:AsyncCombinatorsVersion="$version" -p:Code=Idioms -p:ErrorLog="$work/idioms.sarif" > "$work/idioms.log" 2>&1 || { cat "$work/idioms.log"; exit 1; }
cat "$work/idioms.sarif" >> "$work/idioms.log"
for id in AC0001 AC0002 AC0003 AC0004; do
  grep -q "Idioms.cs([0-9,]*): warning $id:" "$work/idioms.log" || { echo "the build did not report $id"; cat "$work/idioms.log"; exit 1; }
done
for id in AC0001 AC0002 AC0003 AC0004 AC0005; do
  grep -q "\"ruleId\": \"$id\"" "$work/idioms.log" || { echo "the build did not report $id"; cat "$work/idioms.log"; exit 1; }
done
dotnet build -c Release -p:AsyncCombinatorsVersion="$version" -p:Code=Fixed -p:ErrorLog="$work/fixed.sarif" -warnaserror > "$work/fixed.log" 2>&1 || { cat "$work/fixed.log"; exit 1; }
cat "$work/fixed.sarif" >> "$work/fixed.log"
if grep -E "AC000[0-9]" "$work/fixed.log"; then echo "the fixed code still has findings"; exit 1; fi
echo "package consumer: the analyzers reported AC0001-AC0005; the fixed code builds clean"
