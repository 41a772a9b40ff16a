#!/bin/bash
# Runs once when the MySQL container starts on an empty volume: one utf8mb4 database and one user per subgraph,
# each user limited to its own database (subgraphs never read each other's data). SUBGRAPH_DATABASES lists them
# (docker-compose.yml sets it from subgraphs.json).
set -euo pipefail
for name in ${SUBGRAPH_DATABASES:-institutions agreements training}; do
  password_variable="$(echo "${name}_DB_PASSWORD" | tr '[:lower:]' '[:upper:]')"
  password="${!password_variable}"
  mysql --user=root --password="${MYSQL_ROOT_PASSWORD}" <<SQL
CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '${name}'@'%' IDENTIFIED BY '${password}';
GRANT ALL PRIVILEGES ON \`${name}\`.* TO '${name}'@'%';
SQL
done
