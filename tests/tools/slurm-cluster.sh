#!/usr/bin/env bash
# A real one-node Slurm cluster for the tests that need one (Debian 12's Slurm 22.05: slurmctld,
# slurmd, slurmrestd with JWT, munge), on loopback, its whole configuration in one folder:
#   slurm-cluster.sh start DIR [REST_PLUGINS]
#       writes DIR/etc/slurm.conf (free ports, chosen once and kept), declares two GPUs as GRES
#       backed by stand-in device nodes (DIR/fakegpu0-1: there is no GPU here), starts munged
#       (when none runs), slurmctld, slurmd, and slurmrestd on a free 127.0.0.1 port, and writes
#       DIR/env: SLURM_CONF, SLURMRESTD_URL, SLURM_JWT (a token for this user, a day long).
#       Jobs in the partition `urgent` preempt those in `gpu` (the default), which Slurm requeues.
#       A TaskProlog gives jobs CONTAINERS_CONF (podman on the node: DIR/etc/containers.conf).
#       REST_PLUGINS: the OpenAPI versions slurmrestd offers (default
#       openapi/v0.0.36,openapi/v0.0.37,openapi/v0.0.38).
#   slurm-cluster.sh rest-stop DIR      stops slurmrestd only (a REST daemon that went away)
#   slurm-cluster.sh rest-start DIR [REST_PLUGINS]   starts it again (the same port)
#   slurm-cluster.sh stop DIR           stops the daemons it started and removes DIR
# Nothing outside DIR is written but munge's run folder: clients find the cluster through
# SLURM_CONF. Needs root (slurmd runs jobs as their users). CTest starts and stops it around the
# tests that need it (the fixture `slurm` in tests/CMakeLists.txt).
set -euo pipefail

cmd=${1:?start, stop, rest-stop or rest-start}
dir=${2:?the folder of the cluster}
dir=$(realpath -m "$dir") # the daemons run elsewhere: every path in slurm.conf is absolute
plugins=${3:-openapi/v0.0.36,openapi/v0.0.37,openapi/v0.0.38}

for exe in slurmctld slurmd slurmrestd munged; do
  if [ ! -x /usr/sbin/$exe ]; then
    echo "slurm-cluster.sh: /usr/sbin/$exe is missing (Debian packages slurmctld slurmd slurmrestd slurm-client slurm-wlm-jwt-plugin munge; bash .ci/install-deps --test installs them)" >&2
    exit 1
  fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "slurm-cluster.sh: a Slurm node runs jobs as their users: run it as root" >&2
  exit 1
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
stop_pid() { # stop_pid NAME: the daemon DIR/NAME.pid names, and wait until it is gone
  local f="$dir/$1.pid"
  [ -s "$f" ] || return 0
  local pid
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
}
start_rest() {
  local port
  port=$(cat "$dir/rest-port")
  # slurmrestd refuses to run as root; it reads the configuration and the JWT it is given.
  (SLURM_CONF="$dir/etc/slurm.conf" SLURM_JWT=daemon setsid runuser -u nobody -- \
    /usr/sbin/slurmrestd -a rest_auth/jwt -s "$plugins" "127.0.0.1:$port" >"$dir/log/slurmrestd.out" 2>&1 &
    echo $! >"$dir/slurmrestd.pid")
  for _ in $(seq 1 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/openapi" && return 0
    sleep 0.1
  done
  echo "slurm-cluster.sh: slurmrestd did not answer:" >&2
  tail -n 5 "$dir/log/slurmrestd.out" >&2
  return 1
}

case $cmd in
stop)
  for name in slurmrestd slurmd slurmctld; do stop_pid $name; done
  rm -rf "$dir"
  ;;
rest-stop)
  stop_pid slurmrestd
  ;;
rest-start)
  start_rest
  ;;
