"""The lab's report: one self-contained ``index.html`` (figures inlined) and ``results.json``."""
from __future__ import annotations

import base64
import html
import json
import os
import platform
from pathlib import Path

from .record import Result

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;
margin:0 auto;padding:1.5em;color:#222;line-height:1.45}
h1{margin-bottom:.2em} h2{border-bottom:2px solid #0072B2;padding-bottom:.2em;margin-top:2em}
.claim{font-size:1.05em;font-style:italic;margin:.6em 0}
pre.formula{background:#f4f6f8;border-left:4px solid #0072B2;padding:.6em 1em;
white-space:pre-wrap;font-size:.95em}
figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top;max-width:100%}
figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.85em;color:#555;max-width:640px}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f0f0f0} td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#007a33;font-weight:bold} .bad{color:#b00020;font-weight:bold}
.meta{font-size:.85em;color:#555} code{background:#f4f6f8;padding:0 .25em}
nav a{margin-right:.8em}
"""


def write_report(results: list[Result], out_dir: str | os.PathLike) -> Path:
    """Write ``out_dir/index.html`` and ``out_dir/results.json``; returns the HTML path.

    The page needs no network: figures are base64 PNG ``data:`` URIs and the style is inline.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    _atomic_write(page, render_html(results))
    data = {"deepgrad_version": _version(), "python": platform.python_version(),
            "experiments": {r.name: r.to_json() for r in results}}
    _atomic_write(out / "results.json", json.dumps(data, indent=2, allow_nan=False))
    return page


def render_html(results: list[Result]) -> str:
    """The report page as one HTML string."""
    esc = html.escape
    parts = ["<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             "<title>deepgrad lab report</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>deepgrad lab</h1>",
             f"<p class='meta'>deepgrad {esc(_version())}, Python "
             f"{esc(platform.python_version())}. Every number below was measured by the run "
             "that wrote this page; each section names the command that reproduces it.</p>",
             "<nav>" + "".join(f"<a href='#{esc(r.name)}'>{esc(r.name)}</a>" for r in results)
             + "</nav>", _summary_table(results)]
    for r in results:
        parts.append(_section(r))
    parts.append("</body></html>")
    return "\n".join(parts)


def _summary_table(results: list[Result]) -> str:
    esc = html.escape
    rows = ["<table class='summary'><tr><th>experiment</th><th>checks</th><th>seconds</th>"
            "<th>result</th></tr>"]
    for r in results:
        n_ok = sum(r.checks.values())
        cls = "ok" if r.passed else "bad"
        rows.append(f"<tr><td><a href='#{esc(r.name)}'>{esc(r.name)}</a></td>"
                    f"<td class='{cls}'>{n_ok}/{len(r.checks)}</td>"
                    f"<td class='num'>{r.seconds:.1f}</td><td>{esc(r.summary)}</td></tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _section(r: Result) -> str:
    esc = html.escape
    out = [f"<section id='{esc(r.name)}' class='experiment'>",
           f"<h2>{esc(r.title)} <small>({esc(r.name)})</small></h2>",
           f"<p class='claim'>{esc(r.claim)}</p>",
           f"<pre class='formula'>{esc(r.formula)}</pre>"]
    for f in r.figures:
        b64 = base64.b64encode(f.png).decode("ascii")
        out.append(f"<figure><img alt='{esc(f.title)}' src='data:image/png;base64,{b64}'>"
                   f"<figcaption><b>{esc(f.title)}.</b> {esc(f.caption)}</figcaption></figure>")
    out.append("<table class='numbers'><tr>" + "".join(f"<th>{esc(c)}</th>"
                                                      for c in r.table.columns) + "</tr>")
    for row in r.table.rows:
        out.append("<tr>" + "".join(_cell(v) for v in row) + "</tr>")
    out.append("</table>")
    out.append("<ul class='checks'>")
    for statement, holds in r.checks.items():
        mark = "<span class='ok'>holds</span>" if holds else "<span class='bad'>FAILS</span>"
        out.append(f"<li>{mark}: {esc(statement)}</li>")
    out.append("</ul>")
    out.append(f"<p class='meta'>seed {r.seed}{' (quick form)' if r.quick else ''}, "
               f"{r.seconds:.1f} s. Reproduce: <code>{esc(r.command)}</code></p>")
    out.append("</section>")
    return "\n".join(out)


def _cell(v) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return f"<td>{html.escape(str(v))}</td>"
    if isinstance(v, int):
        return f"<td class='num'>{v:,}</td>"
    text = f"{v:.4g}" if abs(v) < 1e-3 or abs(v) >= 1e5 else f"{v:.4f}".rstrip("0").rstrip(".")
    return f"<td class='num'>{text}</td>"


def _atomic_write(path: Path, text: str) -> None:
    # A report opened while a new run writes must never be half a page.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _version() -> str:
    from .. import __version__

    return __version__
