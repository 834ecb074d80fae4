"""Real mail clients from Debian against the server (installed by ``scripts/test`` from
``scripts/test-packages.txt``): mbsync (isync) and offlineimap syncing a folder both ways, and NeoMutt listing and
reading a folder in batch mode. Skipped when a client is not installed."""

from __future__ import annotations

import asyncio
import os
import pty
import re
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from imap_harness import PASSWORD, ImapServer
from imap_samples import nested_multipart, simple, token


def _mbsync_config(server: ImapServer, who: str, folder: str, maildir: Path) -> Path:
    config = maildir.parent / "mbsyncrc"
    config.write_text(
        f"IMAPAccount acct\nHost localhost\nPort {server.listeners.imaps_port}\n"
        f"User {server.province.address(who)}\nPass {PASSWORD}\nSSLType IMAPS\nCertificateFile {server.cafile}\n\n"
        "IMAPStore remote\nAccount acct\n\n"
        f"MaildirStore local\nPath {maildir}/\nInbox {maildir}/INBOX\nSubFolders Verbatim\n\n"
        f"Channel ch\nFar :remote:\nNear :local:\nPatterns {folder}\nCreate Both\nExpunge Both\n"
        "SyncState *\nSync All\n", encoding="utf-8")
    return config


def _run_mbsync(config: Path) -> None:
    done = subprocess.run(["mbsync", "-c", str(config), "ch"], capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")


@pytest.mark.skipif(shutil.which("mbsync") is None, reason="isync (mbsync) is not installed")
async def test_mbsync_syncs_a_folder_both_ways(server: ImapServer, tmp_path: Path) -> None:
    province = server.province
    folder = province.fresh_folder("nvan", "mbsync")
    mark = token()
    originals = [simple("Công văn một"), simple("Công văn hai"), nested_multipart(mark)]
    for raw in originals:
        province.deliver("nvan", raw, folder)
    maildir = tmp_path / "mail"
    maildir.mkdir()
    config = _mbsync_config(server, "nvan", folder, maildir)
    await asyncio.to_thread(_run_mbsync, config)
    box = maildir / folder
    files = sorted((box / "new").iterdir(), key=lambda p: int(p.name.split("U=")[1].split(":")[0]))
    # mbsync stores with LF line ends and its own X-TUID field; otherwise the bytes are the server's.
    local = [re.sub(rb"X-TUID: \S+\n", b"", f.read_bytes()).replace(b"\n", b"\r\n") for f in files]
    assert local == originals
    # Locally: read the first, delete the second, add a new one.
    first, second = files[0], files[1]
    first.rename(box / "cur" / (first.name.rsplit(":2,", 1)[0] + ":2,S"))
    second.rename(box / "cur" / (second.name.rsplit(":2,", 1)[0] + ":2,T"))
    added = simple("Thư soạn trên máy, đồng bộ lên máy chủ")
    (box / "new" / "local-1.host").write_bytes(added)
    await asyncio.to_thread(_run_mbsync, config)

    def check() -> None:
        client = server.imaplib("nvan")
        client.select(folder, readonly=True)
        _status, data = client.fetch("1:*", "(UID FLAGS BODY.PEEK[])")
        bodies = [item[1] for item in data if isinstance(item, tuple)]
        heads = [item[0] for item in data if isinstance(item, tuple)]
        assert len(bodies) == 3
        assert bodies[0] == originals[0] and bodies[1] == originals[2]
        assert b"\\Seen" in heads[0] and b"\\Seen" not in heads[1]
        assert re.sub(rb"X-TUID: \S+\r\n", b"", bodies[2]) == added  # mbsync adds X-TUID while uploading
        client.logout()

    await asyncio.to_thread(check)


def _run_in_pty(argv: list[str], timeout_s: float = 30) -> bytes:
    """Run a full-screen program on a pseudo-terminal (NeoMutt needs one even when driven by ``push``)."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child process
        os.environ["TERM"] = "xterm"
        os.execvp(argv[0], argv)
    screen = b""
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                screen += data
            if os.waitpid(pid, os.WNOHANG)[0]:
                break
    finally:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
    return screen


@pytest.mark.skipif(shutil.which("neomutt") is None, reason="NeoMutt is not installed")
async def test_neomutt_lists_and_reads_a_folder(server: ImapServer, tmp_path: Path) -> None:
    province = server.province
    folder = province.fresh_folder("nvan", "mutt")
    mark = token()
    province.deliver("nvan", simple("Giấy mời dự hội nghị", "Kính mời đồng chí dự hội nghị tổng kết."), folder)
    province.deliver("nvan", nested_multipart(mark), folder)
    certificates = tmp_path / "certs.pem"
    certificates.write_bytes(Path(server.cafile).read_bytes())
    out = tmp_path / "messages.txt"
    rc = tmp_path / "muttrc"
    rc.write_text(
        f'set imap_user = "{province.address("nvan")}"\nset imap_pass = "{PASSWORD}"\n'
        f'set certificate_file = "{certificates}"\nset ssl_verify_host = no\n'
        'set header_cache = ""\nset message_cachedir = ""\nset pipe_split = yes\nset pipe_decode = yes\n'
        "set auto_tag = yes\nset wait_key = no\nset charset = utf-8\nset sort = date\n", encoding="utf-8")
    command = f'push "<tag-pattern>~A<enter><pipe-message>cat >> {out}<enter><exit>"'
    argv = ["neomutt", "-n", "-F", str(rc), "-f", f"imaps://localhost:{server.listeners.imaps_port}/{folder}",
            "-e", command]
    started = time.monotonic()
    screen = (await asyncio.to_thread(_run_in_pty, argv, 60)).decode("utf-8", "replace")
    took = time.monotonic() - started
    assert "Giấy mời dự hội nghị" in screen and "Công văn số 15/STTTT-VP" in screen  # the index lists both
    text = out.read_text(encoding="utf-8")
    seen = f"after {took:.1f} s; piped:\n{text[-1500:]}\nscreen:\n{screen[-3000:]}"  # to tell a slow run from a bug
    assert "Kính mời đồng chí dự hội nghị tổng kết." in text, seen
    assert f"Kính gửi các đơn vị, đề nghị triển khai. Mã {mark}" in text, seen
    assert "Subject: Công văn số 15/STTTT-VP về chuyển đổi số" in text, seen  # the RFC 2047 subject, decoded


def _offlineimap_config(server: ImapServer, who: str, folder: str, base: Path) -> Path:
    import hashlib
    import ssl

    pem = Path(server.cafile).read_text(encoding="ascii")
    fingerprint = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()
    config = base / "offlineimaprc"
    config.write_text(
        f"[general]\naccounts = acct\nmetadata = {base / 'meta'}\nui = basic\n\n"
        "[Account acct]\nlocalrepository = local\nremoterepository = remote\n\n"
        f"[Repository local]\ntype = Maildir\nlocalfolders = {base / 'mail'}\n\n"
        f"[Repository remote]\ntype = IMAP\nremotehost = localhost\nremoteport = {server.listeners.imaps_port}\n"
        f"remoteuser = {server.province.address(who)}\nremotepass = {PASSWORD}\nssl = yes\n"
        f"sslcacertfile = {server.cafile}\ncert_fingerprint = {fingerprint}\n"
        f"folderfilter = lambda name: name == {folder!r}\n", encoding="utf-8")
    return config


def _parts(raw: bytes) -> list[tuple[str, bytes | None]]:
    import email
    from email import policy

    return [(part.get_content_type(), part.get_payload(decode=True))
            for part in email.message_from_bytes(raw, policy=policy.compat32).walk()]


def _run_offlineimap(config: Path) -> None:
    done = subprocess.run(["offlineimap", "-o", "-c", str(config)], capture_output=True, timeout=90, check=False)
    output = (done.stdout + done.stderr).decode(errors="replace")
    assert done.returncode == 0 and "ERROR" not in output, output


@pytest.mark.skipif(shutil.which("offlineimap") is None, reason="offlineimap is not installed")
async def test_offlineimap_syncs_a_folder_both_ways(server: ImapServer, tmp_path: Path) -> None:
    province = server.province
    folder = province.fresh_folder("nvan", "offlineimap")
    mark = token()
    originals = [simple("Báo cáo tuần"), simple("Kế hoạch tháng"), nested_multipart(mark)]
    for raw in originals:
        province.deliver("nvan", raw, folder)
    (tmp_path / "mail").mkdir()
    config = _offlineimap_config(server, "nvan", folder, tmp_path)
    await asyncio.to_thread(_run_offlineimap, config)
    box = tmp_path / "mail" / folder
    files = sorted((p for sub in ("new", "cur") for p in (box / sub).iterdir()),
                   key=lambda p: int(re.search(r",U=(\d+),", p.name).group(1)))  # type: ignore[union-attr]
    local = [f.read_bytes().replace(b"\r\n", b"\n") for f in files]
    assert local[:2] == [o.replace(b"\r\n", b"\n") for o in originals[:2]]
    # offlineimap re-serialises what it stores with Python's email package, which puts a blank line after a
    # nested multipart's closing delimiter; every part still arrives intact, 8-bit octets included.
    assert _parts(local[2]) == _parts(originals[2].replace(b"\r\n", b"\n"))
    # Locally: read the first, delete the second, add a new one.
    first, second = files[0], files[1]
    first.rename(box / "cur" / (first.name.split(":2,")[0] + ":2,S"))
    second.unlink()
    added = simple("Thư soạn trên máy, đồng bộ bằng offlineimap")
    (box / "new" / "local-1.host").write_bytes(added)
    await asyncio.to_thread(_run_offlineimap, config)

    def check() -> None:
        client = server.imaplib("nvan")
        client.select(folder, readonly=True)
        _status, data = client.fetch("1:*", "(UID FLAGS BODY.PEEK[])")
        bodies = [item[1] for item in data if isinstance(item, tuple)]
        heads = [item[0] for item in data if isinstance(item, tuple)]
        assert len(bodies) == 3
        assert bodies[0] == originals[0] and bodies[1] == originals[2]
        assert b"\\Seen" in heads[0] and b"\\Seen" not in heads[1]
        assert re.sub(rb"X-OfflineIMAP: \S+\r\n", b"", bodies[2]) == added
        client.logout()

    await asyncio.to_thread(check)
