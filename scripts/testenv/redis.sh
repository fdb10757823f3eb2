# shellcheck shell=bash
# Starts a throwaway single Redis and a throwaway 3-master Redis Cluster.
# Sourced by scripts/test; uses lib.sh.
#
# Both keep nothing on disk (no RDB, no AOF): every run starts empty.

# redis_node DIR PORT [EXTRA ARGS...] starts one redis-server as a background
# job of this shell and sets REDIS_NODE_PID. (Not printed and captured with
# $(...): that would make the server a child of a subshell, not of us.)
redis_node() {
	local dir="$1" port="$2"
	shift 2
	mkdir -p "$dir"
	# Its own statement (not part of an && chain) so $! is redis-server.
	redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' \
		--appendonly no --daemonize no --logfile "$dir/redis.log" "$@" \
		</dev/null >/dev/null 2>&1 &
	REDIS_NODE_PID=$!
}

redis_ping() { [[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == PONG ]]; }

# start_redis DIR: on success exports RESETBOT_TEST_REDIS_ADDR.
start_redis() {
	local dir="$1" start port pid
	start="$(now)"
	if ! free_port; then
		server_failed redis "no free port"
		return 0
	fi
	port=$FREE_PORT
	redis_node "$dir" "$port"
	pid=$REDIS_NODE_PID
	track "$pid"
	if ! wait_for 10 "$pid" redis redis_ping "$port"; then
		show_log "$dir/redis.log"
		server_failed redis "did not answer PING (log: $dir/redis.log)"
		return 0
	fi
	export RESETBOT_TEST_REDIS_ADDR="127.0.0.1:$port"
	server_ok redis "$RESETBOT_TEST_REDIS_ADDR (pid $pid)" "$start"
}

# cluster_ok PORT... is true when every node reports cluster_state:ok.
cluster_ok() {
	local port
	for port in "$@"; do
		redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null |
			grep -q '^cluster_state:ok' || return 1
	done
}

# start_redis_cluster DIR: three masters, no replicas (enough to prove that
# every multi-key command uses one hash slot). On success exports
# RESETBOT_TEST_REDIS_CLUSTER as a comma-separated list of the masters.
start_redis_cluster() {
	local dir="$1" start i port pid ports=() pids=() addrs=()
	start="$(now)"
	for i in 1 2 3; do
		# The cluster bus listens on port+10000; it must be free too.
		if ! free_port 10000; then
			server_failed redis-cluster "no free port pair"
			return 0
		fi
		port=$FREE_PORT
		redis_node "$dir/node$i" "$port" --cluster-enabled yes \
			--cluster-config-file nodes.conf --cluster-node-timeout 2000
		pid=$REDIS_NODE_PID
		track "$pid"
		ports+=("$port")
		pids+=("$pid")
		addrs+=("127.0.0.1:$port")
	done
	for i in 0 1 2; do
		if ! wait_for 10 "${pids[i]}" "redis-cluster node $((i + 1))" redis_ping "${ports[i]}"; then
			show_log "$dir/node$((i + 1))/redis.log"
			server_failed redis-cluster "node $((i + 1)) did not answer PING"
			return 0
		fi
	done
	if ! redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes \
		>"$dir/create.log" 2>&1; then
		show_log "$dir/create.log"
		server_failed redis-cluster "redis-cli --cluster create failed (log: $dir/create.log)"
		return 0
	fi
	if ! wait_for 20 "${pids[0]}" redis-cluster cluster_ok "${ports[@]}"; then
		server_failed redis-cluster "cluster_state never became ok"
		return 0
	fi
	RESETBOT_TEST_REDIS_CLUSTER="$(
		IFS=,
		printf '%s' "${addrs[*]}"
	)"
	export RESETBOT_TEST_REDIS_CLUSTER
	server_ok redis-cluster "$RESETBOT_TEST_REDIS_CLUSTER (pids ${pids[*]})" "$start"
}
