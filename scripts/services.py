#!/usr/bin/env python3
"""Real local services for tests and benchmarks, run from the table in scripts/services.toml.

    scripts/services.py up|down|status|env [postgres redis opensearch elasticsearch s3]
    scripts/services.py up && eval "$(scripts/services.py env)"
    scripts/services.py up stack          # a group of the table: the production stack

No names: the services not marked `default = false`. A name may be a group (`[groups]` in
the table) or a service of several `nodes` (each node is also a service of its own,
<name>-<n>).

`up` starts what is not running (no names: everything) and waits until it is healthy;
`status` prints name, up/down and URL; `env` prints `export` lines for what is up. "Up" means
our recorded process (same pid and start time) runs and its health check passes; a dead
one's pidfile and leftover processes are cleaned up and it is started again. Overrides:
MHA_<PREFIX>_<VAR> (see the table). State: $MHA_SERVICES_DIR (<project>/.cache/services);
downloads and builds: $MHA_CACHE_DIR (~/.cache/mha). Debian packages come from
scripts/install.sh test; the only downloads here are Maven Central artifacts and Go modules.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_TOML: dict = tomllib.loads((ROOT / "scripts" / "services.toml").read_text())
TABLE: dict = _TOML["services"]
GROUPS: dict[str, list[str]] = _TOML.get("groups", {})
STATE = Path(os.environ.get("MHA_SERVICES_DIR") or ROOT / ".cache" / "services")
CACHE = Path(os.environ.get("MHA_CACHE_DIR") or Path.home() / ".cache" / "mha")
IS_ROOT = os.geteuid() == 0
INSTALL = "scripts/install.sh test"
# Health checks talk to 127.0.0.1 directly, whatever http_proxy says.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Failed(Exception):
    """A service could not be prepared, started or stopped; the message says why."""


def log(message: str) -> None:
    print(f"[services] {message}", file=sys.stderr, flush=True)


def run(cmd: list, **kwargs) -> subprocess.CompletedProcess:
    """Run a preparation step; fail with the end of its output."""
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode:
        output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr).strip()
        raise Failed(f"{shlex.join(map(str, cmd))} failed:\n{output[-3000:]}")
    return result


def probe(step: dict) -> tuple[bool, str]:
    """A health check or after-start step: `run` a command or GET an `http` URL, match `ok`."""
    if "http" in step:
        try:
            with HTTP.open(step["http"], timeout=5) as response:
                text = f"{response.status}\n{response.headers}\n{response.read().decode()}"
        except urllib.error.HTTPError as error:  # an answer all the same
            text = f"{error.code}\n{error.headers}\n{error.read().decode(errors='replace')}"
        except (OSError, ValueError) as error:
            return False, str(error)
    else:
        try:
            done = subprocess.run(
                step["run"], input=step.get("stdin"), capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return False, str(error)
        text = done.stdout + done.stderr
        if done.returncode:
            return False, text
    return re.search(step.get("ok", ""), text, re.MULTILINE) is not None, text


# --- processes: identified by pid *and* start time, so a reused pid is never taken for ours


def proc_stat(pid: int) -> tuple[str, int, str] | None:
    """(state, process group, start time) of a process, or None when there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[2]), fields[19]


def group_alive(pgid: int) -> bool:
    """Some live (not zombie) process is still in process group ``pgid``."""
    for entry in Path("/proc").iterdir():
        stat = proc_stat(int(entry.name)) if entry.name.isdigit() else None
        if stat and stat[1] == pgid and stat[0] != "Z":
            return True
    return False


def stop_group(pgid: int, sig: signal.Signals, name: str, leader_only: bool = True) -> None:
    """Signal the leader (or the whole group); SIGKILL the group if it outlives 60 s."""
    for kill, signum, grace in (
        (os.kill if leader_only else os.killpg, sig, 60),
        (os.killpg, signal.SIGKILL, 10),
    ):
        with contextlib.suppress(ProcessLookupError):
            kill(pgid, signum)
        deadline = time.monotonic() + grace
        while group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not group_alive(pgid):
            return
        log(f"{name}: still running {grace} s after {signum.name}")
    raise Failed(f"{name}: could not stop process group {pgid}")


