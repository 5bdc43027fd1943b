"""What the program exposes: network listeners of the local cluster, HTML and terminal output of names."""
from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import pytest


def _proc_listeners(pids: set[int]) -> set[tuple[int, str, int]]:
    """(pid, address, port) of listening TCP sockets of ``pids``, from /proc (no psutil)."""
    inodes: dict[str, int] = {}
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes[target[8:-1]] = pid
        except OSError:
            continue
    found = set()
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: TCP_LISTEN
                continue
            hex_ip, hex_port = local.split(":")
            raw = bytes.fromhex(hex_ip)
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, size, 4))  # each 32-bit word is host-endian
            found.add((inodes[inode], str(ipaddress.ip_address(raw)), int(hex_port, 16)))
    return found


def listening_sockets() -> set[tuple[int, str, int]]:
    """(pid, address, port) of every listening TCP socket of this process and its descendants."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is None:
        return _proc_listeners(_descendants(os.getpid()))
    me = psutil.Process()
    found = set()
    for proc in [me] + me.children(recursive=True):
        try:
            connections = proc.net_connections(kind="inet")
        except psutil.Error:
            continue
        found |= {(proc.pid, c.laddr.ip, c.laddr.port) for c in connections if c.status == psutil.CONN_LISTEN}
    return found


def _descendants(root: int) -> set[int]:
    parents = {}
    for pid in os.listdir("/proc"):
        try:
            parents[int(pid)] = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in found]
        found.update(children)
        frontier.extend(children)
    return found


def _loopback(address: str) -> bool:
    return ipaddress.ip_address(address.split("%")[0]).is_loopback


def test_the_local_cluster_listens_on_loopback_only():
    """Scheduler, nannies, workers (and a dashboard, if any) of sim's own cluster bind to 127.0.0.1."""
    from sim.cluster import connect

    before = listening_sockets()
    with connect(None, 1) as client:
        client.run(os.getpid)  # the worker is up and connected
        opened = listening_sockets() - before
    assert opened, "found no listening socket of the cluster: the check itself is broken"
    exposed = sorted(s for s in opened if not _loopback(s[1]))
    assert not exposed, f"listening on a non-loopback address (pid, address, port): {exposed}"


def test_the_proc_parser_agrees_with_psutil():
    """The fallback without psutil finds the same sockets (so it is an honest fallback)."""
    import socket

    psutil = pytest.importorskip("psutil")
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        mine = _proc_listeners({os.getpid()})
        assert (os.getpid(), "127.0.0.1", port) in mine
        assert mine <= {(os.getpid(), c.laddr.ip, c.laddr.port)
                                     for c in psutil.Process().net_connections(kind="inet")}


NAMES = ("$x^2$", "a$b\\frac$", "<b>bold</b>", "esc\x1b[2Jred")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A finished two-run store of scenarios whose names are mathtext, HTML and terminal escapes."""
    from sim.batch import run_batch
    from sim.scenario import load_scenario

    folder = tmp_path_factory.mktemp("hostile")
    scenarios = []
    for k, name in enumerate(NAMES):
        path = folder / f"s{k}.toml"
        toml_name = name.replace("\\", "\\\\").replace("\x1b", "\\u001b")
        path.write_text(f'[scenario]\nname = "{toml_name}"\nstart_year = 2020\nend_year = 2031\nscale = 0.01\n')
        scenarios.append(load_scenario(path))
    assert [s.name for s in scenarios] == list(NAMES)
    store = folder / "h.zarr"
    ds = run_batch(scenarios, 2, seed=1, store=store, workers=1)
    return folder, store, ds


def test_report_escapes_every_attribute(hostile, tmp_path):
    from sim.html_report import write_report

    _, _, ds = hostile
    ds = ds.copy()
    ds.attrs.update(seed="<script>alert('seed')</script>", sampler="<img src=x onerror=alert(1)>",
                    title="<i>t</i>", history="<script>h</script>")
    page = write_report(ds, tmp_path / "r.html").read_text()
    for raw in ("<script>", "<img src=x", "<i>t</i>", "<b>bold</b>"):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(&#x27;seed&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_names_are_plotted_as_plain_text(hostile, tmp_path, monkeypatch):
    """Mathtext in a name neither crashes the report nor is typeset: no text is parsed as math."""
    import matplotlib.text

    from sim.html_report import write_report
    from sim.report import plot_net_emissions

    _, _, ds = hostile
    drawn = []
    original = matplotlib.text.Text.draw

    def draw(self, renderer):
        drawn.append((self.get_text(), self._parse_math, self.get_usetex()))
        return original(self, renderer)

    monkeypatch.setattr(matplotlib.text.Text, "draw", draw)
    write_report(ds, tmp_path / "r.html")
    plot_net_emissions(ds, tmp_path / "r.png")
    named = [d for d in drawn if "$" in d[0]]
    assert named, "no scenario name was drawn: the check itself is broken"
    assert all(not parse and not usetex for _, parse, usetex in named), named


def test_summaries_show_control_characters_as_escapes(hostile, capsys):
    from sim.cli import main
    from sim.summary import format_table

    _, store, ds = hostile
    assert "\x1b" not in format_table(ds) and "esc\\x1b[2Jred" in format_table(ds)
    assert main(["summary", str(store)]) == 0
    out = capsys.readouterr()
    assert "\x1b" not in out.out + out.err and "esc\\x1b[2Jred" in out.out
