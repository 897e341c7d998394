#!/usr/bin/env bash
# A real one-node SLURM cluster on loopback (private munged, slurmctld and slurmd, all state in a
# temporary folder) runs a wom sweep as an array job (tasks 0-3, and 1-2 to exercise
# SLURM_ARRAY_TASK_MIN), with mpirun inside an allocation and with srun --mpi=pmix; each must
# write the results.csv of a plain one-process run, byte for byte.
#
# Usage (as root, on Debian 12 with slurm-wlm, munge, openmpi-bin):
#   tests/cluster/slurm_sweep.sh WOM_BINARY SOURCE_DIR
# The daemons are stopped and the folder removed on exit, whatever happens.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 WOM_BINARY SOURCE_DIR" >&2
  exit 64
fi
wom=$(realpath "$1")
src=$(realpath "$2")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

failure=
die() {
  failure=$*
  echo "slurm sweep: FAILED: $*" >&2
  exit 1
}
[ "$(id -u)" -eq 0 ] || die "must run as root (SlurmUser=root, SlurmdUser=root)"
[ -x "$wom" ] || die "$1 is not an executable"
[ -f "$src/configs/default.yaml" ] || die "$src/configs/default.yaml not found"
for f in sweep_array.sbatch sweep_mpi.sbatch; do [ -f "$here/$f" ] || die "$here/$f not found"; done
for c in munged munge unmunge slurmctld slurmd sbatch sinfo squeue scancel srun mpirun; do
  command -v "$c" > /dev/null || die "$c not found (apt-get install slurm-wlm munge openmpi-bin)"
done

# Nothing of an enclosing SLURM job (or cluster) may leak in: the one-process run must be one
# process, and the clients must talk to our controller only.
for v in $(compgen -v SLURM_ || true); do unset "$v"; done
unset SBATCH_ARRAY_INX SBATCH_EXPORT SBATCH_PARTITION SALLOC_PARTITION SRUN_PARTITION || true

W=$(mktemp -d /tmp/wom-slurm.XXXXXX)
chmod 711 "$W" # munged wants every folder above its socket searchable by all
ctld_pid='' slurmd_pid='' munged_pid='' sbatch_pid=''
t0=$(date +%s.%N)

