"""A real WordPress on localhost from Debian's packages.

`python tools/wordpress_local/site.py up|down|status|packages [--port N]`

What `up` does (about 10 s after the packages are installed):
1. installs `wordpress php-cli php-mysql mariadb-server php-xml php-curl php-mbstring php-gd
   php-intl` with apt-get when one is missing (`apt-get update` first); failure is an error, never
   a skip: the contract tests must run against the real thing;
2. starts MariaDB on a data directory of the site's own, socket only (`--skip-networking`);
3. writes a site directory: `docroot/` (symlinks into /usr/share/wordpress plus the site's own
   wp-config.php: WP_ENVIRONMENT_TYPE=local, which is what lets Application Passwords work over
   plain http on 127.0.0.1 — a real site serves them over HTTPS) and `wp-content/` holding the
   plugin extracted from the shipped zip (dist/wordpress/lakehouse-export.zip, rebuilt first);
4. serves it with `php -S 127.0.0.1:<port>` and router.php, installs it non-interactively
   (install.php: wp_install + activate the plugin), creates the content (content.php) and
   prints the URL and the exporter's application password.

State lives in `.emulator/wordpress-<port>/` (`make wordpress-up` uses WORDPRESS_PORT, else
EMULATOR_PORT + 3). `packages` only installs the Debian packages (CI runs it first, so a machine
that cannot install them fails the run instead of skipping the WordPress tests). Python callers
use `start(site_dir, port)` -> `LocalWordPress` and `stop(site_dir)`.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WORDPRESS_ROOT = Path("/usr/share/wordpress")
APT_PACKAGES = (
    "wordpress",
    "php-cli",
    "php-mysql",
    "mariadb-server",
    "php-xml",
    "php-curl",
    "php-mbstring",
    "php-gd",
    "php-intl",
)
ROUTE = "/wp-json/lakehouse/v1/"
DATASETS = ("posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms")
STATISTICS_DAYS = 30


class SiteError(RuntimeError):
    """The local WordPress could not be installed, started or stopped."""


@dataclass
class LocalWordPress:
    """A running local site: where it is, who may export, what the content script reported."""

    site_dir: Path
    port: int
    admin_password: str
    manifest: Dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def route(self, dataset: str) -> str:
        return f"{self.url}{ROUTE}{dataset}"

    def user(self, name: str = "exporter") -> Dict[str, Any]:
        return self.manifest["users"][name]

    def basic_auth(self, name: str = "exporter") -> str:
        user = self.user(name)
        token = f"{user['login']}:{user['application_password']}".encode()
        return "Basic " + base64.b64encode(token).decode()

    def php(self, script: Path | str, *args: str, installing: bool = False) -> str:
        """Run a PHP script inside WordPress (wp.php); its stdout."""
        return run_php(self.site_dir, self.port, Path(script), list(args), installing=installing)

    def php_code(self, code: str) -> str:
        """Run a PHP snippet inside WordPress (e.g. `update_option(...)`); its stdout."""
        script = self.site_dir / f"snippet-{secrets.token_hex(4)}.php"
        script.write_text("<?php\n" + code + "\n")
        try:
            return self.php(script)
        finally:
            script.unlink()

    def sql(self, statement: str) -> str:
        """Run SQL with the mariadb client over the socket; tab-separated output without header."""
        result = subprocess.run(
            [
                "mariadb",
                "--no-defaults",
                f"--socket={self.site_dir / 'mysqld.sock'}",
                "-uroot",
                "-N",
                "-B",
                "wordpress",
                "-e",
                statement,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise SiteError(f"SQL failed: {result.stderr.strip()}")
        return result.stdout

    def record_statistics(self, first: dt.date, last: dt.date, seed: int) -> int:
        """Record page views for days first..last (added to a day's existing rows); rows in the table."""
        out = self.php(HERE / "statistics.php", first.isoformat(), last.isoformat(), str(seed))
        return int(json.loads(out)["rows"])


# ---- packages -----------------------------------------------------------------------------------
def missing_packages() -> List[str]:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${db:Status-Abbrev}\n", *APT_PACKAGES],
        capture_output=True,
        text=True,
        check=False,
    )
    installed = {line.split()[0] for line in result.stdout.splitlines() if line.split()[1:2] == ["ii"]}
    return [name for name in APT_PACKAGES if name not in installed]


def ensure_packages() -> None:
    """apt-get install what is missing; SiteError (never a skip) when that is impossible."""
    missing = missing_packages()
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SiteError(f"WordPress test site needs Debian packages {missing}: run as root on Debian/Ubuntu")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *missing]):
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if result.returncode:
            raise SiteError(f"{' '.join(command)} failed: {result.stderr.strip()[-800:]}")
    still = missing_packages()
    if still:
        raise SiteError(f"apt-get install left {still} missing")