start)
  mkdir -p "$dir"/{etc,state,spool,log}
  chmod 755 "$dir" "$dir/etc" # slurmrestd (as nobody) reads the configuration
  for f in ctld-port d-port rest-port; do [ -s "$dir/$f" ] || free_port >"$dir/$f"; done
  [ -e "$dir/fakegpu0" ] || { mknod "$dir/fakegpu0" c 1 3; mknod "$dir/fakegpu1" c 1 3; }
  [ -s "$dir/jwt_hs256.key" ] || { head -c 32 /dev/urandom >"$dir/jwt_hs256.key"; chmod 600 "$dir/jwt_hs256.key"; }
  host=$(hostname -s)
  cat >"$dir/etc/slurm.conf" <<CONF
ClusterName=trainyard-test
SlurmctldHost=$host
SlurmctldPort=$(cat "$dir/ctld-port")
SlurmdPort=$(cat "$dir/d-port")
SlurmUser=root
AuthType=auth/munge
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=$dir/jwt_hs256.key
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
GresTypes=gpu
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pidfile
SlurmdPidFile=$dir/slurmd.pidfile
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ReturnToService=2
DefMemPerCPU=500
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.log
MinJobAge=3600
SchedulerParameters=sched_interval=1
TaskProlog=$dir/etc/task-prolog.sh
PreemptType=preempt/partition_prio
PreemptMode=REQUEUE
NodeName=$host CPUs=$(nproc) RealMemory=4000 Gres=gpu:2 State=UNKNOWN
PartitionName=gpu Nodes=ALL Default=YES MaxTime=INFINITE State=UP PriorityTier=1
PartitionName=urgent Nodes=ALL MaxTime=INFINITE State=UP PriorityTier=10
CONF
  # The node's podman: runc refuses podman's default rlimits in this sandbox. A site sets its
  # nodes' environment the same way (TaskProlog), since jobs start with --export=NONE.
  printf '[containers]\ndefault_ulimits = []\n' >"$dir/etc/containers.conf"
  printf '#!/bin/sh\necho "export CONTAINERS_CONF=%s"\n' "$dir/etc/containers.conf" >"$dir/etc/task-prolog.sh"
  chmod 755 "$dir/etc/task-prolog.sh"
  echo "Name=gpu File=$dir/fakegpu[0-1]" >"$dir/etc/gres.conf"
  export SLURM_CONF="$dir/etc/slurm.conf"
  if ! pgrep -x munged >/dev/null; then
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- /usr/sbin/munged
  fi
  start() { local name=$1; shift; (setsid "$@" >"$dir/log/$name.out" 2>&1 & echo $! >"$dir/$name.pid"); }
  [ -s "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null ||
    start slurmctld /usr/sbin/slurmctld -D -i -f "$SLURM_CONF"
  for _ in $(seq 1 50); do scontrol ping >/dev/null 2>&1 && break; sleep 0.2; done
  [ -s "$dir/slurmd.pid" ] && kill -0 "$(cat "$dir/slurmd.pid")" 2>/dev/null ||
    start slurmd /usr/sbin/slurmd -D -f "$SLURM_CONF"
  for _ in $(seq 1 100); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 0.2; done
  if ! sinfo -h -o %T 2>/dev/null | grep -q idle; then
    echo "slurm-cluster.sh: the node did not come up:" >&2
    tail -n 5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
    exit 1
  fi
  [ -s "$dir/slurmrestd.pid" ] && kill -0 "$(cat "$dir/slurmrestd.pid")" 2>/dev/null || start_rest
  token=$(scontrol token username="$(id -un)" lifespan=86400 | sed 's/^SLURM_JWT=//')
  (umask 077; : >"$dir/env") # the token is root's, for a day
  cat >"$dir/env" <<ENV
SLURM_CONF=$SLURM_CONF
SLURMRESTD_URL=http://127.0.0.1:$(cat "$dir/rest-port")
SLURM_JWT=$token
ENV
  ;;
*)
  echo "slurm-cluster.sh: unknown command '$cmd'" >&2
  exit 2
  ;;
esac
