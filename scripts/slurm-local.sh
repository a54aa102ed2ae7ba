#!/usr/bin/env bash
# A real one-node Slurm on this machine, for the tests of `ouro slurm` (and for trying it by hand).
#
#   scripts/slurm-local.sh start DIR   installs Debian's slurmctld, slurmd, slurm-client and munge when missing
#                                      (as root, or with passwordless sudo), writes DIR/slurm.conf for this
#                                      machine, starts munged (own key and socket in DIR), slurmctld and slurmd on
#                                      localhost, and waits until the node is idle. Prints `SLURM_CONF=DIR/slurm.conf`.
#   scripts/slurm-local.sh stop DIR    stops the three daemons started in DIR (their pid files) and waits for them.
#
# Then: SLURM_CONF=DIR/slurm.conf sbatch …, squeue, scancel. No accounting (sacct has nothing to say); processes
# are tracked by /proc (proctrack/linuxproc, task/none), so no cgroups or systemd are needed. Ports are derived
# from DIR, so two instances in two folders do not collide. Exit status non-zero, with the reason and the daemons'
# log tails on stderr, when Slurm cannot start.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)

stop() {
  local name pid i
  # Cancel what is still queued or running, so no job step outlives the daemons.
  if [[ -f $dir/slurmctld.pid ]] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    SLURM_CONF=$dir/slurm.conf scancel --me 2>/dev/null || true
    for i in $(seq 1 100); do
      [[ -z $(SLURM_CONF=$dir/slurm.conf squeue --me --noheader 2>/dev/null) ]] && break
      sleep 0.1
    done
  fi
  for name in slurmd slurmctld munged; do
    [[ -f $dir/$name.pid ]] || continue
    pid=$(cat "$dir/$name.pid" 2>/dev/null || true)
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/$name.pid"
  done
}

fail() {
  echo "slurm-local: $*" >&2
  local log
  for log in munged slurmctld slurmd; do
    [[ -s $dir/$log.log ]] && { echo "--- $dir/$log.log (last lines)" >&2; tail -n 15 "$dir/$log.log" >&2; }
  done
  stop
  exit 1
}

install_missing() {
  local missing=() p
  for p in slurmctld slurmd slurm-client munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "slurm-local: installing ${missing[*]}" >&2
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null || fail "Slurm is not installed and this user cannot install it; as root run: apt-get install -y ${missing[*]}"
    sudo=(sudo)
  fi
  # Debian's maintainer scripts would start the system-wide daemons; forbid that (policy-rc.d 101).
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null && "${sudo[@]}" chmod +x "$policy" && made_policy=1
  fi
  { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2 \
    || { ((made_policy)) && "${sudo[@]}" rm -f "$policy"; fail "apt-get install ${missing[*]} failed"; }
  ((made_policy)) && "${sudo[@]}" rm -f "$policy"
  return 0
}

# The daemons must not inherit the caller's descriptors: a caller that waits for this script through a
# pipe or socket (Foundation's Process watches one) would wait for the daemons too.
close_inherited_fds() {
  local f fd
  for f in /proc/$BASHPID/fd/*; do
    fd=${f##*/}
    if [[ $fd =~ ^[0-9]+$ ]] && ((fd > 2 && fd != 255)); then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}

start() {
  install_missing
  stop   # a previous instance in the same folder
  local host cpus mem port user
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  port=$((20000 + $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 20000))
  user=$(id -un)
  mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
  chmod 700 "$dir/munge"

  close_inherited_fds
  # munge: its own key and socket, so nothing system-wide is touched.
  [[ -s $dir/munge/munge.key ]] || { dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none; chmod 400 "$dir/munge/munge.key"; }
  munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/munge.seed" \
    </dev/null >>"$dir/munged.log" 2>&1 || fail "munged did not start"

  cat > "$dir/slurm.conf" <<EOF
# One-node Slurm for Ouro's tests, written by scripts/slurm-local.sh.
ClusterName=ouro-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$user
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  export SLURM_CONF=$dir/slurm.conf
  # Nor the caller's stdout and stderr.
  slurmctld -i </dev/null >>"$dir/slurmctld.log" 2>&1 || fail "slurmctld did not start"
  slurmd -N "$host" </dev/null >>"$dir/slurmd.log" 2>&1 || fail "slurmd did not start"
  local i state=""
  for i in $(seq 1 150); do
    state=$(sinfo --noheader --nodes="$host" --format=%t 2>/dev/null || true)
    [[ $state == idle* ]] && break
    sleep 0.2
  done
  [[ $state == idle* ]] || fail "node $host is not idle after 30 s (state: '${state:-unknown}')"
  echo "SLURM_CONF=$dir/slurm.conf"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
