# Shared by scripts/demo, scripts/test and .ci/run: packages, build, ports.
# Sourced, not run.

SYND_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian 12 packages the build, the tests and the demo need.
SYND_PACKAGES="build-essential cmake pkg-config libzmq3-dev libprotobuf-c-dev
protobuf-c-compiler libhiredis-dev libcriterion-dev libconfig-dev libsodium-dev
libncurses-dev libjansson-dev redis-server redis-tools"

# Installs what is missing when run as root; otherwise prints the one
# apt-get line that would, and fails.
synd_need_packages() {
    local missing=() p
    for p in $SYND_PACKAGES "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "synd: installing ${missing[*]}" >&2
        apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                "${missing[@]}" >/dev/null
        return
    fi
    echo "synd: missing packages; run as root:" >&2
    echo "  apt-get install -y ${missing[*]}" >&2
    return 1
}

# Configures and builds into $1 (default build/) with extra cmake flags.
# The compiler's output goes to <dir>/build.log and is shown on failure.
synd_build() {
    local dir=${1:-$SYND_ROOT/build}
    shift || true
    echo "synd: building into $dir" >&2
    mkdir -p "$dir"
    if ! { cmake -S "$SYND_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" &&
        cmake --build "$dir" -j"$(nproc)"; } >"$dir/build.log" 2>&1; then
        cat "$dir/build.log" >&2
        echo "synd: build failed; the log is $dir/build.log" >&2
        return 1
    fi
}

# Prints a loopback TCP port nobody listens on.
synd_free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "synd: no free port found" >&2
    return 1
}

# Runs "$@" every 100 ms until it succeeds, for at most $SYND_WAIT_S seconds.
synd_wait_for() {
    local tries=$((${SYND_WAIT_S:-15} * 10))
    while ! "$@" >/dev/null 2>&1; do
        tries=$((tries - 1))
        [ $tries -le 0 ] && return 1
        sleep 0.1
    done
}

# Starts a private redis-server on port $1 with data in $2, in the background.
synd_start_redis() {
    redis-server --port "$1" --bind 127.0.0.1 --save "" --appendonly no --dir "$2" \
        --logfile "$2/redis.log" --daemonize no &
    SYND_REDIS_PID=$!
    synd_wait_for redis-cli -p "$1" ping || {
        echo "synd: redis-server did not start; see $2/redis.log" >&2
        return 1
    }
}
