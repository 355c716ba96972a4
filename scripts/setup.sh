#!/usr/bin/env bash
# Set up a Debian 12 / Ubuntu machine for CnnSentinel: system packages, the .NET Interactive
# notebook kernel, the library build and its native runtime. Idempotent: run it again at any time;
# it only does what is missing. Runs as root or through sudo.
#
#   scripts/setup.sh            all steps
#   scripts/setup.sh STEP...    only these steps: packages dotnet-tool kernelspec build command web doctor
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INTERACTIVE_VERSION="1.0.712001"      # Microsoft.dotnet-interactive, the notebook kernel
DOTNET_MAJOR=10
APT_PACKAGES=(
  jupyter-core jupyter-client jupyter-nbconvert python3-nbclient python3-nbformat python3-ipykernel  # headless notebooks
  jupyter-notebook                       # the notebook server: `jupyter notebook notebooks/` to open them in a browser
  gdal-bin libgdal32 python3-rasterio    # raster I/O and a second reader for the GeoTIFFs we write
  python3-numpy python3-torch python3-torchvision python3-pil  # reference implementations for the parity tests and benchmarks
  chromium                               # the headless browser that tests the map web page (web/)
)
TOOLS_DIR="${HOME}/.dotnet/tools"
export PATH="${PATH}:${TOOLS_DIR}"

