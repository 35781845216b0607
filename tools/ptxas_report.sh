#!/usr/bin/env bash
# ptxas_report.sh: registers, stack frame and spill bytes of every kernel in a build, as ptxas
# reports them, plus the static count of local-memory instructions in each kernel's PTX. Needs
# nvcc and the build's compile_commands.json; no GPU, no cuobjdump (the dev box has neither).
#
#   tools/ptxas_report.sh BUILD_DIR [FILE.cu ...] > report.md    # default: every .cu of the build
#
# Each .cu is compiled again exactly as the build compiles it, but for its first real GPU
# architecture only, to a cubin (no host code), with -Xptxas=-v and the PTX kept. Why the PTX
# counts: a stack frame says how much local memory a thread *may* use, not which code touches
# it; ld.local/st.local in a kernel's PTX say where it is addressed (loop bodies counted once).
# Prints Markdown: a header with date, commit and nvcc, one table row per kernel, and the raw
# ptxas lines. Exit 1 when a file fails to compile or no kernel was found.
set -u -o pipefail

BUILD=${1:?usage: ptxas_report.sh BUILD_DIR [FILE.cu ...]}
shift
SRC=$(cd "$(dirname "$0")/.." && pwd)
COMMANDS=$BUILD/compile_commands.json
[ -f "$COMMANDS" ] || { echo "ptxas_report.sh: no $COMMANDS (configure with CMake first)" >&2; exit 1; }
command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || { echo "ptxas_report.sh: no nvcc" >&2; exit 1; }
export PATH=$PATH:/usr/local/cuda/bin
PYTHON=$(command -v python3 || echo /usr/bin/python3)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ptxas-report.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# PTXAS_REPORT_REUSE=DIR: parse the outputs a run left in DIR (kept with PTXAS_REPORT_KEEP=DIR).
if [ -n "${PTXAS_REPORT_REUSE:-}" ]; then rm -rf "$WORK"; WORK=$PTXAS_REPORT_REUSE; trap - EXIT; fi
[ -n "${PTXAS_REPORT_KEEP:-}" ] && trap 'rm -rf "$PTXAS_REPORT_KEEP"; cp -r "$WORK" "$PTXAS_REPORT_KEEP"; rm -rf "$WORK"' EXIT

if [ -z "${PTXAS_REPORT_REUSE:-}" ]; then
# One shell command per .cu, rewritten from compile_commands.json: same flags, one architecture,
# -cubin instead of -c, ptxas verbose, PTX kept in WORK/<n>/.
"$PYTHON" - "$COMMANDS" "$WORK" "$@" >"$WORK/commands.txt" <<'EOF' || exit 1
import json, re, shlex, sys
commands, work, wanted = sys.argv[1], sys.argv[2], [w for w in sys.argv[3:]]
entries = [e for e in json.load(open(commands)) if e["file"].endswith(".cu")]
if wanted:
    entries = [e for e in entries if any(e["file"].endswith(w) for w in wanted)]
if not entries:
    sys.exit("ptxas_report.sh: no matching .cu file in compile_commands.json")
for n, e in enumerate(entries):
    words = shlex.split(e["command"]) if "command" in e else e["arguments"]
    arch, out, skip = None, [], False
    for w in words:
        if skip:
            skip = False
            continue
        if w in ("-o", "-c"):
            skip = w == "-o"
            continue
        m = re.search(r"sm_(\d+a?)", w)
        if w.startswith(("--generate-code", "-gencode", "-arch", "--gpu-architecture")):
            if m and arch is None:
                arch = m.group(1)
            continue
        out.append(w)
    arch = arch or "90"
    out += [f"-arch=sm_{arch}", "-cubin", "-Xptxas=-v", "-keep", f"--keep-dir={work}/{n}", "-o", f"{work}/{n}/out.cubin"]
    print(f"{n}\t{e['directory']}\t{e['file']}\t{arch}\t{shlex.join(out)}")
EOF

status=0
# All files at once: each nvcc runs one thread, and the GPU machine has cores to spare.
while IFS=$'\t' read -r n directory file arch command; do
  mkdir -p "$WORK/$n"
  ( cd "$directory" && eval "$command" ) </dev/null >"$WORK/$n/ptxas.txt" 2>&1 &
  echo "$! $n $file" >>"$WORK/jobs.txt"
done <"$WORK/commands.txt"
while read -r pid n file; do
  if ! wait "$pid"; then
    echo "ptxas_report.sh: compiling $file failed:" >&2; tail -n 20 "$WORK/$n/ptxas.txt" >&2
    status=1
  fi
done <"$WORK/jobs.txt"
fi

