#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume (docker-entrypoint-initdb.d).
# Creates the two roles of the portal:
#   wuding_owner — owns the database and its schema; runs migrations, backups and restores;
#   wuding_app   — what web, worker and beat connect as; owns nothing (grants: manage.py grant_app_role).
# Neither may create roles, so neither can obtain the audit log's test-only bypass (wuding_enforcement/audit/db.py).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v db="$POSTGRES_DB" -v owner_pw="$WUDING_OWNER_PASSWORD" -v app_pw="$WUDING_APP_PASSWORD" <<'SQL'
CREATE ROLE wuding_owner LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD :'owner_pw';
CREATE ROLE wuding_app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD :'app_pw';
ALTER DATABASE :"db" OWNER TO wuding_owner;
ALTER SCHEMA public OWNER TO wuding_owner;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO wuding_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