say()  { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
fail() { printf '\033[1;31m[setup] FAILED:\033[0m %s\n' "$1" >&2; [ $# -gt 1 ] && printf '         %s\n' "${@:2}" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1; then sudo "$@";
  else fail "'$*' needs root." "Run this script as root or install sudo."; fi
}

step_packages() {
  command -v apt-get >/dev/null 2>&1 || fail "apt-get not found." "This script supports Debian 12 and Ubuntu; install the packages listed in APT_PACKAGES by hand elsewhere."
  local missing=() wanted=("${APT_PACKAGES[@]}")
  # Node.js and npm for web/, from Debian unless a Node.js (which brings npm) is installed already.
  command -v npm >/dev/null 2>&1 || wanted+=(nodejs npm)
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then say "system packages: present"; return; fi
  say "installing system packages: ${missing[*]}"
  as_root apt-get update -qq || fail "apt-get update failed." "Check the network connection to the Debian/Ubuntu package mirror."
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed." "Run it by hand to see which package is unavailable on this distribution."
}

step_dotnet_tool() {
  command -v dotnet >/dev/null 2>&1 || fail "dotnet not found." "Install the .NET ${DOTNET_MAJOR} SDK (https://dot.net), then rerun."
  local major; major="$(dotnet --version | cut -d. -f1)"
  [ "$major" -ge "$DOTNET_MAJOR" ] || fail ".NET SDK $(dotnet --version) is too old." "Install the .NET ${DOTNET_MAJOR} SDK."
  if dotnet tool list -g | grep -qi "microsoft.dotnet-interactive *${INTERACTIVE_VERSION}"; then
    say "dotnet-interactive ${INTERACTIVE_VERSION}: present"; return
  fi
  say "installing dotnet-interactive ${INTERACTIVE_VERSION}"
  dotnet tool uninstall -g Microsoft.dotnet-interactive >/dev/null 2>&1 || true
  dotnet tool install -g Microsoft.dotnet-interactive --version "$INTERACTIVE_VERSION" >/dev/null \
    || fail "dotnet tool install Microsoft.dotnet-interactive ${INTERACTIVE_VERSION} failed." "Check that NuGet is reachable."
}

kernelspec_dir() { jupyter kernelspec list --json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["kernelspecs"].get(".net-csharp",{}).get("resource_dir",""))'; }

step_kernelspec() {
  command -v jupyter >/dev/null 2>&1 || fail "jupyter not found." "Run: scripts/setup.sh packages"
  [ -x "${TOOLS_DIR}/dotnet-interactive" ] || fail "dotnet-interactive not installed." "Run: scripts/setup.sh dotnet-tool"
  local dir; dir="$(kernelspec_dir)"
  if [ -n "$dir" ] && grep -q "${TOOLS_DIR}/dotnet-interactive" "$dir/kernel.json" 2>/dev/null && grep -q -- "--http-local-only" "$dir/kernel.json" \
     && ! grep -q RestoreAdditionalProjectSources "$dir/kernel.json"; then
    say "kernelspec .net-csharp: present ($dir)"; return
  fi
  say "registering the .NET Interactive kernelspecs"
  "${TOOLS_DIR}/dotnet-interactive" jupyter install >/dev/null 2>&1 || fail "dotnet-interactive jupyter install failed." "Run it by hand to see why."
  dir="$(kernelspec_dir)"
  [ -n "$dir" ] || fail "the kernelspec .net-csharp was not registered." "Check 'jupyter kernelspec list'."
  # Start the kernel by absolute path (Jupyter and nbconvert need not have the tools folder on PATH),
  # with its HTTP services on loopback only (by default they listen on every interface). Nothing about
  # this checkout goes into the kernelspec, which is shared by every checkout on the machine: each
  # notebook's first cell tells NuGet where its checkout's package folder is.
  /usr/bin/python3 - "$dir/kernel.json" "${TOOLS_DIR}/dotnet-interactive" <<'PY'
import json, sys
path, tool = sys.argv[1], sys.argv[2]
spec = json.load(open(path))
spec["argv"] = [tool, "jupyter", "--default-kernel", "csharp", "--http-local-only", "{connection_file}"]
spec.pop("env", None)
json.dump(spec, open(path, "w"), indent=2)
PY
  say "kernelspec .net-csharp: $dir"
}

step_build() {
  # Earlier versions of this script registered artifacts/packages as the user-level NuGet source
  # CnnSentinel-local; once that folder is gone every restore on the machine fails, so remove it.
  if dotnet nuget list source --format short 2>/dev/null | grep -q "artifacts/packages\$"; then
    dotnet nuget remove source CnnSentinel-local >/dev/null 2>&1 && say "removed the old user-level NuGet source CnnSentinel-local"
  fi
  mkdir -p "$ROOT/artifacts/packages"
  say "building the library, command line and tests"
  (cd "$ROOT" && dotnet build tests/CnnSentinel.Tests -v q -nologo) >/tmp/cnnsentinel-build.log 2>&1 \
    || { tail -30 /tmp/cnnsentinel-build.log >&2; fail "dotnet build failed (log above)."; }
}

COMMAND_LINK=/usr/local/bin/cnnsentinel

step_command() {
  # `cnnsentinel` on the PATH: a link to scripts/cnnsentinel, which runs the build of the checkout it is called
  # in (or of this one). A link to any checkout's script will do, so a second checkout leaves the first's alone.
  local target="$ROOT/scripts/cnnsentinel" current
  current="$(readlink -f "$COMMAND_LINK" 2>/dev/null || true)"
  if [ -n "$current" ] && [ -x "$current" ] && [ "$(basename "$current")" = cnnsentinel ] && [ -f "$(dirname "$current")/setup.sh" ]; then
    say "cnnsentinel command: present ($COMMAND_LINK -> $current)"; return
  fi
  if [ -e "$COMMAND_LINK" ] && [ ! -L "$COMMAND_LINK" ]; then
    fail "$COMMAND_LINK exists and is not set-up's link." "Remove it and rerun, or call dotnet cli/bin/Debug/net10.0/cnnsentinel.dll instead."
  fi
  as_root ln -sfn "$target" "$COMMAND_LINK" || fail "could not link $COMMAND_LINK to $target."
  say "cnnsentinel command: $COMMAND_LINK -> $target"
}

step_web() {
  # The page's libraries (onnxruntime-web, geotiff) come from the committed lockfile and are copied into
  # web/vendor/ so that the page works offline; npm ci runs only when the lockfile changed.
  local web="$ROOT/web" stamp="$ROOT/web/node_modules/.package-lock.json"
  command -v npm >/dev/null 2>&1 || fail "npm not found." "Run 'scripts/setup.sh packages' first."
  if [ ! -f "$stamp" ] || [ "$web/package-lock.json" -nt "$stamp" ]; then
    say "installing the web page's npm packages"
    (cd "$web" && npm ci --no-audit --no-fund --silent) || fail "npm ci in web/ failed." "Check the connection to the npm registry."
  else
    say "web page npm packages: present"
  fi
  (cd "$web" && node scripts/vendor.mjs) || fail "copying the web page's libraries into web/vendor/ failed."
}

step_doctor() {
  (cd "$ROOT" && dotnet cli/bin/Debug/net10.0/cnnsentinel.dll doctor) || fail "the torch runtime does not work (message above)."
}

STEPS=("$@")
[ ${#STEPS[@]} -gt 0 ] || STEPS=(packages dotnet-tool kernelspec build command web doctor)
for s in "${STEPS[@]}"; do
  case "$s" in
    packages|dotnet-tool|kernelspec|build|command|web|doctor) "step_${s//-/_}" ;;
    *) fail "unknown step '$s'." "Steps: packages dotnet-tool kernelspec build command web doctor" ;;
  esac
done
say "done"
