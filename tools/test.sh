#!/usr/bin/env bash
# Run the whole suite on SQLite, then on PostgreSQL when one is reachable.
# With CI=true, PostgreSQL (and, in tests/e2e, Chromium) are mandatory, not skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${ZHIFA_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}"

echo "== 测试：SQLite"
env -u ZHIFA_DATABASE_URL "$BIN/pytest" "$@"

if "$BIN/python" - "$PG_URL" <<'PY' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
then
  echo "== 测试：PostgreSQL ($PG_URL)"
  ZHIFA_DATABASE_URL="$PG_URL" "$BIN/pytest" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL 不可达（$PG_URL），CI 中必须在 PostgreSQL 上运行测试。" >&2
  exit 1
else
  echo "== PostgreSQL 不可达（$PG_URL），已跳过；设置 ZHIFA_TEST_POSTGRES_URL 可指定数据库。"
fi
