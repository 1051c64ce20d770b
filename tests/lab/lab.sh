# tests/lab/lab.sh - the network lab: a chain of network namespaces
# (client, routers, target) joined by veth pairs, with tbf shaping and
# the bn-impair relay for delay, jitter and loss.  See tests/lab/README.md.
#
# Source it from POSIX sh (dash) or bash; it uses `local`, which dash,
# bash and busybox ash all have.  It is safe under `set -u`.  Functions
# return non-zero and say why on stderr ("lab: ...") when they fail;
# lab_require skips the test (exit 77, or fails with BN_REQUIRE_LAB=1).
#
# Addressing (only inside the lab's own namespaces; nothing is routed in
# the root namespace): node j is 0 (client), 1..N (routers), N+1
# (target); link k joins node k and node k+1 with device "bnl<k>" at both
# ends and 10.77.k.1/24 + fd00:77:k::1/64 on node k, .2 and ::2 on k+1.

LAB_PREFIX=""
LAB_STATE=""
LAB_N=""
LAB_RUNDIR=${BN_LAB_RUNDIR:-/run/bn-lab}
# the kernel's default net.ipv6.icmp.ratelimit (1000 ms before Linux
# 6.x's change to 100 ms), read from a fresh namespace by lab_chain
LAB_V6_RATELIMIT=1000

lab__err() {
  echo "lab: $*" >&2
  return 1
}

lab__skip() {
  if command -v skip >/dev/null 2>&1; then
    skip "$@"
  fi
  if [ "${BN_REQUIRE_LAB:-0}" = 1 ]; then
    echo "FAIL (BN_REQUIRE_LAB=1, would skip): $*" >&2
    exit 1
  fi
  echo "SKIP: $*" >&2
  exit 77
}

# The relay binary: $BN_LAB_IMPAIR, else the build tree, else $PATH.
lab__impair_bin() {
  if [ -n "${BN_LAB_IMPAIR:-}" ]; then
    echo "$BN_LAB_IMPAIR"
  elif [ -n "${BN_TOP_BUILDDIR:-}" ]; then
    echo "$BN_TOP_BUILDDIR/tests/lab/bn-impair"
  else
    command -v bn-impair || echo bn-impair
  fi
}

lab__pkg() {
  case $1 in
  ip | tc) echo iproute2 ;;
  ping | tracepath) echo iputils-"$1" ;;
  sysctl) echo procps ;;
  mtr) echo mtr-tiny ;;
  *) echo "$1" ;;
  esac
}

# lab_require [impair|CMD...]: skip unless the lab can run here: root,
# ip, sysctl, /dev/net/tun, and a network namespace can be made.
# "impair" also needs the built relay; any other word is a command.
lab_require() {
  local w
  [ "$(id -u)" = 0 ] || lab__skip "lab needs root (network namespaces)"
  for w in ip sysctl "$@"; do
    [ "$w" = impair ] && continue
    command -v "$w" >/dev/null 2>&1 ||
      lab__skip "$w not installed (apt-get install $(lab__pkg "$w"))"
  done
  [ -c /dev/net/tun ] || lab__skip "/dev/net/tun missing (modprobe tun)"
  if ! ip netns add "bnprobe$$" 2>/dev/null; then
    lab__skip "cannot create network namespaces (ip netns add failed)"
  fi
  ip netns del "bnprobe$$"
  for w in "$@"; do
    [ "$w" = impair ] || continue
    [ -x "$(lab__impair_bin)" ] ||
      lab__skip "relay $(lab__impair_bin) not built (make check builds it)"
  done
  return 0
}