class Service:
    """One entry of the table, its placeholders filled from its vars and the environment."""

    def __init__(self, name: str, spec: dict, node: int = 0) -> None:
        """``node``: which of the service's ``nodes`` this is (1..n); every ``*port`` var of
        node n is the configured one + n - 1, and ``{<var>_all}`` lists those of all nodes
        (``127.0.0.1:port,...``), ``{names_all}`` their names: a cluster's seed list."""
        self.name, self.spec = (f"{name}-{node}" if node else name), spec
        self.dir = STATE / self.name
        self.pidfile = self.dir / "pid"
        self.logfile = self.dir / "service.log"
        prefix = f"MHA_{spec['prefix']}_"
        self.values = {"dir": str(self.dir), "cache": str(CACHE), "root": str(ROOT)}
        self.values |= {"name": self.name, "state": str(STATE), "node": str(node)}
        # `uses`: the services this one talks to, so that it never repeats their ports:
        # {postgres_port}, {s3_bucket}, ... (their vars, overrides included) and {<name>_urls}
        # (the URL of each node, comma-separated), "-" in a name written "_".
        for other in spec.get("uses", []):
            used = TABLE[other]
            count = int(used.get("nodes", 0))
            nodes = [Service(other, used, i + 1) for i in range(count)] or [Service(other, used)]
            key = other.replace("-", "_")
            self.values |= {f"{key}_{k}": v for k, v in nodes[0].vars.items()}
            self.values[f"{key}_urls"] = ",".join(n.url for n in nodes)
        self.vars = {
            k: os.environ.get(prefix + k.upper(), v).format_map(self.values)
            for k, v in spec["vars"].items()
        }
        if node:
            count = int(spec["nodes"])
            for key, value in list(self.vars.items()):
                if key.endswith("port"):
                    ports = [int(value) + i for i in range(count)]
                    self.values[f"{key}_all"] = ",".join(f"127.0.0.1:{p}" for p in ports)
                    self.vars[key] = str(ports[node - 1])
            self.values["names_all"] = ",".join(f"{name}-{i + 1}" for i in range(count))
        self.values |= self.vars
        self.user = spec.get("user") if IS_ROOT else None
        self.values |= {"artifact": "", "java_home": ""}
        self.url = self.fmt(spec["url"])

    def fmt(self, value):
        """Fill the placeholders in a string, list or table (regular expressions stay as-is)."""
        if isinstance(value, str):
            return value.format_map(self.values)
        if isinstance(value, list):
            return [self.fmt(v) for v in value]
        if isinstance(value, dict):
            return {self.fmt(k): v if k == "ok" else self.fmt(v) for k, v in value.items()}
        return value

    def recorded(self) -> tuple[int, str] | None:
        """(pid, start time) from the pidfile."""
        with contextlib.suppress(OSError, ValueError):
            pid, started = self.pidfile.read_text().split()
            return int(pid), started
        return None

    def pid(self) -> int | None:
        """The recorded daemon's pid if that very process still runs."""
        pid, started = self.recorded() or (0, "")
        stat = proc_stat(pid) if pid else None
        return pid if stat and stat[0] != "Z" and stat[2] == started else None

    def healthy(self) -> bool:
        return probe(self.fmt(self.spec["health"]))[0]

    def is_up(self) -> bool:
        return self.pid() is not None and self.healthy()

    def clean_stale(self) -> None:
        """Our daemon died: stop what it left in its process group, forget its pidfile."""
        pid, started = self.recorded() or (0, "")
        stat = proc_stat(pid) if pid else None
        # While any process is in group `pid`, the kernel does not reuse that pid: a different
        # process under it means our group is gone already.
        if pid and (stat is None or stat[2] == started):
            stop_group(pid, signal.SIGTERM, self.name, leader_only=False)
        log(f"{self.name}: removing stale pidfile {self.pidfile}")
        self.pidfile.unlink(missing_ok=True)

    def check_ports(self) -> None:
        for key, port in self.vars.items():
            if key.endswith("port"):
                with socket.socket() as sock:
                    sock.settimeout(1)
                    if sock.connect_ex(("127.0.0.1", int(port))) == 0:
                        var = f"MHA_{self.spec['prefix']}_{key.upper()}"
                        raise Failed(f"{self.name}: port {port} is used by another process ({var})")

    def as_user(self) -> dict:
        """Popen arguments that drop to the service's user (when we are root)."""
        if not self.user:
            return {}
        pw = pwd.getpwnam(self.user)
        return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}

    def chown(self, path: Path, recursive: bool = False) -> None:
        if self.user:
            run(["chown", *(["-R"] if recursive else []), f"{self.user}:", path])

    def prepare(self) -> None:
        """Everything the start command needs: programs, artifacts, user, directories, init."""
        needs = self.fmt(self.spec.get("needs", {})).items()
        missing = [f"{cmd} (Debian package {pkg})" for cmd, pkg in needs if not shutil.which(cmd)]
        if missing:
            raise Failed(f"{self.name}: missing {', '.join(missing)}: run {INSTALL}")
        if self.user:
            ensure_user(self.user)
        if "java" in self.spec:
            self.values["java_home"] = find_java(self.spec["java"], self.name)
        if "maven" in self.spec:
            self.values["artifact"] = str(self.unpack())
        if "go" in self.spec:
            self.values["artifact"] = str(go_build(self.spec["go"], self.vars["version"]))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o755)
        self.chown(self.dir)  # not recursive: a hard-linked distribution shares its files
        if self.user and self.values["artifact"] and not self.can_read(self.values["artifact"]):
            self.values["artifact"] = str(self.private_copy(Path(self.values["artifact"])))
        for directory in self.fmt(self.spec.get("dirs", [])):
            Path(directory).mkdir(parents=True, exist_ok=True)
            self.chown(Path(directory), recursive=True)
        if "copy_once" in self.spec:
            source, target = self.fmt(self.spec["copy_once"])
            run(["cp", "-rn", f"{source}/.", target])  # -n: keep edits and a node's keystore
            self.chown(Path(target), recursive=True)
        # A relative name is a file of the distribution, written to the same place under
        # {dir}; an absolute one (deploy/...) is written to {dir}/<its file name>.
        for name, replacements in self.fmt(self.spec.get("rewrite", {})).items():
            source = Path(self.values["artifact"]) / name
            target = self.dir / (source.name if Path(name).is_absolute() else name)
            text = source.read_text()
            for old, new in replacements:
                text = text.replace(old, new)
            target.write_text(text)
            self.chown(target)
        init = self.fmt(self.spec.get("init"))
        if init and not Path(init["creates"]).exists():
            log(f"{self.name}: {init['run'][0]}")
            run(init["run"], cwd=self.dir, **self.as_user())
        for step in self.fmt(self.spec.get("before_start", [])):
            log(f"{self.name}: {shlex.join(step['run'])}")
            run(step["run"], cwd=ROOT, env=self.environment(), input=step.get("stdin"))

    def can_read(self, path: str) -> bool:
        """The service's user can reach ``path`` (the cache often sits under root's home)."""
        return subprocess.run(["test", "-r", path], **self.as_user()).returncode == 0

    def private_copy(self, dist: Path) -> Path:
        """A hard-linked (else copied) tree of the distribution in the state directory."""
        home = self.dir / f"home-{self.vars['version']}"
        if not home.exists():
            tmp = self.dir / ".home.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            same_disk = dist.stat().st_dev == self.dir.stat().st_dev
            run(["cp", "-al" if same_disk else "-a", dist, tmp])
            tmp.rename(home)
        return home

    def unpack(self) -> Path:
        """The distribution unzipped once into the cache, with the modules the table adds."""
        program = self.fmt(self.spec["maven"]).split(":")[1]  # opensearch, elasticsearch
        dist = CACHE / "dist" / f"{program}-{self.vars['version']}"
        if not (dist / "bin" / program).exists():
            archive = maven(self.fmt(self.spec["maven"]))
            dist.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=dist.parent, prefix=".unpack.") as tmp:
                log(f"{self.name}: unpacking {archive}")
                run(["unzip", "-q", archive, "-d", tmp])
                unpacked = Path(tmp) / dist.name
                if not (unpacked / "bin" / program).exists():
                    raise Failed(f"{archive} has no {dist.name}/bin/{program} (delete it)")
                shutil.rmtree(dist, ignore_errors=True)
                unpacked.rename(dist)
        for module in self.fmt(self.spec.get("modules", [])):
            add_module(dist, module)
        return dist

    def environment(self) -> dict[str, str]:
        """The start environment: ours, then the `env_file` (KEY=VALUE lines), then `start_env`."""
        env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
        if self.user:
            pw = pwd.getpwnam(self.user)
            env |= {"HOME": pw.pw_dir, "USER": self.user, "LOGNAME": self.user}
        if "env_file" in self.spec:
            for line in Path(self.fmt(self.spec["env_file"])).read_text().splitlines():
                key, sep, value = line.partition("=")
                if sep and not line.lstrip().startswith("#"):
                    env[key.strip()] = value.strip()
        return env | self.fmt(self.spec.get("start_env", {}))

    def spawn(self) -> None:
        env = self.environment()
        command = self.fmt(self.spec["start"])
        with open(self.logfile, "a") as out:
            out.write(f"\n--- {time.strftime('%F %T')} {shlex.join(command)}\n")
            out.flush()
            proc = subprocess.Popen(
                command,
                cwd=self.dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **self.as_user(),
            )
        self.pidfile.write_text(f"{proc.pid} {proc_stat(proc.pid)[2]}\n")
        log(f"{self.name}: started (pid {proc.pid}, log {self.logfile})")

    def wait(self) -> None:
        """Until the health check passes; a node that exits or takes too long is a failure."""
        timeout = float(self.vars.get("timeout", 60))
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if self.pid() is None or time.monotonic() > deadline:
                why = "exited" if self.pid() is None else f"not healthy after {timeout:.0f} s"
                self.stop(quiet=True)
                tail = "".join(self.logfile.read_text(errors="replace").splitlines(True)[-30:])
                raise Failed(f"{self.name}: {why}; the end of {self.logfile}:\n{tail}")
            time.sleep(0.5)

    def after_start(self) -> None:
        for step in self.fmt(self.spec.get("after_start", [])):
            ok, output = probe(step)
            if not ok:
                raise Failed(f"{self.name}: {shlex.join(step['run'])} failed:\n{output}")

    def stop(self, quiet: bool = False) -> None:
        pid = self.pid()
        if pid is None:
            if self.pidfile.exists():
                self.clean_stale()
            elif not quiet:
                log(f"{self.name}: not running")
            return
        log(f"{self.name}: stopping (pid {pid})")
        stop_group(pid, signal.Signals[self.spec.get("stop_signal", "SIGTERM")], self.name)
        self.pidfile.unlink(missing_ok=True)


