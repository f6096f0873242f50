"""The `peyvand` command: run the app and its worker, and the management tasks around them."""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from peyvand.serve import Child, Supervisor

DEFAULT_ADMIN = "admin"
# The language active before a command switched to the terminal's, to put back afterwards
# (the commands also run in-process, from tests).
_previous_language: list[str | None] = []


def terminal_language(environ: Any = os.environ) -> str:
    """Persian when the terminal's locale is (``fa_IR.UTF-8``), English otherwise.

    The first of LC_ALL, LC_MESSAGES and LANG that is set decides, as for every program.
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "fa" if value.lower().startswith("fa") else "en"
    return "en"


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")
    import django
    from django.utils import translation

    django.setup()
    freeze_start_up()
    # The messages the services write (a refused username, a row's problem) in the terminal's
    # language, not the site's default.
    _previous_language.append(translation.get_language())
    translation.activate(terminal_language())


def freeze_start_up() -> None:
    """Keep what starting Django made (modules, models, the analytics' libraries: a few hundred
    thousand objects) out of the garbage collector's full passes: a 100k-row import spent a
    second of its 18 s of CPU walking them again and again."""
    gc.freeze()


def _restore_language() -> None:
    from django.utils import translation

    while _previous_language:
        previous = _previous_language.pop()
        if previous:
            translation.activate(previous)
        else:
            translation.deactivate()


def _out(message: str = "") -> None:
    print(message, flush=True)


# --- set-up -------------------------------------------------------------------------------


def compile_messages() -> int:
    """Compile the .po catalogues to .mo with polib, so no GNU gettext is needed to run."""
    import polib
    from django.conf import settings

    compiled = 0
    for locale_dir in settings.LOCALE_PATHS:
        for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                compiled += 1
    return compiled


def cmd_setup(args: argparse.Namespace) -> int:
    """Everything `make run` needs before serving: database, translations, assets, demo, admin."""
    _django()
    from django.conf import settings
    from django.core.management import call_command

    from peyvand.assets import copy_vendor_files
    from peyvand.core.models import Role, User
    from peyvand.core.services.site import site_flag
    from peyvand.core.services.users import user_create

    call_command("migrate", interactive=False, verbosity=0)
    _out("✓ database migrated")
    compile_messages()
    if (Path(settings.PROJECT_DIR) / "node_modules").exists():
        copy_vendor_files()
    call_command("collectstatic", interactive=False, verbosity=0)
    _out("✓ translations and static files ready")
    if not args.no_demo and not site_flag("demo_loaded"):
        from peyvand.demo import load_demo

        result = load_demo(stdout=sys.stdout)
        _out(
            f"✓ demo data loaded: {result.people} people, {result.organisations} organisations, "
            f"{result.interactions} interactions"
        )
    admins = list(User.objects.filter(role=Role.ADMIN, is_active=True).values_list("username", flat=True))
    if not admins:
        user, password = user_create(username=DEFAULT_ADMIN, role=Role.ADMIN)
        args.login_banner = f"  user:     {user.username}\n  password: {password}   (shown only this once)"
    else:
        args.login_banner = (
            f"  user:     {admins[0]}  (password set earlier; forgot it? "
            f"run: .venv/bin/peyvand password {admins[0]})"
        )
    if not getattr(args, "quiet_banner", False):
        _out(f"\nLog in as an administrator:\n{args.login_banner}\n")
    return 0


# --- serving ------------------------------------------------------------------------------


def _executable(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def cmd_run(args: argparse.Namespace) -> int:
    """Serve the web app with Granian and run the background worker beside it, restarting
    either when it dies; with ``--setup``, prepare everything first and print how to log in
    last, once the site answers."""
    if args.setup:
        args.quiet_banner = True
        cmd_setup(args)
    host = args.host or os.environ.get("HOST", "127.0.0.1")
    port = str(args.port or os.environ.get("PORT", "8000"))
    workers = str(args.workers or os.environ.get("WEB_WORKERS", "2"))
    # Threads per process for blocking Django views: Granian's guidance of at most twice the
    # cores plus one, and no more than 8.
    threads = os.environ.get("WEB_THREADS") or str(min(8, 2 * (os.cpu_count() or 1) + 1))
    # Connections held per process, far above the threads: a connection that sends nothing
    # must not take the place of a real request. Plain HTTP/1 (a reverse proxy speaks it) so
    # the header timeout runs from the moment a connection opens and idle ones are closed.
    connections = os.environ.get("WEB_CONNECTIONS", "512")
    header_timeout_ms = str(int(float(os.environ.get("WEB_HEADER_TIMEOUT_SECONDS", "10")) * 1000))
    web = [
        _executable("granian"),
        *("--interface", "wsgi", "--http", "1", "--no-ws", "--log-level", "warning"),
        *("--host", host, "--port", port),
        *("--workers", workers, "--blocking-threads", threads, "--respawn-failed-workers"),
        *("--backpressure", connections, "--backlog", "2048"),
        *("--http1-header-read-timeout", header_timeout_ms),
        "peyvand.wsgi:application",
    ]
    worker = [sys.executable, "-m", "peyvand.cli", "worker", *(["--verbose"] if args.verbose else [])]
    supervisor = Supervisor([Child("web server", web), Child("worker", worker)], say=_out)
    supervisor.start()
    supervisor.watch(until=lambda: _answers(host, int(port)))
    if not supervisor.stopping:
        _out(f"\nPeyvand is running at http://{host}:{port}/ (press Ctrl+C to stop)")
        if getattr(args, "login_banner", ""):
            _out(f"\nLog in as an administrator:\n{args.login_banner}\n")
    supervisor.watch()
    _out("Stopping…")
    supervisor.stop()
    return 0


def _answers(host: str, port: int) -> bool:
    """Whether the site answers an HTTP request yet: Granian accepts connections before its
    workers have loaded Django, and the first page must not keep the user waiting."""
    import http.client

    connection = http.client.HTTPConnection(host, port, timeout=2)
    try:
        connection.request("GET", "/login/")
        return connection.getresponse().status < 500
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def cmd_backup(args: argparse.Namespace) -> int:
    """Write the database and the data directory's files into one archive, with a manifest."""
    _django()
    from django.utils import timezone

    from peyvand.core.backup import BackupError, backup

    destination = Path(args.file or f"peyvand-backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz")
    try:
        summary = backup(destination)
    except BackupError as exc:
        raise SystemExit(str(exc)) from None
    _out(f"Backed up {summary.tables} tables ({summary.rows:,} rows) and {summary.files} files")
    _out(f"  to {destination}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore an archive of ``peyvand backup`` into this empty installation and check it."""
    _django()
    from peyvand.core.backup import BackupError, restore

    try:
        summary = restore(Path(args.file))
    except BackupError as exc:
        raise SystemExit(str(exc)) from None
    _out(
        f"Restored and checked {summary.tables} tables ({summary.rows:,} rows) and {summary.files} files; "
        "run `peyvand setup --no-demo` before serving if the backup is of an older version."
    )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import call_command

    # Quiet at INFO: a line per task would bury what ``peyvand run`` prints for people.
    call_command("run_huey", workers=args.workers, verbose=None if args.verbose else False)
    return 0


# --- management ---------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    _django()
    from peyvand.core.services.site import site_flag
    from peyvand.demo import load_demo

    if site_flag("demo_loaded") and not args.force:
        _out("The demo data is already loaded (use --force to load it again).")
        return 0
    result = load_demo(seed=args.seed, size=args.size, force=args.force, stdout=sys.stdout)
    _out(
        f"Loaded {result.people} people, {result.organisations} organisations, "
        f"{result.interactions} interactions."
    )
    return 0


def _user(username: str) -> Any:
    from peyvand.core.models import User

    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        raise SystemExit(f"No user named {username!r}.")
    return user


def cmd_createadmin(args: argparse.Namespace) -> int:
    _django()
    from django.core.exceptions import ValidationError

    from peyvand.core.models import Role
    from peyvand.core.services.users import user_create

    try:
        user, password = user_create(username=args.username, role=Role.ADMIN)
    except ValidationError as exc:
        raise SystemExit("; ".join(exc.messages)) from None
    _out(f"Administrator {user.username} created. Password (shown only this once): {password}")
    return 0


def cmd_password(args: argparse.Namespace) -> int:
    _django()
    from peyvand.core.services.users import user_set_password

    user = _user(args.username)
    password = user_set_password(user=user)
    _out(f"New password for {user.username} (shown only this once): {password}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    _django()
    from peyvand.core.services.tokens import api_token_create

    user = _user(args.username)
    _token, key = api_token_create(user=user, name=args.name)
    _out(key)
    return 0


def cmd_assets(args: argparse.Namespace) -> int:
    _django()
    from peyvand.assets import copy_vendor_files

    _out(f"{copy_vendor_files()} front-end file(s) copied")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import a CSV or XLSX file of people, organisations, products or past orders, showing
    progress as it goes; or carry on with an import whose worker died."""
    _django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from peyvand.core.converters import is_id
    from peyvand.customers import importer
    from peyvand.customers.importer import engine
    from peyvand.customers.models import ImportJob

    if args.what == "resume":
        if not is_id(args.file) or not ImportJob.objects.filter(pk=int(args.file)).exists():
            raise SystemExit(f"There is no import number {args.file!r} to resume.")
        job = _resume(int(args.file))
        _out(_import_summary(job))
        return 0 if job.status == "done" else 1
    user = _user(args.as_user)
    path = Path(args.file)
    if not path.is_file():
        raise SystemExit(f"No file at {path}.")
    kind = KINDS[args.what]
    try:
        with path.open("rb") as source:
            job = importer.import_upload(
                actor=user, kind=kind, source=source, name=path.name, size=path.stat().st_size
            )
        owner = _user(args.owner) if args.owner else None
        job = importer.import_configure(
            job=job,
            actor=user,
            columns=_mapped(job.header, job.mapping, args.map or []),
            duplicates=args.duplicates or importer.importer_for(kind).default_policy,
            owner=owner,
            tag=args.tag or "",
        )
        _out("Columns: " + ", ".join(f"{job.header[int(i)]} → {field}" for i, field in job.mapping.items()))
        job = importer.import_queue(job=job, actor=user)
    except ValidationError as exc:
        raise SystemExit("; ".join(exc.messages)) from None
    except PermissionDenied as exc:
        raise SystemExit(str(exc)) from None
    job = engine.run(job.pk, progress=_print_progress)
    _out(_import_summary(job))
    return 0 if job.status == "done" else 1


KINDS = {
    "people": "person",
    "organisations": "organisation",
    "products": "products",
    "orders": "orders",
    "interactions": "interactions",
}


def _resume(job_id: int) -> Any:
    """Carry on with an import. If another run still holds it, wait until that run's lease
    lapses (a run killed a moment ago) and take it over; if the holder is heard from
    meanwhile, it is alive and carries on there."""
    from django.utils import timezone

    from peyvand.customers.importer import engine

    job = engine.run(job_id, progress=_print_progress)
    lapses_at = engine.lease_lapses_at(job)
    if lapses_at is None:
        return job
    heard_at = job.heartbeat_at
    wait = max((lapses_at - timezone.now()).total_seconds(), 0) + 0.5
    _out(f"Import {job_id} is held by another run, last heard from at {heard_at:%H:%M:%S} UTC;")
    _out(f"  if that run has stopped, it can be resumed in {wait:.0f} s: waiting…")
    time.sleep(wait)
    job.refresh_from_db()
    if job.heartbeat_at != heard_at:
        raise SystemExit(
            f"Import {job_id} is running in another process, which is alive: it carries on there."
        )
    return engine.run(job_id, progress=_print_progress)


def _mapped(header: list[str], guessed: dict[str, str], pairs: list[str]) -> dict[str, str]:
    """The guessed columns with each ``--map COLUMN=FIELD`` applied; COLUMN is a header as
    written in the file or a column number counted from 1, FIELD is a field's key (or
    nothing, to leave the column out)."""
    mapping = dict(guessed)
    for pair in pairs:
        column, sep, field = pair.partition("=")
        column, field = column.strip(), field.strip()
        if not sep or not column:
            raise SystemExit(f"--map takes COLUMN=FIELD, not {pair!r}.")
        titles = [title.strip() for title in header]
        if column in titles:
            index = titles.index(column)
        elif column.isdigit() and 1 <= int(column) <= len(header):
            index = int(column) - 1
        else:
            raise SystemExit(
                f"--map: the file has no column {column!r}; its columns are: {', '.join(titles)}."
            )
        if field:
            mapping[str(index)] = field
        else:
            mapping.pop(str(index), None)
    return mapping


def _print_progress(job: Any) -> None:
    total = job.total_rows or 0
    done = job.next_row - 1
    if job.status == "indexing":
        _out(f"  indexing for search… (job {job.pk})")
    elif job.status == "checking":
        _out(
            f"  checking {job.checked_rows:,}/{total:,} rows (job {job.pk}): "
            f"{job.error_count:,} with problems so far"
        )
    else:
        _out(
            f"  {done:,}/{total:,} rows (job {job.pk}): {job.created_count:,} created, "
            f"{job.updated_count:,} updated, {job.skipped_count:,} skipped, {job.error_count:,} rejected"
        )


def _import_summary(job: Any) -> str:
    if job.status == "failed":
        return f"Import {job.pk} failed: {job.failure}"
    return (
        f"Import {job.pk} {job.status}: {job.created_count:,} created, {job.updated_count:,} updated, "
        f"{job.skipped_count:,} skipped, {job.error_count:,} rejected."
    )


def cmd_compilemessages(args: argparse.Namespace) -> int:
    _django()
    _out(f"{compile_messages()} catalogue(s) compiled")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["peyvand manage", *args.arguments])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peyvand", description="Peyvand (پیوند), an open-source CRM.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    setup = commands.add_parser(
        "setup", help="migrate, prepare static files, load the demo once, create an admin"
    )
    setup.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    setup.set_defaults(handler=cmd_setup)

    run = commands.add_parser("run", help="serve the app (Granian) and run the worker (Huey)")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.add_argument("--workers", type=int, help="web worker processes (default 2, or WEB_WORKERS)")
    run.add_argument("--setup", action="store_true", help="run `peyvand setup` first (what `make run` does)")
    run.add_argument("--no-demo", action="store_true", help="with --setup: do not load the demo data")
    run.add_argument("--verbose", action="store_true", help="log every task the worker runs")
    run.set_defaults(handler=cmd_run)

    worker = commands.add_parser("worker", help="run the background worker only")
    worker.add_argument("--workers", type=int, default=2)
    worker.add_argument("--verbose", action="store_true", help="log every task it runs")
    worker.set_defaults(handler=cmd_worker)

    demo = commands.add_parser("demo", help="load the demo company")
    demo.add_argument("--force", action="store_true", help="load again even if loaded before")
    demo.add_argument("--seed", type=int, default=1403)
    demo.add_argument("--size", choices=["small", "default"], default="default")
    demo.set_defaults(handler=cmd_demo)

    createadmin = commands.add_parser(
        "createadmin", help="create an administrator; prints a generated password"
    )
    createadmin.add_argument("username")
    createadmin.set_defaults(handler=cmd_createadmin)

    password = commands.add_parser("password", help="give a user a new generated password")
    password.add_argument("username")
    password.set_defaults(handler=cmd_password)

    token = commands.add_parser("token", help="print a new API token for a user")
    token.add_argument("username")
    token.add_argument("--name", default="command line")
    token.set_defaults(handler=cmd_token)

    imports = commands.add_parser(
        "import", help="import people, organisations, products or past orders from CSV or XLSX"
    )
    imports.add_argument("what", choices=[*KINDS, "resume"])
    imports.add_argument("file", help="the file (or, with resume, the job number)")
    imports.add_argument("--as", dest="as_user", default="admin", help="the user importing (default: admin)")
    imports.add_argument(
        "--duplicates",
        choices=["skip", "update", "create", "refuse"],
        help="what to do with a row matching an existing record (default: skip for customers, "
        "update for products, refuse for orders); for interactions, with a row whose customer is "
        "not found (refuse, or create them as a suspect)",
    )
    imports.add_argument(
        "--map",
        action="append",
        metavar="COLUMN=FIELD",
        help="which field a column holds (a header or a column number; FIELD empty to skip it); repeatable",
    )
    imports.add_argument("--owner", help="give every new customer to this user")
    imports.add_argument("--tag", help="tag every new customer")
    imports.set_defaults(handler=cmd_import)

    backup = commands.add_parser("backup", help="back up the database and files into one archive")
    backup.add_argument("file", nargs="?", help="the archive to write (default: peyvand-backup-DATE.tar.gz)")
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser("restore", help="restore a backup into an empty installation")
    restore.add_argument("file", help="the archive written by peyvand backup")
    restore.set_defaults(handler=cmd_restore)

    assets = commands.add_parser("assets", help="copy front-end packages from node_modules")
    assets.set_defaults(handler=cmd_assets)

    messages = commands.add_parser("compilemessages", help="compile translations")
    messages.set_defaults(handler=cmd_compilemessages)

    manage = commands.add_parser("manage", help="run a Django management command")
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    finally:
        _restore_language()


if __name__ == "__main__":
    sys.exit(main())
