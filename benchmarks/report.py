"""Turn runner results into figures: medians and spread per case and client, ratios to the
official client and to raw C, the targets of the benchmarks issue, a console table and a PNG.

`python benchmarks/report.py benchmarks/results/latest.json` prints the table of a saved run
(and `--chart out.png` redraws the chart).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from typing import Any, Dict, Iterable, List, Optional, Sequence

CLIENTS = ("aerospike_c", "aerospike_c_thr", "aerospike_c_exec", "official", "aerospike_py", "aerospike_sdk", "raw_c")
SINGLE_RECORD_CASES = ("put_small", "get_small", "put_wide", "get_wide", "operate")
BULK_CASES = ("batch_100", "batch_1000", "batch_1000_small", "scan", "batch_1000_filtered",
              "scan_filtered")
KIB_PER_MIB = 1024


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def _spread_pct(values: Sequence[float]) -> float:
    """Half the min-max range, as a percentage of the median (0 for one run)."""
    middle = _median(values)
    if len(values) < 2 or middle == 0:
        return 0.0
    return (max(values) - min(values)) / 2.0 / middle * 100.0


def _ratio(value: Optional[float], reference: Optional[float]) -> Optional[float]:
    if value is None or not reference:
        return None
    return value / reference


def figures(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Median figures (and spread) over the runs of one case and client."""
    good = [r for r in runs if not r.get("error") and not r.get("unsupported") and r.get("records")]
    if not good:
        reason = next((r.get("unsupported") or r.get("error") for r in runs
                       if r.get("unsupported") or r.get("error")), "no result")
        return {"runs": 0, "status": "unsupported" if any(r.get("unsupported") for r in runs)
                else "failed", "reason": reason}
    throughput = [r["records"] / r["seconds"] for r in good if r["seconds"] > 0]
    cpu_us = [(r["cpu_user"] + r["cpu_sys"]) / r["records"] * 1e6 for r in good]
    return {
        "runs": len(good), "status": "ok", "records_per_run": good[0]["records"],
        "throughput": _median(throughput), "throughput_min": min(throughput),
        "throughput_max": max(throughput), "throughput_spread_pct": _spread_pct(throughput),
        "cpu_us": _median(cpu_us), "cpu_us_min": min(cpu_us), "cpu_us_max": max(cpu_us),
        "cpu_spread_pct": _spread_pct(cpu_us),
        "cpu_user_us": _median([r["cpu_user"] / r["records"] * 1e6 for r in good]),
        "cpu_sys_us": _median([r["cpu_sys"] / r["records"] * 1e6 for r in good]),
        "p50_us": _median([r["p50_us"] for r in good]),
        "p99_us": _median([r["p99_us"] for r in good]),
        "maxrss_mib": _median([r["maxrss_kb"] / KIB_PER_MIB for r in good]),
        "rss_growth_kib": _median([r["rss_end_kb"] - r["rss_start_kb"] for r in good]),
        # voluntary context switches per record: with threads, waits (for the GIL, mostly)
        "vcsw_per_rec": _median([r["vcsw"] / r["records"] for r in good]) if all(
            "vcsw" in r for r in good) else None,
    }


