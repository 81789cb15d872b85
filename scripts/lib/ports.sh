# Sourced by the scripts that start servers on loopback.
# free_port prints a TCP port nothing listens on, below the kernel's ephemeral range, so that no client
# connection's own port (which a bind cannot share, even with SO_REUSEADDR) can be picked.
free_port() {
  local low p
  low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 12000 ] || low=32768
  while :; do
    p=$(( 10000 + RANDOM % (low - 10000) ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
