#!/usr/bin/env bash
# A real Kubernetes control plane as local processes, for the end-to-end tests: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler and KWOK (simulated nodes and pod
# status), all listening on 127.0.0.1 only, on free ports, with TLS everywhere.
#
#   eval "$(scripts/control-plane.sh start [DIR])"   # prints `export KUBECONFIG=...` lines
#   scripts/control-plane.sh env [DIR]               # the same lines again
#   scripts/control-plane.sh stop [DIR]              # kill every process, remove DIR
#
# DIR (default: $FLOBS_CP_DIR, else a new temporary directory) holds all state: certificates,
# kubeconfigs, etcd data, logs (DIR/logs/*.log), ports. Progress goes to stderr.
# Binaries: $FLOBS_TOOLS_BIN, else $TOOLS_DIR/bin, else <repo>/.tools/bin (scripts/tools.mjs e2e).
# Configuration: scripts/control-plane/ (KWOK's stages, the registered nodes).
# FLOBS_CP_OWNER_PID=<pid>: also stop the control plane when that process exits (a crashed
#   test run leaves nothing behind). FLOBS_CP_KEEP=1: `stop` keeps DIR (logs) instead.
#
# Registered nodes (KWOK makes them Ready and every pod scheduled on them Running and Ready):
#   kwok-node-0  64 CPU / 256Gi, untainted
#   kwok-gpu-0   16 CPU / 64Gi / 8 nvidia.com/gpu, labelled nvidia.com/gpu.present=true and
#                tainted nvidia.com/gpu=present:NoSchedule, as src/config/profiles.ts gpu selects
# KWOK's node and pod IPs are fake and taken from the documentation ranges of RFC 5737
# (nodes 192.0.2.10, pods 198.51.100.0/24, services 203.0.113.0/24): nothing here ever
# connects to them; the only sockets are on 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELF="${ROOT}/scripts/control-plane.sh"

die() { echo "control-plane.sh: $*" >&2; exit 1; }
log() { echo "control-plane: $*" >&2; }
now_ms() { date +%s%3N; }
secs_since() { local d=$(($(now_ms) - $1)); printf '%d.%01ds' $((d / 1000)) $(((d % 1000) / 100)); }

bin_dir() {
  if [[ -n "${FLOBS_TOOLS_BIN:-}" ]]; then echo "${FLOBS_TOOLS_BIN}"
  elif [[ -n "${TOOLS_DIR:-}" ]]; then echo "${TOOLS_DIR}/bin"
  else echo "${ROOT}/.tools/bin"; fi
}

print_env() { # $1 dir
  [[ -f "$1/kubeconfig" ]] || die "no control plane state in $1 (start it first)"
  printf 'export KUBECONFIG=%q\nexport FLOBS_CP_DIR=%q\n' "$1/kubeconfig" "$1"
}

