#!/bin/sh
# Runs once, when the postgres container starts on an empty data volume
# (the image runs every script in /docker-entrypoint-initdb.d). Makes one
# role and database for kizdesk and one role with two databases for
# Temporal's persistence and visibility stores. The passwords come from the
# environment (deploy/.env) and are passed as psql variables (:'name' quotes them).
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v kizdesk_password="$KIZDESK_DB_PASSWORD" \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE kizdesk LOGIN PASSWORD :'kizdesk_password';
CREATE DATABASE kizdesk OWNER kizdesk;

CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
SQL