"$PYTHON" - "$WORK" "$SRC" <<'EOF' || status=1
import glob, os, re, subprocess, sys, datetime
work, src = sys.argv[1], sys.argv[2]

def demangle(names):
    try:
        text = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True, text=True, check=True).stdout
        return text.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return names

def short(name):
    # drop the parameter list and namespaces: simulate_paths_kernel<false>
    name = name.replace("(anonymous namespace)", "anonymous")
    depth, cut = 0, len(name)
    for i, c in enumerate(name):
        if c in "<(":
            if c == "(" and depth == 0:
                cut = i
                break
            depth += 1
        elif c in ">)":
            depth -= 1
    head = name[:cut]
    depth, start = 0, 0
    for i, c in enumerate(head):
        if c == "<": depth += 1
        elif c == ">": depth -= 1
        elif c == ":" and depth == 0: start = i + 1
    head = head[start:]
    if len(head) > 60 and "<" in head:  # CUB's policy-laden template arguments
        head = head[: head.index("<")] + "<…>"
    return head

def git(*args):
    try:
        return subprocess.run(["git", "-C", src, *args], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"

rows, raw = [], []
for n in sorted(os.listdir(work), key=lambda s: int(s) if s.isdigit() else -1):
    if not n.isdigit():
        continue
    lines = open(os.path.join(work, n, "ptxas.txt"), errors="replace").read().splitlines()
    source = next((l.split("\t")[2] for l in open(os.path.join(work, "commands.txt")) if l.split("\t")[0] == n), "?")
    source = os.path.relpath(source, src)
    raw.append(f"== {source}")
    raw += [l for l in lines if "ptxas" in l or "bytes" in l]
    # local-memory instructions per .entry in the kept PTX
    local = {}
    for ptx in glob.glob(os.path.join(work, n, "*.ptx")):
        current = None
        for l in open(ptx, errors="replace"):
            m = re.match(r"\s*(?:\.visible\s+|\.weak\s+)?\.entry\s+([^\s(]+)", l)
            if m:
                current = m.group(1)
                local[current] = [0, 0]
            elif current and l.startswith("}"):
                current = None
            elif current:
                local[current][0] += "ld.local" in l
                local[current][1] += "st.local" in l
    entry = None
    for l in lines:
        m = re.search(r"Compiling entry function '(\S+)' for '(\S+)'", l)
        if m:
            entry = {"mangled": m.group(1), "arch": m.group(2), "source": source}
            rows.append(entry)
            continue
        if entry is None:
            continue
        m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", l)
        if m and "stack" not in entry:
            entry["stack"], entry["spill_st"], entry["spill_ld"] = m.groups()
        m = re.search(r"Used (\d+) registers", l)
        if m and "registers" not in entry:
            entry["registers"] = m.group(1)
            m2 = re.search(r"(\d+) bytes smem", l)
            entry["smem"] = m2.group(1) if m2 else "0"
    for r in rows:
        if r["source"] == source:
            r["ld_local"], r["st_local"] = local.get(r["mangled"], ["?", "?"])

names = demangle([r["mangled"] for r in rows])
nvcc = subprocess.run(["nvcc", "--version"], capture_output=True, text=True).stdout.strip().splitlines()
print(f"# ptxas report: every kernel's registers, stack frame and spills")
print()
print(f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
print(f"- commit: {git('rev-parse', 'HEAD')} ({len([l for l in git('status', '--porcelain', '--untracked-files=no').splitlines() if l])} modified files)")
print(f"- compiler: {nvcc[-1] if nvcc else '?'}; the build's own flags, one architecture, `-cubin -Xptxas=-v`")
print(f"- command: `tools/ptxas_report.sh BUILD_DIR`")
print()
print("| kernel | file | arch | registers | stack frame (B) | spill stores (B) | spill loads (B) | shared (B) | PTX ld.local / st.local (static) |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|")
for r, name in sorted(zip(rows, names), key=lambda x: (x[0]["source"], short(x[1]))):
    print(f"| `{short(name)}` | {r['source']} | {r['arch']} | {r.get('registers', '?')} | {r.get('stack', '?')} | "
          f"{r.get('spill_st', '?')} | {r.get('spill_ld', '?')} | {r.get('smem', '?')} | {r.get('ld_local', '?')} / {r.get('st_local', '?')} |")
print()
print("<details><summary>raw ptxas output</summary>")
print()
print("```")
for l in raw:
    print(l)
print("```")
print("</details>")
if not rows:
    sys.exit("ptxas_report.sh: no kernel found in the ptxas output")
EOF
exit "$status"
