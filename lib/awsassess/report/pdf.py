"""HTML -> PDF: headless Chromium first, WeasyPrint when no Chromium is installed.

Choose the route with ``engine=`` or the environment variable ``AWSASSESS_PDF_ENGINE``
(``auto`` | ``chromium`` | ``weasyprint``); ``AWSASSESS_CHROMIUM`` names the browser binary.
``auto`` uses Chromium when one is found and falls back to WeasyPrint if it is missing or fails;
a forced engine never falls back.

Chromium runs with ``--no-pdf-header-footer`` (otherwise every page shows the local file path and
date), a fresh ``--user-data-dir`` per call (parallel runs do not share a profile), a timeout
that kills the whole process group, and offline: every background service off, no host name
resolves and every request goes to a proxy that refuses (tests/report/test_pdf_offline.py counts zero
connection attempts while a report with planted remote references prints).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from awsassess.report.merge import ReportError

log = logging.getLogger(__name__)

ENGINES = ("auto", "chromium", "weasyprint")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage",
    "--hide-scrollbars", "--mute-audio", "--no-pdf-header-footer",
    # a client's confidential report is printed offline: no background, update, metrics, safe-browsing,
    # crash-report or field-trial service (Chromium tried ~10 connections to Google hosts per print)
    "--disable-client-side-phishing-detection", "--safebrowsing-disable-auto-update", "--disable-breakpad",
    "--disable-crash-reporter", "--disable-domain-reliability", "--disable-default-apps", "--no-default-browser-check",
    "--metrics-recording-only", "--disable-field-trial-config", "--no-service-autorun", "--password-store=basic",
    "--use-mock-keychain", "--disable-notifications", "--disable-remote-fonts",
    "--disable-features=OptimizationHints,OptimizationGuideModelDownloading,MediaRouter,DialMediaRouteProvider,"
    "Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,"
    "NetworkTimeServiceQuerying,PrivacySandboxSettings4,SafeBrowsingBetterTelemetry",
    # and nothing can leave even if a service or the page tried: no name resolves, every request
    # (loopback included) goes to a proxy that refuses; the printed file:// page is not proxied
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-bypass-list=<-loopback>",
)
# the proxy every request of the printer is sent to: the discard port, closed on loopback (refused)
REFUSING_PROXY = "http://127.0.0.1:9"


class PdfError(ReportError):
    """No PDF could be produced; the message says which engines were tried and how to fix it."""


def find_chromium() -> str | None:
    """The Chromium/Chrome binary: ``$AWSASSESS_CHROMIUM``, ``/usr/bin/chromium`` or one on PATH."""
    env = os.environ.get("AWSASSESS_CHROMIUM")
    if env:
        return env if Path(env).is_file() or shutil.which(env) else None
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    return None


def chromium_command(chromium: str, html_path: Path, pdf_path: Path, profile_dir: Path,
                     proxy: str = REFUSING_PROXY) -> list[str]:
    """The printing command; ``proxy`` receives every request the browser tries (tests count them)."""
    return [chromium, *CHROMIUM_FLAGS, f"--proxy-server={proxy}", f"--user-data-dir={profile_dir}",
            f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` in its own process group; on timeout kill the group (Chromium forks helpers)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def chromium_pdf(html_path: Path, pdf_path: Path, chromium: str | None = None, timeout: float = 120,
                 proxy: str = REFUSING_PROXY) -> Path:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium, offline (see CHROMIUM_FLAGS)."""
    chromium = chromium or find_chromium()
    if not chromium:
        raise PdfError("no Chromium found (/usr/bin/chromium, chromium on PATH or $AWSASSESS_CHROMIUM). "
                       "Fix: `apt-get install chromium`, or use AWSASSESS_PDF_ENGINE=weasyprint")
    pdf_path = Path(pdf_path)
    tmp_pdf = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.tmp")
    with tempfile.TemporaryDirectory(prefix="awsassess-chromium-") as profile:
        cmd = chromium_command(chromium, Path(html_path), tmp_pdf, Path(profile), proxy)
        try:
            result = _run(cmd, timeout)
        except subprocess.TimeoutExpired:
            tmp_pdf.unlink(missing_ok=True)
            raise PdfError(f"Chromium did not finish printing {html_path} within {timeout:.0f} s") from None
        except OSError as exc:
            raise PdfError(f"Chromium ({chromium}) could not start: {exc}") from None
    if result.returncode != 0 or not tmp_pdf.is_file() or tmp_pdf.stat().st_size == 0:
        tmp_pdf.unlink(missing_ok=True)
        tail = "\n".join((result.stderr or "").strip().splitlines()[-5:])
        raise PdfError(f"Chromium exited with {result.returncode} and wrote no PDF for {html_path}:\n{tail}")
    tmp_pdf.replace(pdf_path)
    return pdf_path


def weasyprint_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print ``html_path`` to ``pdf_path`` with WeasyPrint (no browser; Pango needed)."""
    try:
        import weasyprint
    except Exception as exc:  # ImportError or OSError when Pango is missing
        raise PdfError(f"WeasyPrint is not usable: {exc}. Fix: `pip install weasyprint` (needs Pango >= 1.44)") from None
    pdf_path = Path(pdf_path)
    tmp_pdf = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.tmp")
    noisy = [logging.getLogger(n) for n in ("weasyprint", "fontTools")]
    levels = [lg.level for lg in noisy]
    for lg in noisy:
        lg.setLevel(logging.ERROR)  # hundreds of harmless "unknown property" CSS warnings otherwise
    try:
        html_path = Path(html_path).resolve()
        weasyprint.HTML(filename=str(html_path), base_url=str(html_path.parent)).write_pdf(str(tmp_pdf))
    except Exception as exc:
        tmp_pdf.unlink(missing_ok=True)
        raise PdfError(f"WeasyPrint failed on {html_path}: {type(exc).__name__}: {exc}") from None
    finally:
        for lg, level in zip(noisy, levels, strict=True):
            lg.setLevel(level)
    tmp_pdf.replace(pdf_path)
    return pdf_path


def html_to_pdf(html_path: Path, pdf_path: Path, engine: str | None = None, timeout: float = 120) -> str:
    """Write ``pdf_path`` from ``html_path``; returns the engine used (``chromium`` or ``weasyprint``)."""
    engine = (engine or os.environ.get("AWSASSESS_PDF_ENGINE") or "auto").strip().lower()
    if engine not in ENGINES:
        raise PdfError(f"PDF engine {engine!r} is unknown. Fix: set AWSASSESS_PDF_ENGINE (or engine=) to one of "
                       f"{', '.join(ENGINES)}")
    if engine == "chromium":
        chromium_pdf(html_path, pdf_path, timeout=timeout)
        return "chromium"
    if engine == "weasyprint":
        weasyprint_pdf(html_path, pdf_path)
        return "weasyprint"
    errors = []
    if find_chromium():
        try:
            chromium_pdf(html_path, pdf_path, timeout=timeout)
            return "chromium"
        except PdfError as exc:
            log.warning("Chromium PDF failed, falling back to WeasyPrint: %s", exc)
            errors.append(f"chromium: {exc}")
    else:
        errors.append("chromium: not installed")
    try:
        weasyprint_pdf(html_path, pdf_path)
        return "weasyprint"
    except PdfError as exc:
        errors.append(f"weasyprint: {exc}")
    raise PdfError(f"no PDF engine worked for {html_path}:\n  " + "\n  ".join(errors)
                   + "\nFix: `apt-get install chromium`, or `pip install weasyprint` with Pango installed")
