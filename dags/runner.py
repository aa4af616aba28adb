"""``sohoa run``: the digitize_batch DAG run in-process on the embedded default (``dag.test()``).

Embedded default: SQLite metadata database under a project-local AIRFLOW_HOME, local storage, no
services; OpenLineage events go to a JSON-lines file there. Registered into the ``sohoa`` command
line through the ``sohoa.commands`` entry point, so that ``sohoa/`` itself never imports Airflow.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def embedded_environment(home: Path | None = None) -> dict[str, str]:
    """Environment variables of the embedded default (those already set by the user win)."""
    home = Path(os.environ.get("AIRFLOW_HOME") or home or REPO / ".airflow")
    lineage = home / "lineage" / "events.jsonl"
    key = fernet_key(home)
    return {
        **({"AIRFLOW__CORE__FERNET_KEY": key} if key else {}),
        # one LocalExecutor worker per core (each task of the pipeline uses a core, OCR one pool per task):
        # Airflow's default of 32 starts 32 worker processes at once, 4.5 GB on a laptop
        "AIRFLOW__CORE__PARALLELISM": str(max(2, len(os.sched_getaffinity(0)))),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
            {"type": "file", "log_file_path": str(lineage), "append": True}),
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "sohoa",
        # a task's lineage events are written from a thread of its process, not from a fork of it: under
        # dag.test() that process is the whole run's, and forking it twice per task cost a quarter of a second
        "AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD": "True",
        # `sohoa airflow`'s task supervisors look at their task every second, not 5 (scripts/scale-out.env says why)
        "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
        "SOHOA_WORK_DIR": str(home.parent / ".sohoa-work") if home == REPO / ".airflow" else str(home / "work"),
    }


def private_file(path: Path, content: bytes | None = None) -> Path:
    """``path`` readable by its owner only (0600), written with ``content`` when it does not exist yet: created
    with that mode, never readable by others for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if content is not None and not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
    if path.exists():
        path.chmod(0o600)
    return path


def fernet_key(home: Path) -> str:
    """The key Airflow encrypts connections and variables with in the metadata database: the one the user gave
    (environment, or a non-empty ``fernet_key`` in airflow.cfg: then ""), else ``AIRFLOW_HOME/fernet.key``,
    generated on first use (0600). Without one, Airflow stores them in clear."""
    import configparser

    if any(os.environ.get(f"AIRFLOW__CORE__FERNET_KEY{suffix}") for suffix in ("", "_CMD", "_SECRET")):
        return ""
    config = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        config.read(os.environ.get("AIRFLOW_CONFIG") or home / "airflow.cfg", encoding="utf-8")
    except configparser.Error:
        pass
    if config.get("core", "fernet_key", fallback="").strip() or config.get("core", "fernet_key_cmd", fallback=""):
        return ""
    from cryptography.fernet import Fernet

    return private_file(home / "fernet.key", Fernet.generate_key()).read_text().strip()


def prepare_airflow() -> None:
    """Set the embedded default environment and migrate its database (fast when already current)."""
    for key, value in embedded_environment().items():
        os.environ.setdefault(key, value)
    home = Path(os.environ["AIRFLOW_HOME"])
    (home / "lineage").mkdir(parents=True, exist_ok=True)
    marker = home / ".sohoa-db-migrated"
    import airflow

    if not (marker.exists() and marker.read_text() == airflow.__version__):
        proc = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], capture_output=True, text=True,
                              check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed: {proc.stderr.strip()[-2000:]}")
        marker.write_text(airflow.__version__)
    ensure_local_signing(home)
    from operators.campaign import ensure_pool

    ensure_pool()


def ensure_local_signing(home: Path) -> None:
    """The embedded default signs with a self-signed local certificate kept in AIRFLOW_HOME/signing, stored as
    the connection ``sohoa_signing`` when no such connection exists (one set in the UI, the environment or a
    secrets backend is left alone)."""
    from operators.dossier import SIGNING_CONN_ID

    if os.environ.get(f"AIRFLOW_CONN_{SIGNING_CONN_ID.upper()}"):
        return
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session

    from sohoa.sign import LOCAL_SIGNER_NOTE, local_identity

    with create_session() as session:
        if (found := session.query(Connection).filter_by(conn_id=SIGNING_CONN_ID).first()) is not None:
            if found.extra and not found.is_extra_encrypted:  # stored before the home had a Fernet key
                found.set_extra(found.extra)
            return
        key, cert = local_identity(home / "signing")
        session.add(Connection(conn_id=SIGNING_CONN_ID, conn_type="generic",
                               description=f"{LOCAL_SIGNER_NOTE}: replace it with the agency's key and certificate",
                               extra=json.dumps({"key_file": str(key), "certificate_file": str(cert)})))


