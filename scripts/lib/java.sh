# Sourced by ./aegis and ./scripts/*: finds a JDK 21 or newer and exports JAVA_HOME.
# Order: $JAVA_HOME if it is 21+, then `java` on PATH, then the newest JDK under /usr/lib/jvm.

aegis_java_major() { # $1 = path to a java binary; prints its feature version, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

aegis_find_jdk() {
  local candidates=() c v best="" bestv=0
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$(aegis_java_major "$c/bin/java"); v=${v%%.*}
    [ -n "$v" ] || continue
    if [ "$v" -ge 21 ]; then
      # The first acceptable candidate wins when the user chose it (JAVA_HOME / PATH); else the newest.
      if [ -n "${JAVA_HOME:-}" ] && [ "$c" = "$JAVA_HOME" ]; then best=$c; break; fi
      if [ "$v" -gt "$bestv" ]; then best=$c; bestv=$v; fi
    fi
  done
  if [ -z "$best" ]; then
    echo "aegis: no JDK 21 or newer found (looked at JAVA_HOME, javac on PATH and /usr/lib/jvm)." >&2
    echo "aegis: install one (for example Temurin 21+ or openjdk-21-jdk) and set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven's own libraries (Guice) use sun.misc.Unsafe, which JDK 24+ warns about on every build; the warning is
  # Maven's, not ours, so allow it quietly.
  local major
  major=$(aegis_java_major "$JAVA_HOME/bin/java"); major=${major%%.*}
  export AEGIS_JAVA_MAJOR="$major"
  if [ "$major" -ge 24 ]; then
    case " ${MAVEN_OPTS:-} " in
      *sun-misc-unsafe-memory-access*) ;;
      *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
    esac
  fi
}