# lab_init [NAME]: start a lab owned by this shell.  Namespaces are
# named $LAB_PREFIX-... with LAB_PREFIX=bn<pid>-<name>.  Teardown runs
# on EXIT, INT, TERM and HUP (through on_exit when tests/integration/
# lib.sh is loaded, so its own cleanup still runs).
lab_init() {
  local name
  name=$(printf %s "${1:-lab}" | tr -cd 'a-z0-9' | cut -c1-8)
  [ -z "$LAB_STATE" ] || lab__err "lab_init: a lab is already running" ||
    return 1
  lab_reap
  # one lab at a time: their timing must not suffer from each other
  command -v exclusive >/dev/null 2>&1 && exclusive
  LAB_PREFIX="bn$$-${name:-lab}"
  mkdir -p "$LAB_RUNDIR" 2>/dev/null || LAB_RUNDIR=/tmp/bn-lab
  LAB_STATE="$LAB_RUNDIR/$LAB_PREFIX"
  mkdir -p "$LAB_STATE" || lab__err "cannot create $LAB_STATE" || return 1
  echo $$ >"$LAB_STATE/owner"
  : >"$LAB_STATE/netns"
  if command -v on_exit >/dev/null 2>&1; then
    on_exit lab_teardown
  else
    trap lab_teardown EXIT
  fi
  # exit from a signal trap runs the EXIT trap, hence the teardown.
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  return 0
}

# lab_ns NAME: the namespace for client, target, r1..rN, a node number
# (0 = client .. N+1 = target) or an already full name.
lab_ns() {
  case $1 in
  client) echo "$LAB_PREFIX-c" ;;
  target) echo "$LAB_PREFIX-t" ;;
  r[0-9]*) echo "$LAB_PREFIX-$1" ;;
  [0-9]*)
    if [ "$1" -eq 0 ]; then
      echo "$LAB_PREFIX-c"
    elif [ "$1" -gt "${LAB_N:-0}" ]; then
      echo "$LAB_PREFIX-t"
    else
      echo "$LAB_PREFIX-r$1"
    fi
    ;;
  *) echo "$1" ;;
  esac
}

# lab_dev LINK: the device name of link LINK (the same at both ends).
lab_dev() {
  echo "bnl$1"
}

# lab_exec NS CMD...: run CMD in namespace NS (any lab_ns name).
lab_exec() {
  local ns
  [ $# -ge 2 ] || lab__err "lab_exec NS CMD..." || return 1
  ns=$(lab_ns "$1")
  shift
  ip netns exec "$ns" "$@"
}

lab__addns() {
  ip netns add "$1" || lab__err "ip netns add $1 failed" || return 1
  echo "$1" >>"$LAB_STATE/netns"
  ip -n "$1" link set lo up &&
    # Quiet IPv6 start-up so the relay counts only test traffic.  ICMP
    # rate limits stay at the kernel's defaults, as on real routers
    # (BN_LAB_RATELIMIT=off or lab_ratelimit off: the tuned lab).
    ip netns exec "$1" sysctl -q -w net.ipv6.conf.default.accept_dad=0 \
      net.ipv6.conf.default.router_solicitations=0 \
      net.ipv6.conf.default.accept_ra=0 >/dev/null &&
    LAB_V6_RATELIMIT=$(ip netns exec "$1" sysctl -n \
      net.ipv6.icmp.ratelimit) &&
    if [ "${BN_LAB_RATELIMIT:-on}" = off ]; then
      lab__ratelimit "$1" off
    fi
}

# lab__ratelimit NS on|off: the ICMP error rate limits of one namespace:
# "on" is the kernel's default (net.ipv4.icmp_ratelimit 1000 ms a token,
# a burst of 6 per destination; icmp_msgs_per_sec 1000, burst 50), "off"
# lets every error out (traceroute and mtr then see every answer).
lab__ratelimit() {
  if [ "$2" = off ]; then
    ip netns exec "$1" sysctl -q -w net.ipv4.icmp_ratelimit=0 \
      net.ipv4.icmp_msgs_per_sec=1000000 net.ipv4.icmp_msgs_burst=1000000 \
      net.ipv6.icmp.ratelimit=0 >/dev/null
  else
    ip netns exec "$1" sysctl -q -w net.ipv4.icmp_ratelimit=1000 \
      net.ipv4.icmp_msgs_per_sec=1000 net.ipv4.icmp_msgs_burst=50 \
      net.ipv6.icmp.ratelimit="$LAB_V6_RATELIMIT" >/dev/null
  fi
}

# lab_ratelimit on|off: ICMP error rate limits in every lab namespace:
# "on" the kernel's defaults (the lab's default), "off" none (the tuned
# lab; a test that uses it says so).
lab_ratelimit() {
  local ns
  case ${1:-} in on | off) ;; *) lab__err "lab_ratelimit on|off" ||
    return 1 ;; esac
  [ -n "$LAB_N" ] || lab__err "no chain: call lab_chain first" || return 1
  for ns in $LAB_NODES; do
    lab__ratelimit "$ns" "$1" || return 1
  done
}

