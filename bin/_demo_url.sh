# Sourced by bin/demo. `demo_url ADDRESS` prints the address to open in a browser for a
# runserver ADDRESS: "9000" (a port alone: 127.0.0.1), "127.0.0.1:9000", "0.0.0.0:8080",
# "[::1]:8000". The service listening on every address (0.0.0.0, its shorthand 0, [::]) is
# opened on this machine's own address, which ALLOWED_HOSTS accepts by default.

demo_url() {
  local address="$1" host port
  case "$address" in
    *:*) host="${address%:*}" port="${address##*:}" ;;
    *) host="127.0.0.1" port="$address" ;;
  esac
  case "$host" in
    0 | 0.0.0.0) host="127.0.0.1" ;;
    "[::]") host="[::1]" ;;
  esac
  echo "http://$host:$port"
}

# True when ADDRESS makes runserver listen on every network address.
demo_listens_everywhere() {
  case "$1" in
    0:* | 0.0.0.0:* | "[::]:"*) return 0 ;;
    *) return 1 ;;
  esac
}