def ensure_user(user: str) -> None:
    try:
        pwd.getpwnam(user)
    except KeyError:
        log(f"creating system user {user} (the search engines refuse to run as root)")
        run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                user,
            ]
        )


def java_major(home: str) -> int:
    """The major version of the Java in ``home`` (0: none)."""
    try:
        out = subprocess.run([f"{home}/bin/java", "-version"], capture_output=True, text=True)
    except OSError:
        return 0
    found = re.search(r'version "(?:1\.)?(\d+)', out.stderr)
    return int(found[1]) if found else 0


def find_java(minimum: int, name: str) -> str:
    """$MHA_JAVA_HOME, else the `java` on PATH, else the oldest JDK under /usr/lib/jvm that
    is at least Java ``minimum`` (OpenSearch 3 and Elasticsearch 9 need 21+: a second JDK
    such as Temurin 25 beside Debian's 17)."""
    if os.environ.get("MHA_JAVA_HOME"):
        home = os.environ["MHA_JAVA_HOME"]
        major = java_major(home)
        if not major:
            raise Failed(f"{name}: no usable Java in {home} (MHA_JAVA_HOME)")
        if major < minimum:
            raise Failed(f"{name} needs Java {minimum}+, {home} is Java {major} (MHA_JAVA_HOME)")
        return home
    java = shutil.which("java")
    homes = [str(Path(java).resolve().parents[1])] if java else []
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        homes += sorted(str(p) for p in jvm.iterdir() if p.is_dir() and not p.is_symlink())
    found = sorted((java_major(h), h) for h in homes)
    for major, home in found:
        if major >= minimum:
            return home
    have = ", ".join(f"{h} (Java {m})" for m, h in found if m) or "none"
    raise Failed(f"{name} needs Java {minimum}+; found {have} (MHA_JAVA_HOME, {INSTALL})")