# Addresses on link K (both ends), device already present and up.
lab__addr_link() {
  local k="$1" a b dev
  a=$(lab_ns "$k")
  b=$(lab_ns $((k + 1)))
  dev=$(lab_dev "$k")
  ip -n "$a" link set "$dev" up &&
    ip -n "$b" link set "$dev" up &&
    ip -n "$a" addr add "10.77.$k.1/24" dev "$dev" &&
    ip -n "$b" addr add "10.77.$k.2/24" dev "$dev" &&
    ip -n "$a" addr add "fd00:77:$k::1/64" dev "$dev" nodad &&
    ip -n "$b" addr add "fd00:77:$k::2/64" dev "$dev" nodad ||
    lab__err "addresses on link $k failed"
}

# Routes of node J: default toward the target, and the subnets left of
# its left neighbour through that neighbour.  "replace" makes this safe
# to run again after a link changed device.
lab__routes_node() {
  local j="$1" ns k l
  ns=$(lab_ns "$j")
  if [ "$j" -le "$LAB_N" ]; then
    ip -n "$ns" route replace default via "10.77.$j.2" &&
      ip -n "$ns" -6 route replace default via "fd00:77:$j::2" ||
      return 1
  else
    ip -n "$ns" route replace default via "10.77.$((j - 1)).1" &&
      ip -n "$ns" -6 route replace default via "fd00:77:$((j - 1))::1" ||
      return 1
    return 0
  fi
  l=$((j - 1))
  k=0
  while [ "$k" -lt $((j - 1)) ]; do
    ip -n "$ns" route replace "10.77.$k.0/24" via "10.77.$l.1" &&
      ip -n "$ns" -6 route replace "fd00:77:$k::/64" via "fd00:77:$l::1" ||
      return 1
    k=$((k + 1))
  done
  return 0
}

lab__link_veth() {
  local k="$1" dev
  dev=$(lab_dev "$k")
  ip link add name "$dev" netns "$(lab_ns "$k")" type veth \
    peer name "$dev" netns "$(lab_ns $((k + 1)))" ||
    lab__err "veth for link $k failed" || return 1
  echo veth >"$LAB_STATE/link$k"
}

lab__link_tun() {
  local k="$1" dev
  dev=$(lab_dev "$k")
  ip -n "$(lab_ns "$k")" tuntap add dev "$dev" mode tun &&
    ip -n "$(lab_ns $((k + 1)))" tuntap add dev "$dev" mode tun ||
    lab__err "tun devices for link $k failed" || return 1
  echo tun >"$LAB_STATE/link$k"
}

lab__link_del() {
  local k="$1" dev
  dev=$(lab_dev "$k")
  ip -n "$(lab_ns "$k")" link del "$dev" 2>/dev/null
  ip -n "$(lab_ns $((k + 1)))" link del "$dev" 2>/dev/null
  return 0
}

lab__check_link() {
  [ -n "$LAB_N" ] || lab__err "no chain: call lab_chain first" || return 1
  case $1 in
  '' | *[!0-9]*) lab__err "bad link '$1'" ;;
  *) [ "$1" -le "$LAB_N" ] || lab__err "link $1 > $LAB_N" ;;
  esac
}

# lab_chain N: client - r1 - ... - rN - target, N >= 0.  Exports LAB_*
# variables (see lab_info) and writes them to $LAB_STATE/env.
lab_chain() {
  local n="${1:-}" j ns k
  [ -n "$LAB_STATE" ] || lab__err "lab_chain: call lab_init first" ||
    return 1
  [ -z "$LAB_N" ] || lab__err "lab_chain: the chain exists" || return 1
  case $n in '' | *[!0-9]*) lab__err "lab_chain: bad N '$n'" ||
    return 1 ;; esac
  LAB_N=$n
  j=0
  while [ "$j" -le $((n + 1)) ]; do
    ns=$(lab_ns "$j")
    lab__addns "$ns" || return 1
    if [ "$j" -ge 1 ] && [ "$j" -le "$n" ]; then
      ip netns exec "$ns" sysctl -q -w net.ipv4.ip_forward=1 \
        net.ipv6.conf.all.forwarding=1 >/dev/null || return 1
    fi
    j=$((j + 1))
  done
  k=0
  while [ "$k" -le "$n" ]; do
    lab__link_veth "$k" && lab__addr_link "$k" || return 1
    k=$((k + 1))
  done
  j=0
  while [ "$j" -le $((n + 1)) ]; do
    lab__routes_node "$j" || lab__err "routes of node $j failed" ||
      return 1
    j=$((j + 1))
  done
  lab__export
}

