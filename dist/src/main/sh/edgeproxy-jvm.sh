# shellcheck shell=bash
# How the edgeproxy JVM is started: the one place that says so. Sourced, never run, by the
# repository's ./edgeproxy and by the packaged bin/edgeproxy (dist/), so a checkout and an
# installed package run the CLI with the same options.

# edgeproxy_java_major DIR: the major version of the Java runtime in DIR (from its release file), or 0.
edgeproxy_java_major() {
  local release=$1/release v
  [[ -x $1/bin/java && -f $release ]] || { echo 0; return; }
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  echo "${v:-0}"
}

# edgeproxy_exec JAVA_HOME JAR JSA NATIVE_DIR [ARGS...]: replaces the shell with the edgeproxy CLI.
#   JSA         a class-data-sharing archive for `agent` and `demo`: made by the first such run (a
#               dynamic archive over the runtime's base one; other commands would archive too few
#               classes), reused by the next; written by one JVM at a time (JSA.lock); empty, or in a
#               directory that cannot be made or written, or without flock(1): none.
#   NATIVE_DIR  a directory holding SQLite's libsqlitejdbc.so, loaded from there; sqlite-jdbc
#               otherwise extracts and checksums it on every start (about a quarter of a second);
#               empty: none.
# EDGEPROXY_JAVA_OPTS (split on spaces) adds JVM options after these.
edgeproxy_exec() {
  local jdk=$1 jar=$2 jsa=$3 native=$4
  shift 4
  local opts=(-Xlog:cds=off -Xlog:cds+dynamic=off -Xlog:aot=off -XX:+UseSerialGC -Xms32m -Xss256k)
  if [[ -n $jsa ]]; then
    # One archive per jar: its modification time and size are in the name. A JDK 25 does not
    # replace an archive made for another jar (it only refuses to use it), and a process of the
    # previous version exiting after an upgrade may still write its own; so the others are dropped.
    local base=${jsa%.jsa} id old
    id=$(stat -c %Y-%s "$jar" 2>/dev/null || echo 0)
    for old in "$base".jsa "$base"-*-*.jsa "$base"-*-*.jsa.lock; do
      [[ -f $old && $old != "$base-$id.jsa" && $old != "$base-$id.jsa.lock" ]] && { rm -f "$old" 2>/dev/null || true; }
    done
    jsa=$base-$id.jsa
    case ${1:-} in
      agent | demo)
        # One writer at a time. A JVM started with AutoCreateSharedArchive writes the archive as it
        # exits when it found none it could use; several exiting together (agents of one install
        # stopped at once) wrote one file together, and every JVM mapping it afterwards died at
        # start (SIGSEGV in AOTClassLocationConfig::validate). So only the JVM holding the lock may
        # write: the descriptor stays open through exec, and the lock lasts as long as that JVM.
        # Others map an archive already there, read-only (the JDK writes an archive's header last,
        # so one still being written is refused, not mapped), or start without one.
        local lock
        if mkdir -p "$(dirname "$jsa")" 2>/dev/null && [[ -w $(dirname "$jsa") ]] && command -v flock >/dev/null \
            && { exec {lock}>>"$jsa.lock"; } 2>/dev/null; then
          if flock -n "$lock"; then
            opts+=(-XX:SharedArchiveFile="$jsa" -XX:+AutoCreateSharedArchive)
          else
            exec {lock}>&-
            [[ -f $jsa ]] && opts+=(-XX:SharedArchiveFile="$jsa")
          fi
        fi
        ;;
    esac
  fi
  if [[ -n $native && -f $native/libsqlitejdbc.so ]]; then
    opts+=(-Dorg.sqlite.lib.path="$native" -Dorg.sqlite.lib.name=libsqlitejdbc.so)
  fi
  # The embedded GeoIP database, mapped from a file rather than read into the heap (16 MB less idle RSS;
  # MaxMindGeoResolver.embedded checks the copy's size against the jar's and else reads the jar).
  if [[ -n $native && -f $native/iptoasn-country.mmdb ]]; then
    opts+=(-Dedgeproxy.geo.embedded-copy="$native/iptoasn-country.mmdb")
  fi
  # Netty reads and writes its direct buffers through sun.misc.Unsafe; from JDK 25 it leaves Unsafe off
  # unless the JVM allows its memory access, and falls back to bounds-checked ByteBuffer calls per byte
  # (HTTP header encoding measured 13 % of the HTTPS edge's CPU that way). JDK 23+ take the option.
  local major
  major=$(edgeproxy_java_major "$jdk")
  (( major >= 23 )) && opts+=(--sun-misc-unsafe-memory-access=allow)
  # glibc keeps what the JIT compilers and SQLite freed in its arenas; a trim every 5 s gives it back
  # (an idle agent: 5 MB of RSS). A product option from JDK 22.
  (( major >= 22 )) && opts+=(-XX:TrimNativeHeapInterval=5000)
  # 8-byte object headers (JEP 519, a product option from JDK 25): about a tenth less heap per idle
  # connection and fewer bytes allocated per request. Its base class-data archive (classes_coh.jsa)
  # is in the JDK and made for the packages' runtime by dist's build.
  (( major >= 25 )) && opts+=(-XX:+UseCompactObjectHeaders)
  # shellcheck disable=SC2086
  # edgeproxy reload starts the new agent through this same launcher (so with these options).
  EDGEPROXY_LAUNCHER=$(readlink -f "$0" 2>/dev/null || echo "$0")
  export EDGEPROXY_LAUNCHER
  exec "$jdk/bin/java" "${opts[@]}" ${EDGEPROXY_JAVA_OPTS:-} -jar "$jar" "$@"
}
