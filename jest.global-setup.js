// Says once, plainly, when the MySQL, Redis, browser or load balancer tests will be skipped and how to turn them on.
const { existsSync } = require('node:fs');

module.exports = async function announceMysql() {
  if (!process.env.REDIS_TEST_URL) {
    process.stdout.write(
      '\n[tests] REDIS_TEST_URL is not set: the tests of gateway replicas sharing Redis are SKIPPED (named "... (skipped: REDIS_TEST_URL not set)").\n' +
        '[tests] To run them: REDIS_TEST_URL=redis://127.0.0.1:6379 npm test\n',
    );
  }
  if (!existsSync('/usr/bin/chromium')) {
    process.stdout.write(
      '\n[tests] /usr/bin/chromium is not installed: the explorer\'s browser tests are SKIPPED (named "... (skipped: /usr/bin/chromium not found ...)").\n' +
        "[tests] To run them: apt-get install -y chromium (Debian's Chromium; never a downloaded browser build), then npm test\n",
    );
  }
  if (!existsSync('/usr/sbin/haproxy')) {
    process.stdout.write(
      '\n[tests] /usr/sbin/haproxy is not installed: the tests of replicas behind a load balancer are SKIPPED (named "... (skipped: ...)").\n' +
        "[tests] To run them: apt-get install -y haproxy (Debian's package), with MYSQL_TEST_URL and REDIS_TEST_URL set, then npm test\n",
    );
  }
  if (!process.env.MYSQL_TEST_URL) {
    process.stdout.write(
      '\n[tests] MYSQL_TEST_URL is not set: every test named "... on MySQL" is SKIPPED (they need a MySQL/MariaDB server).\n' +
        '[tests] To run them: MYSQL_TEST_URL=mysql://root@127.0.0.1:3306/partnership_test npm test (the server must allow CREATE DATABASE).\n\n',
    );
  }
};