lab__export() {
  local j
  LAB_CLIENT=$(lab_ns client)
  LAB_TARGET=$(lab_ns target)
  LAB_CLIENT_IP=10.77.0.1
  LAB_CLIENT_IP6=fd00:77:0::1
  LAB_TARGET_IP=10.77.$LAB_N.2
  LAB_TARGET_IP6=fd00:77:$LAB_N::2
  LAB_ROUTERS=""
  LAB_HOPS=""
  LAB_HOPS6=""
  j=1
  while [ "$j" -le $((LAB_N + 1)) ]; do
    [ "$j" -le "$LAB_N" ] && LAB_ROUTERS="$LAB_ROUTERS $(lab_ns "$j")"
    LAB_HOPS="$LAB_HOPS 10.77.$((j - 1)).2"
    LAB_HOPS6="$LAB_HOPS6 fd00:77:$((j - 1))::2"
    j=$((j + 1))
  done
  LAB_ROUTERS=${LAB_ROUTERS# }
  LAB_HOPS=${LAB_HOPS# }
  LAB_HOPS6=${LAB_HOPS6# }
  LAB_NODES="$LAB_CLIENT${LAB_ROUTERS:+ $LAB_ROUTERS} $LAB_TARGET"
  export LAB_PREFIX LAB_STATE LAB_N LAB_CLIENT LAB_TARGET LAB_ROUTERS \
    LAB_NODES LAB_CLIENT_IP LAB_CLIENT_IP6 LAB_TARGET_IP LAB_TARGET_IP6 \
    LAB_HOPS LAB_HOPS6
  lab_info >"$LAB_STATE/env"
}

# lab_info: the lab's variables as KEY='VALUE' lines (eval-able).
lab_info() {
  local v
  for v in LAB_PREFIX LAB_STATE LAB_N LAB_CLIENT LAB_TARGET LAB_ROUTERS \
    LAB_NODES LAB_CLIENT_IP LAB_CLIENT_IP6 LAB_TARGET_IP LAB_TARGET_IP6 \
    LAB_HOPS LAB_HOPS6; do
    eval "echo \"$v='\${$v:-}'\""
  done
}

# lab_mtu LINK MTU: set the MTU at both ends of a link.
lab_mtu() {
  lab__check_link "${1:-}" || return 1
  [ -n "${2:-}" ] || lab__err "lab_mtu LINK MTU" || return 1
  ip -n "$(lab_ns "$1")" link set "$(lab_dev "$1")" mtu "$2" &&
    ip -n "$(lab_ns $(($1 + 1)))" link set "$(lab_dev "$1")" mtu "$2"
}

# Bytes of tbf bucket for RATE: 4 ms worth, at least two full frames.
lab__burst() {
  local num unit
  num=$(echo "$1" | sed -n 's/^\([0-9][0-9]*\).*/\1/p')
  unit=$(echo "$1" | sed -n 's/^[0-9][0-9]*//p')
  [ -n "$num" ] || return 1
  case $unit in
  bit) ;;
  kbit) num=$((num * 1000)) ;;
  mbit) num=$((num * 1000000)) ;;
  gbit) num=$((num * 1000000000)) ;;
  *) return 1 ;;
  esac
  num=$((num / 8 / 250))
  [ "$num" -ge 3100 ] || num=3100
  echo "$num"
}