show_logs() {
  local f d files=()
  for d in munged slurmctld slurmd; do # the log file, or what the daemon said before it had one
    if [ -s "$W/log/$d.log" ]; then files+=("$W/log/$d.log"); else files+=("$W/log/$d.out"); fi
  done
  for f in "${files[@]}" "$W"/jobs/*; do
    [ -f "$f" ] || continue
    echo "----- ${f#"$W"/} (last 40 lines)" >&2
    tail -n 40 "$f" >&2
  done
}

stop_pid() { # NAME PID: SIGTERM, up to 10 s, then SIGKILL
  local name=$1 pid=$2
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2> /dev/null || return 0
  kill -TERM "$pid" 2> /dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2> /dev/null; then
    echo "slurm sweep: $name ($pid) ignored SIGTERM; killing it" >&2
    kill -KILL "$pid" 2> /dev/null || true
  fi
  wait "$pid" 2> /dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ "$rc" -ne 0 ]; then
    echo "slurm sweep: exit status $rc; the daemons' and jobs' logs:" >&2
    show_logs
  fi
  stop_pid sbatch "$sbatch_pid"
  # Cancel whatever is still queued or running (this controller only knows our jobs), so
  # that no slurmstepd or job outlives slurmd.
  if [ -n "$ctld_pid" ] && kill -0 "$ctld_pid" 2> /dev/null; then
    local jobs
    jobs=$(squeue -h -o %i 2> /dev/null)
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086 # one job ID a word
      scancel --full --quiet $jobs 2> /dev/null
      for _ in $(seq 50); do
        [ -z "$(squeue -h -o %i 2> /dev/null)" ] && break
        sleep 0.2
      done
    fi
  fi
  stop_pid slurmd "$slurmd_pid"
  stop_pid slurmctld "$ctld_pid"
  stop_pid munged "$munged_pid"
  cd /
  rm -rf "$W"
  # The reason again, below the logs.
  [ "$rc" -eq 0 ] || echo "slurm sweep: FAILED: ${failure:-exit status $rc (see above)}" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'failure="interrupted (SIGINT)"; exit 130' INT
trap 'failure="interrupted (SIGTERM)"; exit 143' TERM

mkdir -p "$W"/{munge,log,state,spool,jobs}
mkdir -m 755 "$W/run"
chmod 700 "$W/munge"

# ---- munge: a private key and a private socket (no clash with a system munged) -------------
dd if=/dev/urandom of="$W/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$W/munge/munge.key"
socket=$W/run/munge.socket
munged -F -S "$socket" --key-file="$W/munge/munge.key" --pid-file="$W/run/munged.pid" \
  --log-file="$W/log/munged.log" --seed-file="$W/munge/munged.seed" > "$W/log/munged.out" 2>&1 &
munged_pid=$!
for _ in $(seq 100); do
  [ -S "$socket" ] && break
  kill -0 "$munged_pid" 2> /dev/null || die "munged exited at start"
  sleep 0.1
done
[ -S "$socket" ] || die "munged did not create $socket within 10 s"
munge -n -S "$socket" | unmunge -S "$socket" > /dev/null || die "munge credentials do not round-trip"

# ---- slurm.conf: one node, the controller on loopback, everything under $W -----------------
free_port() { # a TCP port no socket uses (listening, connected or in TIME_WAIT), from $1 up
  local p=$1 used
  used=$(awk 'NR > 1 { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6 2> /dev/null | sort -u)
  while grep -qix "$(printf %04X "$p")" <<< "$used"; do p=$((p + 1)); done
  echo "$p"
}
ctld_port=$(free_port $((20000 + RANDOM % 20000)))
slurmd_port=$(free_port $((ctld_port + 1)))

node=$(hostname -s 2> /dev/null || true)
[[ "$node" =~ ^[A-Za-z0-9][A-Za-z0-9-]*$ ]] || node=localhost
# The node's hardware exactly as slurmd will report it (a config claiming more CPUs, another
# socket/core layout or more memory would leave the node INVALID); nproc and free -m if
# slurmd -C says nothing.
hw=$(slurmd -C 2> /dev/null | head -n 1 | tr ' ' '\n' |
  grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=' | tr '\n' ' ' || true)
grep -q 'CPUs=' <<< "$hw" || hw="CPUs=$(nproc) RealMemory=$(free -m | awk '/^Mem:/ { print $2 }')"

export SLURM_CONF=$W/slurm.conf
cat > "$SLURM_CONF" << EOF
ClusterName=womtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/run/slurmctld.pid
SlurmdPidFile=$W/run/slurmd.pid
SlurmctldLogFile=$W/log/slurmctld.log
SlurmdLogFile=$W/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
KillWait=5
MinJobAge=5
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node $hw State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
# No cgroup.conf: proctrack/linuxproc and task/none load no cgroup plugin. Speed: batch jobs
# are scheduled at once (batch_sched_delay=0, not 3 s), and MinJobAge=5 keeps sbatch --wait
# polling every 2 s (it sleeps 2, 8, 32 s while that is under MinJobAge/2); a finished job's
# record still outlives two polls.

slurmctld -D -f "$SLURM_CONF" > "$W/log/slurmctld.out" 2>&1 &
ctld_pid=$!
slurmd -D -N "$node" -f "$SLURM_CONF" > "$W/log/slurmd.out" 2>&1 &
slurmd_pid=$!
state=
for _ in $(seq 150); do
  kill -0 "$ctld_pid" 2> /dev/null || die "slurmctld exited at start"
  kill -0 "$slurmd_pid" 2> /dev/null || die "slurmd exited at start"
  state=$(sinfo -h -n "$node" -o %T 2> /dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "$state" = idle ] || die "node $node is '${state:-unknown}', not idle, after 30 s"
t_up=$(date +%s.%N)

# ---- the sweep, and the one-process reference ------------------------------------------------
cd "$W"
cat > s.yaml << YAML
base: $src/configs/default.yaml
seed: 5
design: lhs
points: 8
vary:
  params.policy.acknowledge_rate: {min: 0, max: 1}
  params.economics.margin_per_year: {min: 50, max: 150}
replicates: 2
metrics: [npv, customers_end]
overrides: {time.steps: 60, graph.n: 3000}
YAML
"$wom" sweep s.yaml --out one -q > jobs/one.out 2>&1 || die "the one-process sweep failed: $(cat jobs/one.out)"
rows=$(($(wc -l < one/results.csv) - 1))
[ "$rows" -eq 16 ] || die "one/results.csv has $rows rows, expected 8 points x 2 replicates = 16"

# Every job inherits this environment (sbatch --export=ALL): WOM, SPEC, OUT for the batch
# scripts, and Open MPI's consent to run as root.
export WOM=$wom SPEC=s.yaml
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

submit() { # NAME SBATCH-ARGS...: sbatch --wait, at most 120 s
  local name=$1 rc=0
  shift
  # In the background and waited for, so that a signal runs the cleanup at once (bash defers
  # traps while a foreground command runs), which then stops this sbatch too.
  timeout 120 sbatch --wait --export=ALL --chdir="$W" --time=5 --job-name="wom-$name" "$@" \
    > "jobs/$name.sbatch.out" 2>&1 &
  sbatch_pid=$!
  wait "$sbatch_pid" || rc=$?
  sbatch_pid=''
  [ "$rc" -eq 0 ] && return 0
  [ "$rc" -eq 124 ] && die "$name: sbatch --wait $* did not finish in 120 s"
  die "$name: sbatch --wait $* exited $rc: $(cat "jobs/$name.sbatch.out")"
}

same_table() { # NAME DIR
  [ -f "$2/results.csv" ] || die "$1: $2/results.csv was not written"
  cmp -s one/results.csv "$2/results.csv" || {
    diff one/results.csv "$2/results.csv" | head -n 20 >&2
    die "$1: $2/results.csv differs from the one-process table"
  }
}

records_are() { # NAME DIR EXPECTED-FILES...
  local name=$1 dir=$2
  shift 2
  local got want
  got=$(find "$dir/records" -mindepth 1 -printf '%f\n' | sort | tr '\n' ' ')
  want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
  [ "$got" = "$want" ] || die "$name: $dir/records holds [$got], expected [$want]"
  for f in "$@"; do [ -s "$dir/records/$f" ] || die "$name: $dir/records/$f is empty"; done
}

# ---- style 1: an array job; wom takes its shard from SLURM_ARRAY_* ---------------------------
OUT=array submit array --array=0-3 --output="$W/jobs/array-%A_%a.out" "$here/sweep_array.sbatch"
same_table "array 0-3" array
records_are "array 0-3" array shard-0-of-4.log shard-1-of-4.log shard-2-of-4.log shard-3-of-4.log

# IDs from 1: task 1 is shard 0 (SLURM_ARRAY_TASK_MIN = 1).
OUT=array1 submit array1 --array=1-2 --output="$W/jobs/array1-%A_%a.out" "$here/sweep_array.sbatch"
same_table "array 1-2" array1
records_are "array 1-2" array1 shard-0-of-2.log shard-1-of-2.log

# ---- style 2: MPI inside an allocation of 2 tasks ----------------------------------------------
# mpirun finds the allocation itself (ras/slurm; one node, so no orted is launched via srun).
OUT=mpi submit mpi --ntasks=2 --output="$W/jobs/mpi-%j.out" "$here/sweep_mpi.sbatch"
same_table "mpirun" mpi
records_are "mpirun" mpi rank-1.log

# SLURM starting the ranks: srun --mpi=pmix (Debian's Open MPI 4.1 uses PMIx; --mpi=pmi2
# fails in MPI_Init: it was not built with SLURM's PMI-2).
submit srun --ntasks=2 --output="$W/jobs/srun-%j.out" \
  --wrap="srun --mpi=pmix '$wom' sweep s.yaml --out srun -q"
same_table "srun --mpi=pmix" srun
records_are "srun --mpi=pmix" srun rank-1.log

t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t_up" -v c="$t1" -v v="$(sinfo -V)" \
  'BEGIN { printf "slurm sweep: %s; cluster up in %.1f s, jobs in %.1f s\n", v, b - a, c - b }'
echo "slurm sweep: array (4 tasks), array from 1 (2 tasks), mpirun (2 ranks) and srun --mpi=pmix" \
  "(2 ranks) give the one-process table ($rows rows)"