def maven(coordinates: str) -> Path:
    """group:artifact:version:type from Maven Central into the download cache, once."""
    _, artifact, version, kind = coordinates.split(":")
    target = CACHE / "downloads" / f"{artifact}-{version}.{kind}"
    if target.is_file() and target.stat().st_size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log(f"downloading {coordinates} from Maven Central")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".mvn.") as tmp:
        # Run outside any project, so that mvn uses its standalone pom.
        run(
            [
                "mvn",
                "-B",
                "-q",
                "-Dstyle.color=never",
                "dependency:copy",
                f"-Dartifact={coordinates}",
                f"-DoutputDirectory={tmp}",
            ],
            cwd=tmp,
        )
        (Path(tmp) / target.name).replace(target)
    return target


def add_module(dist: Path, module: dict) -> None:
    """A module published as a plain jar, installed beside the shipped ones."""
    directory = dist / "modules" / module["name"]
    if not (directory / "plugin-descriptor.properties").exists():
        log(f"adding module {module['name']} to {dist}")
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(mode=0o755)
        shutil.copy(maven(module["maven"]), tmp)
        (tmp / "plugin-descriptor.properties").write_text(module["descriptor"].lstrip())
        tmp.rename(directory)


def go_build(module: str, version: str) -> Path:
    """A Go command built once per version into the download cache (CGO off: one file)."""
    binary = CACHE / "bin" / f"{module.rsplit('/', 1)[1]}-{version}"
    if binary.exists():
        return binary
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if not os.access(go, os.X_OK):
        raise Failed(f"building {module} needs the Go toolchain (go >= 1.25 on PATH)")
    binary.parent.mkdir(parents=True, exist_ok=True)
    log(f"building {module}@{version} (once; a few minutes cold)")
    with tempfile.TemporaryDirectory(dir=binary.parent, prefix=".build.") as tmp:
        env = {**os.environ, "GOBIN": tmp, "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"}
        run([go, "install", f"{module}@{version}"], env=env)
        (Path(tmp) / module.rsplit("/", 1)[1]).replace(binary)
    return binary