# ---- processes ----------------------------------------------------------------------------------
def _spawn(command: Sequence[str], log: Path, pid_file: Path, **kwargs: Any) -> subprocess.Popen:
    with open(log, "ab") as out:
        process = subprocess.Popen(
            list(command),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            **kwargs,
        )
    pid_file.write_text(str(process.pid))
    return process


def _wait_for(check: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise SiteError(f"{what} did not come up within {timeout:.0f} s")


def start_mariadb(site_dir: Path) -> None:
    data = site_dir / "mysql"
    socket = site_dir / "mysqld.sock"
    if not (data / "mysql").is_dir():
        result = subprocess.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={data}",
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise SiteError(f"mariadb-install-db failed: {result.stderr.strip()[-800:]}")
    _spawn(
        [
            "mariadbd",
            "--no-defaults",
            f"--datadir={data}",
            f"--socket={socket}",
            "--skip-networking",
            "--user=root",
            f"--pid-file={site_dir / 'mysqld.pid'}",
            "--innodb-buffer-pool-size=256M",
            "--skip-log-bin",
            "--character-set-server=utf8mb4",
        ],
        site_dir / "mysqld.log",
        site_dir / "mysqld.proc",
    )

    def ready() -> bool:
        ping = subprocess.run(
            ["mariadb-admin", "--no-defaults", f"--socket={socket}", "-uroot", "ping"],
            capture_output=True,
            check=False,
        )
        return ping.returncode == 0

    _wait_for(ready, f"MariaDB (log {site_dir / 'mysqld.log'})")
    subprocess.run(
        [
            "mariadb",
            "--no-defaults",
            f"--socket={socket}",
            "-uroot",
            "-e",
            "CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        ],
        check=True,
        capture_output=True,
    )


def wp_config(site_dir: Path, port: int) -> str:
    salts = "\n".join(
        f"define('{name}', '{secrets.token_hex(32)}');"
        for name in (
            "AUTH_KEY",
            "SECURE_AUTH_KEY",
            "LOGGED_IN_KEY",
            "NONCE_KEY",
            "AUTH_SALT",
            "SECURE_AUTH_SALT",
            "LOGGED_IN_SALT",
            "NONCE_SALT",
        )
    )
    url = f"http://127.0.0.1:{port}"
    return f"""<?php
// Local test site written by tools/wordpress_local/site.py. WP_ENVIRONMENT_TYPE 'local' is what
// allows Application Passwords over plain http here; a real site serves the API over HTTPS.
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{site_dir / "mysqld.sock"}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{salts}
$table_prefix = 'wp_';
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('WP_CONTENT_DIR', '{site_dir / "wp-content"}');
define('WP_CONTENT_URL', '{url}/wp-content');
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_DEBUG', false);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
if (!defined('ABSPATH')) {{ define('ABSPATH', __DIR__ . '/'); }}
require_once ABSPATH . 'wp-settings.php';
"""


def write_site(site_dir: Path, port: int, plugin_zip: Path) -> None:
    docroot = site_dir / "docroot"
    docroot.mkdir(parents=True, exist_ok=True)
    for entry in WORDPRESS_ROOT.iterdir():
        if entry.name in ("wp-config.php", "wp-content"):
            continue
        link = docroot / entry.name
        if not link.is_symlink():
            link.symlink_to(entry)
    content = site_dir / "wp-content"
    for sub in ("plugins", "uploads", "themes"):
        (content / sub).mkdir(parents=True, exist_ok=True)
    for theme in (WORDPRESS_ROOT / "wp-content" / "themes").iterdir():
        if theme.is_dir() and not (content / "themes" / theme.name).exists():
            (content / "themes" / theme.name).symlink_to(theme)
    if not (docroot / "wp-content").is_symlink():
        (docroot / "wp-content").symlink_to(content)
    plugin_dir = content / "plugins" / "lakehouse-export"
    shutil.rmtree(plugin_dir, ignore_errors=True)
    with zipfile.ZipFile(plugin_zip) as archive:  # the shipped artifact, as an admin uploads it
        archive.extractall(content / "plugins")
    (docroot / "wp-config.php").write_text(wp_config(site_dir, port))


def run_php(site_dir: Path, port: int, script: Path, args: List[str], *, installing: bool = False) -> str:
    env = {**os.environ, "LAKEHOUSE_WP_URL": f"http://127.0.0.1:{port}"}
    if installing:
        env["LAKEHOUSE_WP_INSTALLING"] = "1"
    result = subprocess.run(
        ["php", "-d", "memory_limit=1G", str(HERE / "wp.php"), str(site_dir), str(script), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode:
        raise SiteError(
            f"{script.name} failed ({result.returncode}): {(result.stderr or result.stdout)[-1500:]}"
        )
    return result.stdout


def start_php(site_dir: Path, port: int) -> None:
    _spawn(
        [
            "php",
            "-d",
            "memory_limit=1G",
            "-S",
            f"127.0.0.1:{port}",
            "-t",
            str(site_dir / "docroot"),
            str(HERE / "router.php"),
        ],
        site_dir / "php.log",
        site_dir / "php.proc",
        env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"},
    )

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/wp-login.php", timeout=5):
                return True
        except urllib.error.HTTPError:
            return True  # PHP answers: the server is up
        except OSError:
            return False

    _wait_for(ready, f"php -S on port {port} (log {site_dir / 'php.log'})")


def build_plugin_zip() -> Path:
    sys.path.insert(0, str(REPO / "tools"))
    import package  # noqa: PLC0415 - the build tool, only when a site is made

    out = REPO / "dist" / "wordpress" / "lakehouse-export.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(package.zip_bytes(package.plugin_entries()))
    return out


def start(site_dir: Path, port: int, *, stats_last_day: Optional[dt.date] = None) -> LocalWordPress:
    """Install packages if needed, start MariaDB and PHP, install WordPress with content."""
    ensure_packages()
    site_dir = Path(site_dir).resolve()
    if (site_dir / "site.json").exists():
        stop(site_dir)
    shutil.rmtree(site_dir, ignore_errors=True)
    site_dir.mkdir(parents=True)
    write_site(site_dir, port, build_plugin_zip())
    start_mariadb(site_dir)
    start_php(site_dir, port)
    site = LocalWordPress(site_dir, port, admin_password=secrets.token_urlsafe(18))
    site.php(HERE / "install.php", site.admin_password, installing=True)
    last = stats_last_day or dt.datetime.now(dt.timezone.utc).date()
    first = last - dt.timedelta(days=STATISTICS_DAYS - 1)
    site.manifest = json.loads(site.php(HERE / "content.php", first.isoformat(), last.isoformat()))
    (site_dir / "site.json").write_text(
        json.dumps({"port": port, "admin_password": site.admin_password, "manifest": site.manifest}, indent=1)
    )
    return site


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running(site_dir: Path, port: Optional[int] = None, **options: Any) -> Iterator[LocalWordPress]:
    """A site for the length of a `with` block (tests, benches): started on `port` (default: a free
    one) and stopped on exit, however the block ends."""
    site = start(site_dir, port or free_port(), **options)
    try:
        yield site
    finally:
        stop(site_dir)


def load(site_dir: Path) -> LocalWordPress:
    state = json.loads((Path(site_dir) / "site.json").read_text())
    return LocalWordPress(Path(site_dir).resolve(), state["port"], state["admin_password"], state["manifest"])


def _stop_pid(pid_file: Path, timeout: float = 20.0) -> None:
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        with contextlib.suppress(ChildProcessError):  # reap our own child (tests start the site in-process)
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    else:
        os.killpg(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)


def stop(site_dir: Path) -> None:
    """Stop PHP and MariaDB of the site (its data directory stays until the next `start`)."""
    site_dir = Path(site_dir)
    _stop_pid(site_dir / "php.proc")
    _stop_pid(site_dir / "mysqld.proc")


def site_port() -> int:
    if os.environ.get("WORDPRESS_PORT"):
        return int(os.environ["WORDPRESS_PORT"])
    return int(os.environ.get("EMULATOR_PORT") or 4566) + 3


def site_dir_for(port: int) -> Path:
    return REPO / ".emulator" / f"wordpress-{port}"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("up", "down", "status", "packages"))
    parser.add_argument("--port", type=int, default=site_port())
    args = parser.parse_args(argv)
    site_dir = site_dir_for(args.port)
    if args.command == "packages":
        ensure_packages()
        print("WordPress, PHP and MariaDB packages present")
        return 0
    if args.command == "down":
        stop(site_dir)
        print(f"local WordPress on port {args.port} stopped")
        return 0
    if args.command == "status":
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/wp-json/", timeout=5):
                return 0
        except OSError:
            return 1
    site = start(site_dir, args.port)
    exporter = site.user("exporter")
    print(f"WordPress {site.url} (admin / {site.admin_password})")
    print(f"exporter user: {exporter['login']}  application password: {exporter['application_password']}")
    print(f"routes: {site.url}{ROUTE}<{'|'.join(DATASETS)}>")
    print(f"stop with: make wordpress-down WORDPRESS_PORT={args.port}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
