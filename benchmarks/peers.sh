# What our peer benchmarks (cache.sh, tunnel.sh) share, sourced after the shared harness's lib.sh
# (which gives die, stop_tree and result):
#   bench_start NAME TOOL...  OUT (given, or benchmarks/target/NAME-<time>) and RUN made, results.tsv
#                             emptied, every TOOL checked, what started.pids lists stopped on exit,
#                             the jar built once up front.
bench_start() {
  local name=$1 tool
  shift
  OUT=${OUT:-$ROOT/benchmarks/target/$name-$(date +%Y%m%d-%H%M%S)}
  RUN=$OUT/run
  mkdir -p "$RUN"
  : >"$OUT/results.tsv"
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "$tool is missing (see the header of this script)"
  done
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  "$ROOT/edgeproxy" --version >/dev/null
}

bench_cleanup() {
  local pid rest
  [[ -f $RUN/started.pids ]] || return 0
  while read -r pid rest; do stop_tree "$pid"; done <"$RUN/started.pids"
}