def up(services: list[Service]) -> None:
    """Start what is not running, all at once, then wait for each to be healthy."""
    running = {s.name for s in services if s.pid() is not None}
    for service in services:
        if service.name not in running:
            if service.pidfile.exists():
                service.clean_stale()
            service.check_ports()
            service.prepare()
            service.spawn()
    for service in services:
        service.wait()
        service.after_start()
        log(f"{service.name}: {'already ' if service.name in running else ''}up at {service.url}")


def resolve(names: list[str]) -> list[Service]:
    """Services by name: a group stands for its members, a service of ``nodes`` for each
    node, and ``<name>-<n>`` for node n alone."""
    services: list[Service] = []
    for name in names:
        if name in GROUPS:
            known = {s.name for s in services}
            services += [s for s in resolve(GROUPS[name]) if s.name not in known]
            continue
        base, _, node = name.rpartition("-")
        if name not in TABLE and node.isdigit() and "nodes" in TABLE.get(base, {}):
            services.append(Service(base, TABLE[base], int(node)))
        elif "nodes" in TABLE[name]:
            count = int(TABLE[name]["nodes"])
            services += [Service(name, TABLE[name], i + 1) for i in range(count)]
        else:
            services.append(Service(name, TABLE[name]))
    return services


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("up", "down", "status", "env"):
        print(__doc__, file=sys.stderr)
        return 2
    verb = argv[0]
    names = argv[1:] or [n for n, spec in TABLE.items() if spec.get("default", True)]
    try:
        services = resolve(names)
    except KeyError as error:
        log(f"unknown service {error} (known: {' '.join([*TABLE, *GROUPS])})")
        return 2
    if verb == "down":
        services.reverse()  # the web server before the app, the app before its database
    try:
        if verb in ("up", "down"):
            STATE.mkdir(parents=True, exist_ok=True)
            STATE.chmod(0o755)  # the services' own users reach their directories through it
            (STATE / ".gitignore").write_text("*\n")
            with open(STATE / ".lock", "w") as lock:  # one up/down at a time per state dir
                fcntl.flock(lock, fcntl.LOCK_EX)
                up(services) if verb == "up" else [s.stop() for s in services]
        for service in services:
            if verb == "status":
                print(f"{service.name:<14} {'up' if service.is_up() else 'down':<5} {service.url}")
            elif verb == "env" and service.is_up():
                for key, value in service.fmt(service.spec.get("env", {})).items():
                    print(f"export {key}={shlex.quote(value)}")
    except Failed as error:
        log(f"error: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
