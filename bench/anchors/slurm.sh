#!/usr/bin/env bash
# Slurm side-by-side anchor for bench:live: install Debian's Slurm and munge, run slurmctld and
# a few slurmd on this host (loopback only), push trivial jobs through it and write
# bench/results/slurm.json with jobs/s end to end. Stops every daemon it started on exit.
#
#   bash bench/anchors/slurm.sh            # 1,000 sbatch calls, then one 5,000-task array
#   JOBS=200 ARRAY=1000 NODES=3 REPEAT=3 bash bench/anchors/slurm.sh   # medians of 3
#
# Needs root (apt-get, munge user). Not part of npm test.
set -euo pipefail
cd "$(dirname "$0")/../.."

JOBS=${JOBS:-1000}
ARRAY=${ARRAY:-5000}
REPEAT=${REPEAT:-1}
NODES=${NODES:-3}
CPUS_PER_NODE=${CPUS_PER_NODE:-64}
PORT_BASE=${PORT_BASE:-26817}
OUT=${OUT:-bench/results/slurm.json}
TIMEOUT_S=${TIMEOUT_S:-1800}

log() { printf '[slurm-anchor] %s\n' "$*" >&2; }
now() { date +%s.%N; }

if [ "$(id -u)" -ne 0 ]; then log "needs root (apt-get, munge)"; exit 2; fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  log "installing slurmctld slurmd slurm-client munge with apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