# lab_shape NS DEV RATE [BURST]: tbf on the egress of DEV in NS (one
# direction).  RATE like 50mbit; BURST in bytes (default: 4 ms at RATE).
lab_shape() {
  local ns dev="${2:-}" rate="${3:-}" burst="${4:-}"
  [ -n "$rate" ] || lab__err "lab_shape NS DEV RATE [BURST]" || return 1
  ns=$(lab_ns "$1")
  [ -n "$burst" ] || burst=$(lab__burst "$rate") ||
    lab__err "lab_shape: rate '$rate' is not N{bit,kbit,mbit,gbit}" ||
    return 1
  tc -n "$ns" qdisc replace dev "$dev" root tbf rate "$rate" \
    burst "$burst" latency 50ms ||
    lab__err "tbf on $ns $dev failed"
}

# lab_unshape NS DEV: back to the default qdisc.
lab_unshape() {
  [ $# -ge 2 ] || lab__err "lab_unshape NS DEV" || return 1
  tc -n "$(lab_ns "$1")" qdisc del dev "$2" root 2>/dev/null
  return 0
}

# True while PID runs (a zombie counts as gone).
lab__alive() {
  local st
  [ -r "/proc/$1/stat" ] || return 1
  st=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
  [ -n "$st" ] && [ "$st" != Z ]
}

lab__stop_pid() {
  local i=0
  kill "$1" 2>/dev/null || return 0
  while lab__alive "$1" && [ $i -lt 100 ]; do
    sleep 0.02
    i=$((i + 1))
  done
  kill -9 "$1" 2>/dev/null
  return 0
}

lab__stop_relay() {
  local f="$LAB_STATE/relay$1.pid"
  [ -f "$f" ] || return 0
  lab__stop_pid "$(cat "$f")"
  rm -f "$f"
}

# lab_impair LINK [--fwd D[:J[:L]]] [--rev D[:J[:L]]] [RELAY OPTIONS]:
# put bn-impair on link LINK (0 = client side .. N = target side).
# --fwd is toward the target, --rev toward the client: delay D ms,
# jitter J ms, loss L %.  Other options go to bn-impair (--seed N,
# --jitter-dist normal, --reorder, --limit N).  Calling it again on the
# same link restarts the relay with the new settings.
lab_impair() {
  local k="${1:-}" fwd=0 rev=0 opts="" bin dev a b log
  lab__check_link "$k" || return 1
  shift
  while [ $# -gt 0 ]; do
    case $1 in
    --fwd) fwd=${2:-} && shift ;;
    --rev) rev=${2:-} && shift ;;
    *) opts="$opts $1" ;;
    esac
    shift
  done
  bin=$(lab__impair_bin)
  [ -x "$bin" ] || lab__err "relay $bin not built" || return 1
  dev=$(lab_dev "$k")
  a=$(lab_ns "$k")
  b=$(lab_ns $((k + 1)))
  log="$LAB_STATE/relay$k.log"
  lab__stop_relay "$k"
  if [ "$(cat "$LAB_STATE/link$k")" != tun ]; then
    lab__link_del "$k"
    lab__link_tun "$k" || return 1
  fi
  # shellcheck disable=SC2086 # opts are words on purpose
  "$bin" --a "$a:$dev" --b "$b:$dev" --a2b "$fwd" --b2a "$rev" $opts \
    --control "$LAB_STATE/relay$k.ctl" \
    --daemon --pidfile "$LAB_STATE/relay$k.pid" 2>>"$log" || {
    cat "$log" >&2
    lab__err "bn-impair on link $k failed"
    return 1
  }
  # Addresses and routes once the relay holds the devices (carrier up).
  if [ -z "$(ip -n "$a" -4 addr show dev "$dev")" ]; then
    lab__addr_link "$k" || return 1
  fi
  lab__routes_node "$k" && lab__routes_node $((k + 1)) ||
    lab__err "routes on link $k failed"
}

