"""Several processes delivering to the same mailbox at once: UIDs stay unique and increasing (RFC 9051 §2.3.1.1)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from mailstore_samples import People, message

from congvu.config.settings import DataDir
from congvu.installation import Installation, open_installation

PER_PROCESS = 5


def _deliver_from_another_process(root: str, account_id: int, worker: int) -> list[int]:
    installation = open_installation(DataDir(Path(root)), upgrade=False)
    try:
        return [installation.mailstore.deliver(message(f"Tiến trình {worker}", f"Thư {n}"), [account_id])
                .deliveries[0].uid for n in range(PER_PROCESS)]
    finally:
        installation.close()


def test_processes_share_the_uid_counter(installation: Installation, data_dir: DataDir, people: People) -> None:
    people.store.ensure_default_folders(people.an)
    context = multiprocessing.get_context("spawn")
    with context.Pool(3) as pool:
        results = pool.starmap(_deliver_from_another_process,
                               [(str(data_dir.root), people.an, worker) for worker in range(3)])
    uids = sorted(uid for batch in results for uid in batch)
    assert uids == list(range(1, 3 * PER_PROCESS + 1))
    for batch in results:
        assert batch == sorted(batch)
    inbox = people.store.find_folder(people.an, "INBOX")
    assert inbox.uidnext == 3 * PER_PROCESS + 1