def run_batch(batch_uri: str, output_uri: str, batch_id: str = "", campaign: str = "", package_type: str = "SIP_hoso",
              archive_code: str = "", failures: list[str] | None = None) -> tuple[str, dict | None]:
    """Run digitize_batch once; returns the final DAG run state and the report (if one was delivered).
    ``failures`` gets each failed task's error, the first first (from the audit trail)."""
    gc.disable()  # importing Airflow and the DAG makes next to no garbage: ten full collections there cost a second
    try:
        prepare_airflow()
        from dags.digitize_batch import dag
        from operators.base import s3_client
        from sohoa.pipeline import default_batch_id
        from sohoa.storage import storage_for
    finally:
        gc.enable()

    batch_id = batch_id or default_batch_id(batch_uri)
    _log_to_file(batch_id)
    from sohoa.campaign.progress import to_terminal

    to_terminal()  # pages done per stage, on stderr
    conf = {"batch_uri": batch_uri, "output_uri": output_uri, "batch_id": batch_id, "campaign": campaign,
            "package_type": package_type, "archive_code": archive_code}
    # Airflow's objects live as long as the run: frozen, the run's full collections need not walk them, and those
    # wait for 100 younger collections instead of 10 (building the execution API made six of them, a second in all)
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], 100)
    try:
        dag_run = dag.test(run_conf=conf)
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
    state = str(getattr(dag_run, "state", "unknown"))
    if failures is not None:
        failures += _failures(str(getattr(dag_run, "run_id", "")))
    data = storage_for(output_uri, s3_client(output_uri, "aws_default")).read_bytes(f"{batch_id}/report.json")
    return state, json.loads(data) if data is not None else None


def _failures(run_id: str) -> list[str]:
    """``<task>: <error>`` of every task of the run that failed, in the order they failed (audit trail)."""
    from plugins.sohoa_audit import audit_log

    try:
        lines = audit_log().read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        entry = json.loads(line)
        if entry.get("run_id") == run_id and entry.get("state") == "failed" and entry.get("error"):
            found.append(f"{entry['task_id']}: {entry['error']}")
    return found


def summary(report: dict[str, Any], where: str) -> str:
    counts = report["counts"]
    pages = ", ".join(f"{n} {s}" for s, n in sorted(counts["pages"].items()))
    dossiers = ", ".join(f"{n} {s}" for s, n in sorted(counts["dossiers"].items()))
    lines = [f"batch {report['batch_id']}: {len(report['dossiers'])} dossier(s) ({dossiers}), "
             f"{counts['documents']} document(s), {len(report['pages'])} page(s) ({pages})",
             f"quality: {report['quality']['expectations']} expectations, {report['quality']['failed']} failed",
             f"report:   {where}/report.json", f"packages: {where}/packages"]
    for d in report["dossiers"]:
        rescan = f", {len(d['rescan'])} to scan again" if d.get("rescan") else ""  # too coarse to deliver
        lines.append(f"  {d['dossier_code']}: {d['status']}, {len(d['documents'])} document(s){rescan}"
                     + (f" ({d['reason']})" if d.get("reason") else ""))
    held = [d for d in report["dossiers"] if d["status"] == "review"]
    if held:
        waiting = sum(doc["needs_review"] for d in held for doc in d["documents"])
        docs = f", {waiting} document(s) with metadata to check" if waiting else ""
        lines += [f"review:   {len(held)} dossier(s) held for an archivist (kiểm duyệt){docs}: a review_dossier "
                  "run was queued for each;",
                  "          answer them under Required Actions after `make airflow` (http://localhost:8080), or",
                  f"          .venv/bin/sohoa review {where} --export review.xlsx, fill it in, then "
                  "--import review.xlsx --by NAME"]
    return "\n".join(lines)


def _log_path(batch_id: str) -> Path:
    return Path(os.environ["AIRFLOW_HOME"]) / "logs" / f"sohoa-run-{batch_id}.log"


def _log_to_file(batch_id: str) -> None:
    """sohoa's own log lines (states, reasons, documents found) of this run, kept in AIRFLOW_HOME/logs."""
    path = _log_path(batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("sohoa")
    logger.disabled = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)