# ---------------------------------------------------------------------------
# Certificates (openssl, ECDSA P-256: fast to generate, accepted by every component).
gen_certs() { # $1 pki dir
  local pki=$1
  mkdir -p "${pki}"
  (
    cd "${pki}"
    umask 077
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
    openssl req -x509 -new -key ca.key -sha256 -days 2 -subj "/CN=fl-observability-e2e-ca" -out ca.crt 2>/dev/null
    # name | subject | extendedKeyUsage | subjectAltName (empty: none). etcd's serving certificate
    # is also its client certificate (its gRPC gateway connects to itself).
    local spec name subj eku san
    for spec in \
      "etcd|/CN=etcd|serverAuth,clientAuth|IP:127.0.0.1,DNS:localhost" \
      "apiserver-etcd-client|/CN=kube-apiserver-etcd-client|clientAuth|" \
      "apiserver|/CN=kube-apiserver|serverAuth|IP:127.0.0.1,IP:203.0.113.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" \
      "front-proxy-client|/CN=front-proxy-client|clientAuth|" \
      "apiserver-kubelet-client|/O=system:masters/CN=kube-apiserver-kubelet-client|clientAuth|" \
      "localhost-serving|/CN=localhost|serverAuth|IP:127.0.0.1,DNS:localhost" \
      "admin|/O=system:masters/CN=fl-observability-e2e-admin|clientAuth|" \
      "controller-manager|/CN=system:kube-controller-manager|clientAuth|" \
      "scheduler|/CN=system:kube-scheduler|clientAuth|" \
      "kwok|/O=system:masters/CN=kwok-controller|clientAuth|"; do
      IFS='|' read -r name subj eku san <<<"${spec}"
      openssl ecparam -name prime256v1 -genkey -noout -out "${name}.key" 2>/dev/null
      openssl req -new -key "${name}.key" -subj "${subj}" -out "${name}.csr" 2>/dev/null
      {
        echo "basicConstraints=critical,CA:FALSE"
        echo "keyUsage=critical,digitalSignature,keyEncipherment"
        echo "extendedKeyUsage=${eku}"
        [[ -z "${san}" ]] || echo "subjectAltName=${san}"
      } >"${name}.ext"
      openssl x509 -req -in "${name}.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -sha256 \
        -extfile "${name}.ext" -out "${name}.crt" 2>/dev/null
      rm -f "${name}.csr" "${name}.ext"
    done
    # Service-account token signing key pair.
    openssl ecparam -name prime256v1 -genkey -noout -out sa.key 2>/dev/null
    openssl ec -in sa.key -pubout -out sa.pub 2>/dev/null
  ) || die "generating certificates in ${pki} failed (openssl)"
}

write_kubeconfig() { # $1 file $2 server url $3 pki dir $4 client cert name
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fl-observability-e2e
  cluster:
    server: $2
    certificate-authority: $3/ca.crt
users:
- name: $4
  user:
    client-certificate: $3/$4.crt
    client-key: $3/$4.key
contexts:
- name: fl-observability-e2e
  context:
    cluster: fl-observability-e2e
    user: $4
current-context: fl-observability-e2e
EOF
}

# Free TCP ports on 127.0.0.1 (bound together, then released).
free_ports() { # $1 count
  node -e '
    const net = require("net");
    const n = Number(process.argv[1]), servers = [];
    let done = 0;
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      servers.push(s);
      s.listen(0, "127.0.0.1", () => {
        if (++done === n) {
          console.log(servers.map((x) => x.address().port).join(" "));
          servers.forEach((x) => x.close());
        }
      });
    }' "$1"
}