def summarise(results: Iterable[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """{case: {client: figures}} with ratios to the official client and raw C added."""
    grouped: Dict[str, Dict[str, List[Dict[str, Any]]]] = {}
    for result in results:
        grouped.setdefault(result["case"], {}).setdefault(result["client"], []).append(result)
    summary: Dict[str, Dict[str, Any]] = {}
    for case, by_client in grouped.items():
        summary[case] = {client: figures(runs) for client, runs in by_client.items()}
        for client, figs in summary[case].items():
            if figs["status"] != "ok":
                continue
            for reference in ("official", "raw_c"):
                ref = summary[case].get(reference, {})
                if ref.get("status") == "ok":
                    figs[f"cpu_vs_{reference}"] = _ratio(figs["cpu_us"], ref["cpu_us"])
                    figs[f"throughput_vs_{reference}"] = _ratio(figs["throughput"], ref["throughput"])
    return summary


def _get(summary: Dict[str, Dict[str, Any]], case: str, client: str) -> Optional[Dict[str, Any]]:
    figs = summary.get(case, {}).get(client)
    return figs if figs and figs.get("status") == "ok" else None


def targets(summary: Dict[str, Dict[str, Any]]) -> List[Dict[str, str]]:
    """The issue's targets for aerospike_c: met / missed / not measured, with the numbers."""
    out: List[Dict[str, str]] = []

    def add(name: str, met: Optional[bool], detail: str) -> None:
        status = "not measured" if met is None else ("met" if met else "missed")
        out.append({"target": name, "status": status, "detail": detail})

    for case in SINGLE_RECORD_CASES:
        ours, official, raw = (_get(summary, case, c) for c in ("aerospike_c", "official", "raw_c"))
        if not ours or not official or not raw:
            add(f"{case}: CPU/op <= official and <= 1.1x raw C", None, "a client has no figure")
            continue
        vs_official, vs_raw = ours["cpu_us"] / official["cpu_us"], ours["cpu_us"] / raw["cpu_us"]
        add(f"{case}: CPU/op <= official and <= 1.1x raw C", vs_official <= 1.0 and vs_raw <= 1.1,
            f"{ours['cpu_us']:.1f} us vs official {official['cpu_us']:.1f} ({vs_official:.2f}x), "
            f"raw C {raw['cpu_us']:.1f} ({vs_raw:.2f}x)")
    def compare(case: str, name: str, reference: str, figure: str, limit: float,
                lower: bool = True, unit: str = "us", scale: float = 1.0) -> None:
        """aerospike_c's `figure` against `reference`'s in `case`: met when the ratio is at
        most `limit` (lower) or at least it."""
        ours, ref = _get(summary, case, "aerospike_c"), _get(summary, case, reference)
        if not ours or not ref:
            add(name, None, "a client has no figure")
            return
        ratio = ours[figure] / ref[figure]
        add(name, ratio <= limit if lower else ratio >= limit,
            f"{ours[figure] * scale:.2f} {unit} vs {reference} {ref[figure] * scale:.2f} ({ratio:.2f}x)")

    for case in BULK_CASES:
        compare(case, f"{case}: CPU/record <= 0.8x official", "official", "cpu_us", 0.8)
    compare("batch_1000_bins", "batch_1000_bins: bins-only CPU/record <= aerospike-py to_list()",
            "aerospike_py", "cpu_us", 1.0)
    for case in ("mix_t4", "mix_t16"):
        compare(case, f"{case}: throughput >= official", "official", "throughput", 1.0,
                lower=False, unit="/s")
    compare("mix_t16", "mix_t16: CPU/op <= official", "official", "cpu_us", 1.0)
    compare("connect", "connect: CPU <= official", "official", "cpu_us", 1.0, unit="ms", scale=0.001)
    ours = _get(summary, "memory", "aerospike_c")
    if ours:
        growth = ours["rss_growth_kib"]
        add("memory: RSS growth < 1 MiB", growth < KIB_PER_MIB,
            f"{growth:.0f} KiB over {ours['records_per_run']} ops (after a 10% warm-up)")
    else:
        add("memory: RSS growth < 1 MiB", None, "no figure")
    return out


def _fmt(value: Optional[float], digits: int = 1, suffix: str = "") -> str:
    if value is None:
        return "-"
    if abs(value) >= 100000:
        return f"{value / 1000:.0f}k{suffix}"
    return f"{value:.{digits}f}{suffix}"


def table(summary: Dict[str, Dict[str, Any]], case_order: Sequence[str]) -> str:
    """The console table: one row per case and client."""
    header = ("case", "client", "rec/s", "±%", "p50 us", "p99 us", "CPU us/rec", "±%",
              "CPU xoff", "CPU xC", "rec/s xoff", "csw/rec", "RSS MiB")
    rows: List[Sequence[str]] = [header]
    for case in [c for c in case_order if c in summary] + sorted(set(summary) - set(case_order)):
        for client in CLIENTS:
            figs = summary[case].get(client)
            if figs is None:
                continue
            if figs["status"] != "ok":
                rows.append((case, client, figs["status"], "", "", "", "", "", "", "", "", "", ""))
                continue
            rows.append((case, client, _fmt(figs["throughput"], 0), _fmt(figs["throughput_spread_pct"], 0),
                         _fmt(figs["p50_us"]), _fmt(figs["p99_us"]), _fmt(figs["cpu_us"], 2),
                         _fmt(figs["cpu_spread_pct"], 0), _fmt(figs.get("cpu_vs_official"), 2),
                         _fmt(figs.get("cpu_vs_raw_c"), 2), _fmt(figs.get("throughput_vs_official"), 2),
                         _fmt(figs.get("vcsw_per_rec"), 2), _fmt(figs["maxrss_mib"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def targets_text(items: List[Dict[str, str]]) -> str:
    """The targets as console lines."""
    return "\n".join(f"[{item['status']:^12}] {item['target']}: {item['detail']}" for item in items)


def chart(summary: Dict[str, Dict[str, Any]], case_order: Sequence[str], path: str) -> Optional[str]:
    """Draw the PNG (client CPU per record; throughput relative to official). None if drawn,
    else the reason (matplotlib missing)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install matplotlib) - no chart"
    cases = [c for c in case_order if c in summary]
    colors = {"aerospike_c": "#1f77b4", "official": "#ff7f0e", "aerospike_py": "#2ca02c",
              "aerospike_sdk": "#9467bd", "raw_c": "#7f7f7f"}
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(8, len(cases) * 0.9), 8), sharex=True)
    width = 0.8 / len(CLIENTS)
    for k, client in enumerate(CLIENTS):
        xs, cpu, rel = [], [], []
        for i, case in enumerate(cases):
            figs = _get(summary, case, client)
            if figs:
                xs.append(i + (k - (len(CLIENTS) - 1) / 2) * width)
                cpu.append(figs["cpu_us"])
                rel.append(figs.get("throughput_vs_official") or 0.0)
        top.bar(xs, cpu, width, label=client, color=colors[client])
        bottom.bar(xs, rel, width, label=client, color=colors[client])
    top.set_yscale("log")
    top.set_ylabel("client CPU µs per record (log)")
    top.set_title("client CPU per record (lower is better)")
    top.legend()
    bottom.axhline(1.0, color="black", linewidth=0.8)
    bottom.set_ylabel("throughput / official")
    bottom.set_title("throughput relative to the official client (higher is better)")
    bottom.set_xticks(range(len(cases)))
    bottom.set_xticklabels(cases, rotation=30, ha="right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return None


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Print the table and targets of a saved JSON result (optionally redraw the chart)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("json_file")
    parser.add_argument("--chart", help="write the PNG chart here")
    args = parser.parse_args(argv)
    with open(args.json_file) as stream:
        saved = json.load(stream)
    summary = saved["summary"]
    print(table(summary, saved.get("case_order", [])))
    print()
    print(targets_text(targets(summary)))
    if args.chart:
        reason = chart(summary, saved.get("case_order", []), args.chart)
        if reason:
            print(reason, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
