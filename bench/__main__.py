"""``python -m bench [names...]``: run the benchmarks and print a Markdown report
(also written to bench/results/latest.md) to paste into docs/benchmarks.md."""
from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.common import machine, table


def main(argv: list[str]) -> int:
    names = argv or ["accounts", "signed", "chip", "qr", "hashing"]
    out = [f"## Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "",
           f"Command: `make bench` (`python -m bench {' '.join(names)}`)  ", f"Machine: {machine()}", ""]
    if "accounts" in names:
        from bench import accounts
        from bench.pg import temp_database

        out.append(table("Accounts at production argon2 parameters (SQLite)", accounts.run()))
        with temp_database() as pg:
            if pg:
                out.append(table("Accounts at production argon2 parameters (PostgreSQL)",
                                 accounts.run(pg)))
    if "signed" in names:
        from bench import signed
        from bench.pg import temp_database

        rows = signed.run_signed()
        with temp_database() as pg:
            if pg:
                rows += signed.run_signed(pg)
        rows += signed.run_signed_http()
        out.append(table("Device-key proof (DPoP) overhead", rows))
        lines = ["### App registration throughput (production argon2)", "",
                 "| database | registrations/s | argon2id hashes/s (baseline) | ratio |",
                 "| --- | --- | --- | --- |"]
        runs = [signed.run_registration()]
        with temp_database() as pg:
            if pg:
                runs.append(signed.run_registration(pg))
        for label, regs, hashes in runs:
            lines.append(f"| {label} | {regs:.2f} | {hashes:.2f} | {regs / hashes:.2f}x |")
        out.append("\n".join(lines) + "\n")
    if "chip" in names:
        from bench import chip

        out.append(table("Chip verification and a simulated read (issue 5)", chip.run()))
    if "qr" in names:
        import subprocess

        n = os.environ.get("EID_BENCH_DESKTOPS", "10000")
        for extra in ([], ["--workers", "--redis", "--postgres"]):
            r = subprocess.run([sys.executable, "-m", "bench.qr_socket", n, *extra],
                               capture_output=True, text=True, check=False)
            table_start = r.stdout.find("### ")
            out.append(r.stdout[table_start:] if table_start >= 0 else
                       f"(QR socket bench failed: {r.stderr[-400:]})")
    if "hashing" in names:
        import subprocess

        r = subprocess.run([sys.executable, "-m", "bench.hash_push",
                            os.environ.get("EID_BENCH_HASH_DESKTOPS", "600")],
                           capture_output=True, text=True, check=False)
        table_start = r.stdout.find("### ")
        out.append(r.stdout[table_start:] if table_start >= 0 else
                   f"(hashing bench failed: {r.stderr[-400:]})")
    report = "\n".join(out)
    print(report)
    path = Path(__file__).parent / "results"
    path.mkdir(exist_ok=True)
    (path / "latest.md").write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