# Poll `cmd...` until it succeeds; fail naming `what` and its log after `timeout` seconds, or
# at once when the process with pid `pid` died.
wait_for() { # $1 what $2 timeout seconds $3 pid $4 log file, rest: command
  local what=$1 timeout=$2 pid=$3 logf=$4; shift 4
  local deadline=$(($(date +%s) + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "${pid}" 2>/dev/null; then
      tail -n 30 "${logf}" >&2 || true
      die "${what} exited (log: ${logf})"
    fi
    if (($(date +%s) >= deadline)); then
      tail -n 30 "${logf}" >&2 || true
      die "${what} not ready after ${timeout}s (log: ${logf})"
    fi
    sleep 0.3
  done
}

https_ok() { # $1 url $2 pki $3 client cert name or "" ; body must be "ok" or etcd's health JSON
  local out
  if [[ -n "$3" ]]; then
    out="$(curl -sS --max-time 3 --cacert "$2/ca.crt" --cert "$2/$3.crt" --key "$2/$3.key" "$1")"
  else
    out="$(curl -sS --max-time 3 --cacert "$2/ca.crt" "$1")"
  fi
  [[ "${out}" == ok || "${out}" == *'"health":"true"'* ]]
}

# ---------------------------------------------------------------------------
cmd_start() { # $1 dir (optional)
  local t_all t dir bin
  t_all=$(now_ms)
  bin="$(bin_dir)"
  local b
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do
    [[ -x "${bin}/${b}" ]] || die "${b} not found in ${bin}: run node scripts/tools.mjs e2e (TOOLS_DIR=${TOOLS_DIR:-<repo>/.tools})"
  done
  command -v openssl >/dev/null 2>&1 || die "openssl is required (certificates)"
  command -v curl >/dev/null 2>&1 || die "curl is required (health checks)"
  dir="${1:-${FLOBS_CP_DIR:-}}"
  if [[ -z "${dir}" ]]; then dir="$(mktemp -d "${TMPDIR:-/tmp}/flobs-cp.XXXXXX")"; fi
  mkdir -p "${dir}"
  dir="$(cd "${dir}" && pwd)"
  # A fresh cluster every time: never reuse another run's etcd data or certificates.
  [[ -z "$(ls -A "${dir}")" ]] || die "${dir} is not empty (a running or kept control plane? stop it or remove it)"
  local pki="${dir}/pki" logs="${dir}/logs"
  mkdir -p "${logs}" "${dir}/etcd"
  chmod 700 "${dir}" "${dir}/etcd"

  t=$(now_ms)
  gen_certs "${pki}"
  local ports etcd_port peer_port api_port kcm_port sched_port kwok_port
  ports="$(free_ports 6)" || die "cannot find free ports"
  read -r etcd_port peer_port api_port kcm_port sched_port kwok_port <<<"${ports}"
  local api="https://127.0.0.1:${api_port}"
  write_kubeconfig "${dir}/kubeconfig" "${api}" "${pki}" admin
  write_kubeconfig "${dir}/controller-manager.kubeconfig" "${api}" "${pki}" controller-manager
  write_kubeconfig "${dir}/scheduler.kubeconfig" "${api}" "${pki}" scheduler
  write_kubeconfig "${dir}/kwok.kubeconfig" "${api}" "${pki}" kwok
  cp "${ROOT}/scripts/control-plane/kwok-stages.yaml" "${ROOT}/scripts/control-plane/nodes.yaml" "${dir}/"
  cat >"${dir}/ports" <<EOF
etcd=${etcd_port}
etcd-peer=${peer_port}
kube-apiserver=${api_port}
kube-controller-manager=${kcm_port}
kube-scheduler=${sched_port}
kwok=${kwok_port}
EOF
  log "certificates, kubeconfigs, ports in ${dir} ($(secs_since "${t}"))"

  # Every daemon runs in this script's process group (the caller ran us under setsid, see
  # main), so `stop` ends them all with one signal to the group.
  echo "$(ps -o pgid= $$ | tr -d ' ')" >"${dir}/pgid"
  : >"${dir}/pids"
  local pid
  start_daemon() { # $1 name, rest: command; sets pid
    local name=$1; shift
    "$@" </dev/null >"${logs}/${name}.log" 2>&1 &
    pid=$!
    echo "${name}=${pid}" >>"${dir}/pids"
  }
  # Any failure from here on (die exits) stops what was started, keeping the logs.
  CP_READY=0
  trap 'if [[ ${CP_READY} -ne 1 ]]; then log "start failed; stopping (logs kept in '"${logs}"')"; FLOBS_CP_KEEP=1 cmd_stop "'"${dir}"'" >/dev/null 2>&1 || true; fi' EXIT

  t=$(now_ms)
  start_daemon etcd "${bin}/etcd" --name e2e --data-dir "${dir}/etcd" \
    --listen-client-urls "https://127.0.0.1:${etcd_port}" --advertise-client-urls "https://127.0.0.1:${etcd_port}" \
    --listen-peer-urls "http://127.0.0.1:${peer_port}" --initial-advertise-peer-urls "http://127.0.0.1:${peer_port}" \
    --initial-cluster "e2e=http://127.0.0.1:${peer_port}" \
    --cert-file "${pki}/etcd.crt" --key-file "${pki}/etcd.key" --client-cert-auth --trusted-ca-file "${pki}/ca.crt" \
    --unsafe-no-fsync --log-level warn
  wait_for etcd 30 "${pid}" "${logs}/etcd.log" https_ok "https://127.0.0.1:${etcd_port}/health" "${pki}" apiserver-etcd-client
  log "etcd ready on 127.0.0.1:${etcd_port} ($(secs_since "${t}"))"

  t=$(now_ms)
  start_daemon kube-apiserver "${bin}/kube-apiserver" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "${api_port}" \
    --etcd-servers "https://127.0.0.1:${etcd_port}" --etcd-cafile "${pki}/ca.crt" \
    --etcd-certfile "${pki}/apiserver-etcd-client.crt" --etcd-keyfile "${pki}/apiserver-etcd-client.key" \
    --tls-cert-file "${pki}/apiserver.crt" --tls-private-key-file "${pki}/apiserver.key" \
    --client-ca-file "${pki}/ca.crt" \
    --requestheader-client-ca-file "${pki}/ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "${pki}/front-proxy-client.crt" --proxy-client-key-file "${pki}/front-proxy-client.key" \
    --kubelet-client-certificate "${pki}/apiserver-kubelet-client.crt" --kubelet-client-key "${pki}/apiserver-kubelet-client.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "${pki}/sa.pub" --service-account-signing-key-file "${pki}/sa.key" \
    --service-cluster-ip-range 203.0.113.0/24 \
    --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction,PodSecurity \
    --allow-privileged=true --endpoint-reconciler-type none --profiling=false
  wait_for kube-apiserver 90 "${pid}" "${logs}/kube-apiserver.log" https_ok "${api}/readyz" "${pki}" admin
  log "kube-apiserver ready on ${api} ($(secs_since "${t}"))"

  t=$(now_ms)
  local kcm_pid sched_pid kwok_pid
  start_daemon kube-controller-manager "${bin}/kube-controller-manager" \
    --kubeconfig "${dir}/controller-manager.kubeconfig" \
    --authentication-kubeconfig "${dir}/controller-manager.kubeconfig" \
    --authorization-kubeconfig "${dir}/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "${kcm_port}" \
    --tls-cert-file "${pki}/localhost-serving.crt" --tls-private-key-file "${pki}/localhost-serving.key" \
    --service-account-private-key-file "${pki}/sa.key" --root-ca-file "${pki}/ca.crt" \
    --use-service-account-credentials --leader-elect=false --profiling=false
  kcm_pid=${pid}
  start_daemon kube-scheduler "${bin}/kube-scheduler" \
    --kubeconfig "${dir}/scheduler.kubeconfig" \
    --authentication-kubeconfig "${dir}/scheduler.kubeconfig" \
    --authorization-kubeconfig "${dir}/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "${sched_port}" \
    --tls-cert-file "${pki}/localhost-serving.crt" --tls-private-key-file "${pki}/localhost-serving.key" \
    --leader-elect=false --profiling=false
  sched_pid=${pid}
  start_daemon kwok "${bin}/kwok" --config "${dir}/kwok-stages.yaml" \
    --kubeconfig "${dir}/kwok.kubeconfig" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --node-ip 192.0.2.10 --cidr 198.51.100.0/24 --node-lease-duration-seconds 40 \
    --server-address "127.0.0.1:${kwok_port}" \
    --tls-cert-file "${pki}/localhost-serving.crt" --tls-private-key-file "${pki}/localhost-serving.key"
  kwok_pid=${pid}
  wait_for kube-controller-manager 60 "${kcm_pid}" "${logs}/kube-controller-manager.log" \
    https_ok "https://127.0.0.1:${kcm_port}/healthz" "${pki}" ""
  wait_for kube-scheduler 60 "${sched_pid}" "${logs}/kube-scheduler.log" \
    https_ok "https://127.0.0.1:${sched_port}/healthz" "${pki}" ""
  wait_for kwok 60 "${kwok_pid}" "${logs}/kwok.log" https_ok "https://127.0.0.1:${kwok_port}/healthz" "${pki}" ""
  log "kube-controller-manager, kube-scheduler, kwok healthy ($(secs_since "${t}"))"

  t=$(now_ms)
  local kc=("${bin}/kubectl" --kubeconfig "${dir}/kubeconfig")
  "${kc[@]}" create -f "${dir}/nodes.yaml" >/dev/null
  wait_for "nodes Ready" 60 "${kwok_pid}" "${logs}/kwok.log" \
    "${kc[@]}" wait --for=condition=Ready node/kwok-node-0 node/kwok-gpu-0 --timeout=2s
  # Pods need their namespace's ServiceAccount "default" (created by kube-controller-manager).
  wait_for "serviceaccount default/default" 60 "${kcm_pid}" "${logs}/kube-controller-manager.log" \
    "${kc[@]}" -n default get serviceaccount default
  log "nodes kwok-node-0, kwok-gpu-0 Ready ($(secs_since "${t}"))"

  if [[ -n "${FLOBS_CP_OWNER_PID:-}" ]]; then
    # Watchdog: stop everything when the owner is gone.
    (
      trap - EXIT
      while kill -0 "${FLOBS_CP_OWNER_PID}" 2>/dev/null && [[ -f "${dir}/pids" ]]; do sleep 2; done
      [[ -f "${dir}/pids" ]] && FLOBS_CP_KEEP=1 "${SELF}" stop "${dir}" >/dev/null 2>&1
    ) </dev/null >/dev/null 2>&1 &
    echo "watchdog=$!" >>"${dir}/pids"
  fi
  CP_READY=1
  log "ready in $(secs_since "${t_all}"): ${api}"
  print_env "${dir}"
}

cmd_stop() { # $1 dir
  local dir=$1 pgid name pid i alive
  [[ -d "${dir}" ]] || die "no such directory: ${dir}"
  if [[ -f "${dir}/pgid" ]]; then
    pgid="$(cat "${dir}/pgid")"
    # Only signal the group when it is still ours: some member is one of the recorded pids.
    alive=0
    while IFS='=' read -r name pid; do
      [[ -n "${pid}" ]] || continue
      if [[ "$(ps -o pgid= "${pid}" 2>/dev/null | tr -d ' ')" == "${pgid}" ]]; then alive=1; fi
    done <"${dir}/pids"
    if [[ ${alive} -eq 1 && "${pgid}" != "$(ps -o pgid= $$ | tr -d ' ')" ]]; then
      kill -TERM -- "-${pgid}" 2>/dev/null || true
      for i in $(seq 1 50); do
        kill -0 -- "-${pgid}" 2>/dev/null || break
        sleep 0.2
      done
      kill -KILL -- "-${pgid}" 2>/dev/null || true
    elif [[ ${alive} -eq 1 ]]; then
      # Called from inside the group (a failed start): signal the recorded pids.
      while IFS='=' read -r name pid; do
        [[ -n "${pid}" ]] && kill -TERM "${pid}" 2>/dev/null || true
      done <"${dir}/pids"
      sleep 1
      while IFS='=' read -r name pid; do
        [[ -n "${pid}" ]] && kill -KILL "${pid}" 2>/dev/null || true
      done <"${dir}/pids"
    fi
  fi
  rm -f "${dir}/pids"
  if [[ "${FLOBS_CP_KEEP:-}" == 1 ]]; then
    log "stopped; state kept in ${dir}"
  else
    rm -rf "${dir}"
    log "stopped; removed ${dir}"
  fi
}

main() {
  local cmd=${1:-}
  shift || true
  case "${cmd}" in
    start)
      # Run in a new session (own process group) so that `stop` can end every daemon at once
      # and nothing is tied to the caller's terminal. setsid -w waits for the start itself.
      if [[ "${FLOBS_CP_SESSION:-}" != 1 ]]; then
        FLOBS_CP_SESSION=1 exec setsid -w bash "${SELF}" start "$@"
      fi
      cmd_start "$@" ;;
    stop)
      local dir="${1:-${FLOBS_CP_DIR:-}}"
      [[ -n "${dir}" ]] || die "stop: which control plane? pass its DIR or set FLOBS_CP_DIR"
      cmd_stop "${dir}" ;;
    env)
      local dir="${1:-${FLOBS_CP_DIR:-}}"
      [[ -n "${dir}" ]] || die "env: which control plane? pass its DIR or set FLOBS_CP_DIR"
      print_env "${dir}" ;;
    -h|--help|"") awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${SELF}"; [[ -n "${cmd}" ]] ;;
    *) die "unknown command '${cmd}' (start|stop|env)" ;;
  esac
}

main "$@"
