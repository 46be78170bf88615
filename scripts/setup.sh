#!/usr/bin/env bash
# Installs what hotup's demo and tests need on a fresh Debian machine:
# Erlang/OTP, rebar3, Elixir and OpenSSH server from apt, then the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=0
for tool in erl rebar3 elixir /usr/sbin/sshd; do
  command -v "$tool" >/dev/null 2>&1 || need_apt=1
done
if [ "$need_apt" = 1 ]; then
  echo "setup: installing Erlang/OTP, rebar3, Elixir and OpenSSH server (apt)…"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    erlang-base erlang-dev erlang-tools erlang-reltool erlang-syntax-tools erlang-crypto \
    erlang-ssl erlang-inets erlang-eunit elixir rebar3 openssh-server >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages…"
  npm ci --no-audit --no-fund
fi

npm run --silent build
