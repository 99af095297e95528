"""Headless notebook execution for `ledgerlab notebook run` (called by lib/notebook/runner.ts).

Runs under Debian's /usr/bin/python3 (nbclient + nbformat). Parameters follow papermill: they go into a cell
tagged "injected-parameters" right after the cell tagged "parameters"; re-running an executed notebook with new
parameters replaces its old injected cell (so the new values win). Executes every cell and writes the executed
notebook atomically, with `metadata.papermill` as papermill writes it (parameters, input/output paths, start and
end times, duration, exception). On a failing cell it still writes the notebook (with the error in place), then
prints one line `LEDGERLAB_CELL_ERROR <json>` to stderr and exits 1.

usage: nbrun.py IN.ipynb OUT.ipynb --cwd DIR --kernel NAME --timeout SECONDS --params JSON_OBJECT
"""
import argparse
import datetime
import json
import os
import re
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def tagged(nb, tag):
    return next((i for i, c in enumerate(nb.cells) if tag in c.get("metadata", {}).get("tags", [])), None)


def inject_parameters(nb, params, assign):
    """A cell assigning each parameter: in place of an earlier injected cell (papermill replaces it), else right
    after the tagged parameters cell. Without parameters the notebook is left as it is, as papermill does."""
    if not params:
        return
    index = tagged(nb, "parameters")
    if index is None:
        raise SystemExit("LEDGERLAB_NO_PARAMETERS_CELL")
    unknown = [k for k in params if not re.search(r"\b(let|var)\s+%s\b" % re.escape(k), nb.cells[index].source)]
    if unknown:
        raise SystemExit("LEDGERLAB_UNKNOWN_PARAMETERS " + json.dumps(unknown))
    source = "\n".join(assign % (k, json.dumps(v, ensure_ascii=False)) for k, v in params.items())
    cell = nbformat.v4.new_code_cell(source=source)
    cell.metadata["tags"] = ["injected-parameters"]
    old = tagged(nb, "injected-parameters")
    if old is not None:
        nb.cells[old] = cell
    else:
        nb.cells.insert(index + 1, cell)


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def papermill_metadata(nb, args, params, start, exception):
    """metadata.papermill with papermill's keys, so tools that read papermill's output read ours."""
    end = now()
    nb.metadata["papermill"] = {
        "default_parameters": {},
        "parameters": params,
        "environment_variables": {},
        "version": "ledgerlab-nbrun",
        "input_path": os.path.abspath(args.input),
        "output_path": os.path.abspath(args.output),
        "start_time": start.isoformat(),
        "end_time": end.isoformat(),
        "duration": (end - start).total_seconds(),
        "exception": exception,
    }


def write_atomic(nb, path):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".nb-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def failed_cell(nb, exc):
    """The cell that failed and its error text. tslab reports some errors as an `error` output and others
    (runtime exceptions) as text on the stderr stream, so both are read."""
    executed = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count") is not None]
    index = executed[-1] if executed else -1
    cell = nb.cells[index] if index >= 0 else None
    lines = []
    ename = getattr(exc, "ename", "") or ""
    for out in (cell.get("outputs", []) if cell else []):
        if out.get("output_type") == "error":
            ename = out.get("ename", ename)
            lines.append(out.get("evalue", ""))
            lines.extend(out.get("traceback", []))
        elif out.get("output_type") == "stream" and out.get("name") == "stderr":
            lines.append(out.get("text", ""))
    if not lines:
        lines.append(getattr(exc, "evalue", "") or str(exc))
    text = ANSI.sub("", "\n".join(l for l in lines if l)).strip()
    return {"cell": index, "ename": ename, "text": text, "source": cell.source if cell else ""}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--cwd", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--params", default="{}")
    ap.add_argument("--assign", default="%s = %s;")
    args = ap.parse_args()

    nb = nbformat.read(args.input, as_version=4)
    params = json.loads(args.params)
    inject_parameters(nb, params, args.assign)
    start = now()
    # startup_timeout: nbclient's default (60 s) for the kernel to answer was once exceeded by tslab (Node loading
    # the TypeScript compiler) on a 2-core machine running the test suite beside it; a slow start is not a failure.
    client = NotebookClient(
        nb,
        timeout=args.timeout,
        startup_timeout=max(180, min(args.timeout, 600)),
        kernel_name=args.kernel,
        resources={"metadata": {"path": args.cwd}},
    )
    try:
        client.execute()
    except CellExecutionError as exc:
        papermill_metadata(nb, args, params, start, True)
        write_atomic(nb, args.output)
        err = failed_cell(nb, exc)
        sys.stderr.write("LEDGERLAB_CELL_ERROR " + json.dumps(err) + "\n")
        sys.exit(1)
    papermill_metadata(nb, args, params, start, None)
    write_atomic(nb, args.output)


if __name__ == "__main__":
    main()