W=$(mktemp -d /tmp/gsched-slurm.XXXXXX)
chmod 755 "$W"
PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ]; then
    log "failed (exit $rc); logs follow"
    tail -n 20 "$W"/log/* 2>/dev/null >&2 || true
  fi
  [ "${KEEP:-0}" = 1 ] && log "kept $W" || rm -rf "$W"
  exit "$rc"
}
trap cleanup EXIT INT TERM

# ---------------------------------------------------------------- munge
mkdir -p "$W/munge/etc" "$W/munge/run" "$W/munge/lib" "$W/log"
dd if=/dev/urandom of="$W/munge/etc/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$W/munge"
chmod 700 "$W/munge/etc" "$W/munge/lib"
chmod 400 "$W/munge/etc/munge.key"
chmod 755 "$W/munge/run" # clients must reach the socket
SOCK="$W/munge/run/munge.socket"
runuser -u munge -- munged -F --force \
  --key-file="$W/munge/etc/munge.key" --socket="$SOCK" \
  --pid-file="$W/munge/run/munged.pid" --seed-file="$W/munge/lib/munged.seed" \
  --log-file=/dev/null >"$W/log/munged.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { log "munged did not start"; exit 1; }

# ---------------------------------------------------------------- slurm.conf
mkdir -p "$W/etc" "$W/state" "$W/spool" "$W/run"
CONF="$W/etc/slurm.conf"
{
  echo "ClusterName=anchor"
  echo "SlurmctldHost=localhost(127.0.0.1)"
  echo "SlurmctldPort=$PORT_BASE"
  echo "SlurmUser=root"
  echo "AuthType=auth/munge"
  echo "AuthInfo=socket=$SOCK"
  echo "CredType=cred/munge"
  echo "StateSaveLocation=$W/state"
  echo "SlurmdSpoolDir=$W/spool/%n"
  echo "SlurmctldPidFile=$W/run/slurmctld.pid"
  echo "SlurmdPidFile=$W/run/slurmd-%n.pid"
  echo "SlurmctldLogFile=$W/log/slurmctld.log"
  echo "SlurmdLogFile=$W/log/slurmd-%n.log"
  echo "ProctrackType=proctrack/linuxproc"
  echo "TaskPlugin=task/none"
  echo "MpiDefault=none"
  echo "SchedulerType=sched/backfill"
  echo "SelectType=select/cons_tres"
  echo "SelectTypeParameters=CR_Core"
  echo "SlurmdParameters=config_overrides"
  echo "AccountingStorageType=accounting_storage/none"
  echo "JobCompType=jobcomp/none"
  echo "JobAcctGatherType=jobacct_gather/none"
  echo "MaxJobCount=100000"
  echo "MaxArraySize=100001"
  echo "ReturnToService=2"
  for i in $(seq "$NODES"); do
    echo "NodeName=n$i NodeHostname=localhost NodeAddr=127.0.0.1 Port=$((PORT_BASE + i)) CPUs=$CPUS_PER_NODE RealMemory=1000 State=UNKNOWN"
  done
  echo "PartitionName=batch Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
} >"$CONF"
export SLURM_CONF="$CONF"

slurmctld -D -i -f "$CONF" >"$W/log/slurmctld.out" 2>&1 &
PIDS+=($!)
for i in $(seq "$NODES"); do
  mkdir -p "$W/spool/n$i"
  slurmd -D -N "n$i" -f "$CONF" >"$W/log/slurmd-n$i.out" 2>&1 &
  PIDS+=($!)
done

log "waiting for $NODES idle nodes"
for _ in $(seq 300); do
  idle=$(sinfo -h -N -o '%T' 2>/dev/null | grep -c '^idle' || true)
  [ "$idle" -ge "$NODES" ] && break
  sleep 0.2
done
[ "${idle:-0}" -ge "$NODES" ] || { log "nodes did not come up: $(sinfo -h -N 2>&1 | head -3)"; exit 1; }

wait_empty() {
  local deadline=$(( $(date +%s) + TIMEOUT_S ))
  while [ -n "$(squeue -h -o '%i' 2>/dev/null | head -1)" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "jobs still queued after ${TIMEOUT_S}s"; exit 1; }
    sleep 0.1
  done
}

# ---------------------------------------------------------------- measure, REPEAT times
# Each repeat: JOBS single sbatch calls, then one ARRAY-element array; times as start,submitted,drained.
SB=() AR=()
for rep in $(seq "$REPEAT"); do
  log "repeat $rep/$REPEAT: $JOBS jobs with sbatch"
  t0=$(now)
  for _ in $(seq "$JOBS"); do sbatch -Q -o /dev/null --wrap=true >/dev/null; done
  t1=$(now)
  wait_empty
  t2=$(now)
  SB+=("$t0,$t1,$t2")

  log "repeat $rep/$REPEAT: a $ARRAY-task array"
  a0=$(now)
  sbatch -Q -o /dev/null --array="0-$((ARRAY - 1))" --wrap=true >/dev/null
  a1=$(now)
  wait_empty
  a2=$(now)
  AR+=("$a0,$a1,$a2")
done

mkdir -p "$(dirname "$OUT")"
slurm_version=$(sinfo --version | awk '{print $2}')
munge_version=$(munged --version 2>&1 | awk '{print $1}' | sed 's/^munge-//')
SB_TIMES="${SB[*]}" AR_TIMES="${AR[*]}" JOBS=$JOBS ARRAY=$ARRAY NODES=$NODES CPUS=$CPUS_PER_NODE \
SLURM_VERSION=$slurm_version MUNGE_VERSION=$munge_version HOST_CORES=$(nproc) node - "$OUT" <<'JS'
const e = process.env;
const n = (k) => Number(e[k]);
const r = (x, d = 1) => Number(x.toFixed(d));
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const times = (k) => e[k].split(' ').map((t) => t.split(',').map(Number));
const sbatch = times('SB_TIMES').map(([t0, t1, t2]) => ({
  jobs: n('JOBS'),
  submit_s: r(t1 - t0, 3),
  submits_per_sec: r(n('JOBS') / (t1 - t0)),
  end_to_end_s: r(t2 - t0, 3),
  jobs_per_sec: r(n('JOBS') / (t2 - t0)),
}));
const array = times('AR_TIMES').map(([a0, a1, a2]) => ({
  tasks: n('ARRAY'),
  submit_s: r(a1 - a0, 3),
  end_to_end_s: r(a2 - a0, 3),
  jobs_per_sec: r(n('ARRAY') / (a2 - a0)),
}));
const res = {
  tool: 'slurm',
  slurm_version: e.SLURM_VERSION,
  munge_version: e.MUNGE_VERSION,
  nodes: n('NODES'),
  cpus_per_node: n('CPUS'),
  host_cores: n('HOST_CORES'),
  // Medians over the repeats (one daemon session); each repeat is listed below.
  sbatch: {
    jobs: n('JOBS'),
    submits_per_sec: median(sbatch.map((x) => x.submits_per_sec)),
    jobs_per_sec: median(sbatch.map((x) => x.jobs_per_sec)),
  },
  array: { tasks: n('ARRAY'), jobs_per_sec: median(array.map((x) => x.jobs_per_sec)) },
  repeats: { sbatch, array },
  measured_at: new Date().toISOString(),
};
require('node:fs').writeFileSync(process.argv[2], JSON.stringify(res, null, 2) + '\n');
console.log(JSON.stringify(res, null, 2));
JS
log "wrote $OUT"