def _command(args: argparse.Namespace) -> int:
    from sohoa.ingest import BatchError, scan_batch
    from sohoa.pipeline import default_batch_id
    from sohoa.storage import StorageError, storage_for

    if not args.verbose:  # the task logs stay in AIRFLOW_HOME/logs; print only warnings and the summary
        os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    if args.package_type == "AIP_hoso" and not args.archive_code.strip():
        print("sohoa: --package-type AIP_hoso needs --archive-code (mã cơ quan lưu trữ).", file=sys.stderr)
        return 2
    batch = args.batch
    try:
        if "://" in batch:
            prepare_airflow()  # first: Airflow reads its configuration once, at its first import
            from operators.base import s3_client  # the S3Hook reads its connection from Airflow

            storage_for(batch, s3_client(batch, "aws_default")).probe()
        else:
            scan_batch(Path(batch), "check")
            batch = str(Path(batch).resolve())
    except BatchError as exc:
        print(f"sohoa: {exc}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"sohoa: the batch cannot be read: {exc}.", file=sys.stderr)
        return 2
    out = args.out if "://" in args.out else str(Path(args.out).resolve())
    batch_id = args.batch_id or default_batch_id(batch)
    failures: list[str] = []
    state, report = run_batch(batch, out, batch_id, args.campaign, args.package_type, args.archive_code, failures)
    if report is None:
        why = f": {failures[0]}" if failures else "; see the log above"
        print(f"sohoa: the batch could not be processed (DAG run {state}){why}", file=sys.stderr)
        return 1
    where = f"{out.rstrip('/')}/{batch_id}"
    print(summary(report, where))
    print(f"log:      {_log_path(batch_id)}")
    gc.freeze()  # the process ends here: its exit need not collect Airflow's and GX's objects (3 s of full collections)
    return 0


def _standalone(args: argparse.Namespace) -> int:
    """``airflow standalone`` on the embedded default, with the project's DAGs and plugins."""
    prepare_airflow()
    ensure_passwords()
    # standalone starts its components as `airflow ...` processes: they must be this venv's
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return supervise([sys.executable, "-m", "airflow", "standalone"])


def ensure_passwords() -> Path:
    """The simple auth manager's generated passwords, made here on first use, readable by their owner only
    (0600; Airflow would write them readable by all and print them); a file Airflow made before is made 0600."""
    import secrets

    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager
    from airflow.configuration import conf

    users = [entry.split(":")[0] for entry in conf.getlist("core", "simple_auth_manager_users")]
    passwords = {user: secrets.token_urlsafe(12) for user in users if user}
    return private_file(Path(SimpleAuthManager.get_generated_password_file()),
                        (json.dumps(passwords) + "\n").encode())


def supervise(command: list[str], grace: float = 30.0) -> int:
    """Run ``command`` (airflow standalone) until it ends or this process is told to stop (SIGINT: Ctrl-C or
    make's interrupt; SIGTERM; SIGHUP); then stop it (SIGINT: its orderly shutdown) and every process below it
    (SIGTERM): api-server, scheduler, dag-processor, triggerer, the LocalExecutor workers and the tasks they run,
    which Airflow puts in process groups of their own, out of reach of a signal to the group. This process is
    made their subreaper, so that none escapes by being orphaned; what is left after ``grace`` seconds is
    killed. Returns the command's exit status (128 + the signal when told to stop)."""
    import ctypes
    import signal
    import time

    ctypes.CDLL(None, use_errno=True).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
    told: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: told.append(signum))
    # SIGINT to it should this process die without stopping it (killed with SIGKILL): its orderly shutdown
    child = subprocess.Popen(command, start_new_session=True,
                             preexec_fn=lambda: ctypes.CDLL(None).prctl(1, signal.SIGINT))  # PR_SET_PDEATHSIG
    while child.poll() is None and not told:
        time.sleep(0.2)
    if child.poll() is None:
        child.send_signal(signal.SIGINT)
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 15.0)):
        for pid in _descendants():
            if pid != child.pid or sig == signal.SIGKILL:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + wait
        while _descendants() and time.monotonic() < deadline:
            time.sleep(0.2)
    child.wait()
    return 128 + told[0] if told else child.returncode


