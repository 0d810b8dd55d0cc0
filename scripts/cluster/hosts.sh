# shellcheck shell=bash
# scripts/cluster.sh's hosts: names, addresses, the bridge and the network
# namespaces joined to it, and the generated secrets. Source it (after the
# settings of scripts/cluster.sh), do not run it.

# --- hosts ------------------------------------------------------------------------

addr() {
  case $1 in
    db1) echo "$CLUSTER_SUBNET.11" ;;
    db2) echo "$CLUSTER_SUBNET.12" ;;
    cache) echo "$CLUSTER_SUBNET.13" ;;
    app1) echo "$CLUSTER_SUBNET.21" ;;
    app2) echo "$CLUSTER_SUBNET.22" ;;
    edge) echo "$CLUSTER_SUBNET.30" ;;
    *) die "unknown host '$1' (hosts: ${HOSTS[*]})" ;;
  esac
}

netns() { printf '%s-%s\n' "$CLUSTER_PREFIX" "$1"; }
bridge() { printf '%s-br\n' "$CLUSTER_PREFIX"; }
host_dir() { printf '%s/%s\n' "$CLUSTER_DIR" "$1"; }
# Runs "$@" on host $1 (in its network namespace).
on() {
  local host=$1
  shift
  ip netns exec "$(netns "$host")" "$@"
}

netns_exists() {
  [[ -e /var/run/netns/$(netns "$1") ]]
}

# The bridge and, per host, a namespace joined to it by a veth pair (the
# root-side end is named like the namespace). Harmless to repeat.
ensure_network() {
  local br host ns
  br=$(bridge)
  if ! ip link show "$br" >/dev/null 2>&1; then
    ip link add "$br" type bridge
  fi
  ip link set "$br" up
  for host in "${HOSTS[@]}"; do
    ns=$(netns "$host")
    netns_exists "$host" || ip netns add "$ns"
    if ! ip link show "$ns" >/dev/null 2>&1; then
      ip link add "$ns" type veth peer name eth0 netns "$ns"
      ip link set "$ns" master "$br" up
      on "$host" ip addr add "$(addr "$host")/24" dev eth0
    fi
    on "$host" ip link set lo up
    on "$host" ip link set eth0 up
  done
}

remove_network() {
  local host
  for host in "${HOSTS[@]}"; do
    if netns_exists "$host"; then
      kill_leftovers "$host"
      ip netns del "$(netns "$host")"
    fi
    ip link del "$(netns "$host")" 2>/dev/null || true
  done
  ip link del "$(bridge)" 2>/dev/null || true
}

# Processes still inside a host's namespace once its service was stopped
# (e.g. the workers of a pool whose master was killed): only what this
# cluster started can be there.
kill_leftovers() {
  local pid
  for pid in $(ip netns pids "$(netns "$1")" 2>/dev/null); do
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# --- secrets ------------------------------------------------------------------------

# A random hex secret, generated once into file $1 (0600).
ensure_secret_file() {
  local file=$1 value
  [[ -s $file ]] && return 0
  value=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
  [[ ${#value} -eq 64 ]] || die "cannot generate a secret"
  (
    umask 077
    printf '%s\n' "$value" >"$file.tmp.$$"
  )
  mv -f -- "$file.tmp.$$" "$file"
}

pg_password() { cat -- "$CLUSTER_DIR/pg-password"; }
redis_password() { cat -- "$CLUSTER_DIR/redis-password"; }

# A libpq passfile for the superuser, owned by $2 (root or postgres), 0600.
write_passfile() {
  local file=$1 owner=$2
  (
    umask 077
    printf '*:*:*:%s:%s\n' "$PG_SUPERUSER" "$(pg_password)" >"$file"
  )
  chown "$owner:$owner" -- "$file"
}