# lab_impair_set LINK --fwd SPEC [--rev SPEC]: change the running relay's
# impairments in place (SIGHUP and its control file), without the
# restart of lab_impair, which drops what is in flight meanwhile.
# Returns once the relay has applied them.
lab_impair_set() {
  local k="${1:-}" fwd=0 rev=0 ctl pid i=0
  shift
  while [ $# -gt 0 ]; do
    case $1 in
    --fwd) fwd=${2:-} && shift ;;
    --rev) rev=${2:-} && shift ;;
    *) lab__err "lab_impair_set: unknown option $1" || return 1 ;;
    esac
    shift
  done
  ctl="$LAB_STATE/relay$k.ctl"
  pid=$(cat "$LAB_STATE/relay$k.pid" 2>/dev/null) ||
    lab__err "lab_impair_set: no relay on link $k" || return 1
  echo "$fwd $rev" >"$ctl"
  kill -HUP "$pid" || lab__err "lab_impair_set: relay $pid is gone" ||
    return 1
  while [ -s "$ctl" ]; do
    i=$((i + 1))
    [ $i -gt 500 ] && { lab__err "lab_impair_set: relay did not apply $fwd"; return 1; }
    sleep 0.01
  done
}

# lab_unimpair LINK: stop the relay (its final stats stay in the log,
# see lab_impair_stats) and put a veth pair back.
lab_unimpair() {
  local k="${1:-}"
  lab__check_link "$k" || return 1
  [ "$(cat "$LAB_STATE/link$k")" = tun ] || return 0
  lab__stop_relay "$k"
  lab__link_del "$k"
  lab__link_veth "$k" && lab__addr_link "$k" &&
    lab__routes_node "$k" && lab__routes_node $((k + 1))
}

# lab_impair_stats LINK [fwd|rev KEY]: the relay's two stats lines (a2b
# is fwd, b2a is rev): fresh ones (SIGUSR1) while it runs, else the last
# it wrote.  With fwd|rev KEY, only that number, e.g. "fwd lost".
lab_impair_stats() {
  local k="${1:-}" log pid n0 i=0 dir
  log="$LAB_STATE/relay$k.log"
  [ -f "$log" ] || lab__err "no relay ran on link $k" || return 1
  pid=$(cat "$LAB_STATE/relay$k.pid" 2>/dev/null)
  if [ -n "$pid" ] && lab__alive "$pid"; then
    n0=$(grep -c ' in=' "$log")
    kill -USR1 "$pid"
    while [ "$(grep -c ' in=' "$log")" -lt $((n0 + 2)) ]; do
      [ $i -lt 200 ] || lab__err "relay on link $k did not answer" ||
        return 1
      sleep 0.01
      i=$((i + 1))
    done
  fi
  if [ $# -lt 3 ]; then
    grep ' in=' "$log" | tail -n 2
    return 0
  fi
  case $2 in fwd) dir=a2b ;; rev) dir=b2a ;; *) dir=$2 ;; esac
  grep " $dir in=" "$log" | tail -n 1 |
    sed -n "s/.* $3=\([^ ]*\).*/\1/p"
}

# Stop everything a lab state dir lists: relays, processes left in its
# namespaces (servers a test started there), then the namespaces.
lab__destroy() {
  local st="$1" f pid ns pids
  for f in "$st"/relay*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    # A stale pid file may name a reused pid: only stop a relay.
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = bn-impair ]; then
      lab__stop_pid "$pid"
    fi
  done
  if [ -f "$st/netns" ]; then
    while read -r ns; do
      pids=$(ip netns pids "$ns" 2>/dev/null)
      if [ -n "$pids" ]; then
        # shellcheck disable=SC2086
        kill $pids 2>/dev/null
        sleep 0.1
        # shellcheck disable=SC2086
        kill -9 $pids 2>/dev/null
      fi
      ip netns del "$ns" 2>/dev/null
    done <"$st/netns"
  fi
  rm -rf "$st"
}

# lab_teardown: delete everything this lab made.  Idempotent; runs by
# itself on exit.
lab_teardown() {
  [ -n "$LAB_STATE" ] || return 0
  lab__destroy "$LAB_STATE"
  LAB_STATE=""
  LAB_N=""
  return 0
}

# lab_reap: tear down labs whose owner shell is gone (a test killed with
# SIGKILL cannot run its trap).  lab_init calls it.
lab_reap() {
  local d owner
  for d in "$LAB_RUNDIR"/bn*; do
    [ -f "$d/owner" ] || continue
    owner=$(cat "$d/owner")
    lab__alive "$owner" && continue
    echo "lab: reaping $d (owner $owner is gone)" >&2
    lab__destroy "$d"
  done
  return 0
}