def _descendants() -> list[int]:
    """Every live process below this one."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [os.getpid()]
    while todo:
        for pid in children.get(todo.pop(), []):
            found.append(pid)
            todo.append(pid)
    return found


def _connections_to_environment(*conn_ids: str) -> None:
    """Outside a task, Airflow's SDK finds connections only in the environment or a secrets backend, not in the
    metadata database where the UI and ``prepare_airflow`` keep them: hand this process those it needs."""
    from airflow.exceptions import AirflowNotFoundException
    from airflow.models.connection import Connection

    for conn_id in conn_ids:
        if f"AIRFLOW_CONN_{conn_id.upper()}" in os.environ:
            continue
        try:
            os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = Connection.get_connection_from_secrets(conn_id).as_json()
        except AirflowNotFoundException:
            pass  # signing_identity and S3Hook say what its absence means


def _review(args: argparse.Namespace) -> int:
    """``sohoa review <output>/<batch_id> --export FILE.xlsx`` or ``--import FILE.xlsx --by NAME``."""
    from sohoa.review import ReviewError
    from sohoa.review_sheet import export, import_sheet
    from sohoa.workspace import BatchWork

    if bool(args.export) == bool(args.import_):
        print("sohoa review: give one of --export FILE.xlsx or --import FILE.xlsx --by NAME.", file=sys.stderr)
        return 2
    prepare_airflow()  # the signing key and S3 connections are Airflow's
    from operators.base import s3_client
    from operators.dossier import SIGNING_CONN_ID, signing_identity

    _connections_to_environment(SIGNING_CONN_ID, "aws_default")
    from operators.review import base_url, close_forms
    from sohoa.pipeline import run_release, work_root
    from sohoa.storage import storage_for

    target = args.delivered.rstrip("/")
    output, _, batch_id = target.rpartition("/")
    output = output if "://" in output else str(Path(output or ".").resolve())
    raw = storage_for(output, s3_client(output, "aws_default")).read_bytes(f"{batch_id}/report.json")
    if raw is None:
        print(f"sohoa review: {target}/report.json does not exist: give <output>/<batch_id> of a run.",
              file=sys.stderr)
        return 2
    work = BatchWork(Path(json.loads(raw).get("work") or work_root() / batch_id))
    from operators.workarea import mirrored
    from sohoa.storage.mirror import EVERYTHING, Scope

    # with the work area on S3, this machine's scratch copy: the descriptions to export, the whole batch to release
    with mirrored(str(work.root), Scope(whole_dossiers=False) if args.export else EVERYTHING,
                  writes=not args.export, locked=not args.export):
        if not work.batch_json.exists():
            print(f"sohoa review: the work area {work.root} of batch {batch_id} is gone (a re-run of the batch "
                  "or a cleaned SOHOA_WORK_DIR): run the batch again.", file=sys.stderr)
            return 2
        if args.export:
            rows = export(work, Path(args.export), base_url() or "http://localhost:8080")
            print(f"{rows} row(s) to review written to {args.export}")
            return 0
        try:
            outcomes = import_sheet(work, Path(args.import_), args.by or "")
        except ReviewError as exc:
            print("sohoa review: nothing applied:", *(f"  {p}" for p in exc.problems), sep="\n", file=sys.stderr)
            return 2
        signing = signing_identity(SIGNING_CONN_ID, logging.getLogger("sohoa.review"))
        for code, outcome in outcomes.items():
            result = run_release(str(work.root), code, output, signing, s3_client(output, "aws_default"))
            status = "still held (see report.json)" if code in result["held"] else outcome
            closed = close_forms(str(work.root), code, args.by)
            print(f"  {code}: {status}" + (f"; its {len(closed)} open form(s) under Required Actions answered so"
                                            if closed else ""))
        if outcomes:
            from operators.campaign import record_batch

            record_batch(str(work.root), output)  # the campaign store sees the review
    print(f"report:   {target}/report.json")
    return 0


def register(subparsers: Any) -> None:
    run = subparsers.add_parser("run", help="run the digitize_batch DAG on one batch (embedded Airflow)")
    run.add_argument("batch", help="batch folder (or s3://bucket/prefix)")
    run.add_argument("--out", required=True, help="output folder (or s3://bucket/prefix)")
    run.add_argument("--batch-id", default="", help="output sub-folder name (default: the batch folder's name)")
    run.add_argument("--campaign", default="", help="campaign name recorded in the report")
    run.add_argument("--package-type", default="SIP_hoso", choices=["SIP_hoso", "AIP_hoso"],
                     help="package of every dossier: SIP_hoso (default) or AIP_hoso (with PREMIS)")
    run.add_argument("--archive-code", default="", help="mã cơ quan lưu trữ (needed by AIP_hoso)")
    run.set_defaults(func=_command)
    review = subparsers.add_parser("review", help="review held dossiers from a spreadsheet (export, then import)")
    review.add_argument("delivered", help="<output>/<batch_id> of a run (the folder holding its report.json)")
    review.add_argument("--export", metavar="FILE.xlsx", help="write every pending document and dossier form")
    review.add_argument("--import", dest="import_", metavar="FILE.xlsx", help="apply a filled-in sheet")
    review.add_argument("--by", help="the archivist's name, recorded with every change (with --import)")
    review.set_defaults(func=_review)
    standalone = subparsers.add_parser("airflow", help="start Airflow (UI, scheduler) with the project's DAGs")
    standalone.set_defaults(func=_standalone)
