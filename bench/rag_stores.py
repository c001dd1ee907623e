"""Embedded (no-server) vector stores for the retrieval index, measured: build, load, query latency, recall, memory.

    python bench/rag_stores.py [--sizes 10000,100000] [--stores numpy,faiss-flat,...] [--site DIR] [--busy 1]

For each size n: n random unit float32 vectors of dim 384 (seed 0) and 200 queries that are noisy copies of stored
vectors (cosine ≈ 0.7 to their source), with the true top-10 by numpy's exact inner product over the whole batch.
Each store is built in one fresh Python process (build time includes writing its files to disk) and queried in
another, so each peak memory is its own (VmHWM of /proc/self/status, which exec resets). The build process's
baseline is Python + numpy + the library + the vectors in memory; the query process's baseline is Python + numpy +
the library + the queries, so "serve RSS" is what opening and searching the store adds. Latency is one query at a
time (k=10), after a warm-up of 20 queries, each library at its default thread count (the column says how many;
numpy-1thread limits BLAS to one). `--busy N` keeps N processes spinning throughout, as a served model's generation
would beside retrieval: a library that splits one small query over threads then waits for a descheduled thread.
`--site DIR` appends a folder to sys.path for stores the venv lacks (`pip install --target DIR lancedb apsw`:
sqlite-vec needs an SQLite that may load extensions, which apsw bundles when Python's sqlite3 was built without).
Run it on an otherwise idle machine: other work on the cores changes every latency.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DIM = 384
QUERIES = 200
WARMUP = 20
K = 10
STORES = "numpy,numpy-1thread,usearch-exact,faiss-flat,faiss-hnsw,usearch-hnsw,sqlite-vec,lancedb"
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 128, 128  # faiss-hnsw; usearch-hnsw keeps its own defaults


def make_data(folder: Path, n: int) -> None:
    """Write vectors.npy, queries.npy and truth.npy (exact top-K rows per query) for `n` vectors."""
    import numpy as np

    rng = np.random.default_rng(0)
    vectors = unit(rng.standard_normal((n, DIM), dtype=np.float32))
    sources = rng.choice(n, QUERIES, replace=False)
    noise = unit(rng.standard_normal((QUERIES, DIM), dtype=np.float32))
    queries = unit(vectors[sources] + noise)  # cosine ≈ 0.71 to its source
    scores = queries @ vectors.T
    truth = np.argsort(-scores, axis=1)[:, :K]
    for name, array in (("vectors", vectors), ("queries", queries), ("truth", truth)):
        np.save(folder / f"{name}.npy", array)


def unit(rows):
    import numpy as np

    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


# Each store: build(vectors, folder) writes its files; open(folder, n) returns (search(query, k) -> rows, threads).


def build_numpy(vectors, folder: Path) -> None:
    import numpy as np

    np.save(folder / "vectors.npy", vectors)


def open_numpy(folder: Path, n: int):
    import numpy as np
    from threadpoolctl import threadpool_info

    matrix = np.load(folder / "vectors.npy")

    def search(query, k):
        scores = matrix @ query
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        return top[np.argsort(-scores[top])]

    blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    return search, f"BLAS {blas[0] if blas else '?'}"


def open_numpy_1thread(folder: Path, n: int):
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")  # for the whole process
    return open_numpy(folder, n)


def open_usearch_exact(folder: Path, n: int):
    import numpy as np
    from usearch.index import MetricKind
    from usearch.index import search as usearch_search

    matrix = np.load(folder / "vectors.npy")

    def search(query, k):
        return usearch_search(matrix, query, k, MetricKind.IP, exact=True).keys

    return search, f"{os.cpu_count()} (threads=0)"


def build_faiss_flat(vectors, folder: Path) -> None:
    import faiss

    index = faiss.IndexFlatIP(DIM)
    index.add(vectors)
    faiss.write_index(index, str(folder / "flat.faiss"))


def build_faiss_hnsw(vectors, folder: Path) -> None:
    import faiss

    index = faiss.IndexHNSWFlat(DIM, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.add(vectors)
    faiss.write_index(index, str(folder / "hnsw.faiss"))


def open_faiss(folder: Path, n: int):
    import faiss

    index = faiss.read_index(str(next(folder.glob("*.faiss"))))
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = HNSW_EF_SEARCH

    def search(query, k):
        return index.search(query[None, :], k)[1][0]

    return search, f"OpenMP {faiss.omp_get_max_threads()}"


def build_usearch_hnsw(vectors, folder: Path) -> None:
    import numpy as np
    from usearch.index import Index

    index = Index(ndim=DIM, metric="ip", dtype="f32")
    index.add(np.arange(len(vectors)), vectors)
    index.save(str(folder / "hnsw.usearch"))


def open_usearch_hnsw(folder: Path, n: int):
    from usearch.index import Index

    index = Index.restore(str(folder / "hnsw.usearch"))

    def search(query, k):
        return index.search(query, k).keys

    return search, f"{os.cpu_count()} (threads=0)"


def sqlite_connect(path: Path):
    """An SQLite connection with sqlite-vec loaded: Python's own sqlite3 if it may load extensions, else apsw's."""
    import sqlite3

    import sqlite_vec

    connection = sqlite3.connect(path)
    if not hasattr(connection, "enable_load_extension"):
        import apsw

        connection = apsw.Connection(str(path))
    connection.enable_load_extension(True)
    connection.load_extension(sqlite_vec.loadable_path())
    return connection


def build_sqlite_vec(vectors, folder: Path) -> None:
    connection = sqlite_connect(folder / "vec.sqlite")
    connection.execute(f"create virtual table v using vec0(embedding float[{DIM}] distance_metric=cosine)")
    connection.execute("begin")
    rows = ((i, row.tobytes()) for i, row in enumerate(vectors))
    connection.executemany("insert into v(rowid, embedding) values (?, ?)", rows)
    connection.execute("commit")
    connection.close()


def open_sqlite_vec(folder: Path, n: int):
    import numpy as np

    connection = sqlite_connect(folder / "vec.sqlite")
    sql = "select rowid from v where embedding match ? and k = ? order by distance"

    def search(query, k):
        return np.array([row[0] for row in connection.execute(sql, (query.tobytes(), k))])

    return search, "1 (SQLite)"


def build_lancedb(vectors, folder: Path) -> None:
    import lancedb
    import numpy as np
    import pyarrow as pa

    column = pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), DIM)
    table = pa.table({"id": pa.array(np.arange(len(vectors))), "vector": column})
    lancedb.connect(folder).create_table("v", data=table)


def open_lancedb(folder: Path, n: int):
    import lancedb

    table = lancedb.connect(folder).open_table("v")

    def search(query, k):
        found = table.search(query).distance_type("dot").limit(k).select(["id"]).to_arrow()
        return found["id"].to_numpy()

    return search, f"{os.cpu_count()} (Rust runtime)"


BUILD = {
    "numpy": build_numpy,
    "numpy-1thread": build_numpy,
    "usearch-exact": build_numpy,
    "faiss-flat": build_faiss_flat,
    "faiss-hnsw": build_faiss_hnsw,
    "usearch-hnsw": build_usearch_hnsw,
    "sqlite-vec": build_sqlite_vec,
    "lancedb": build_lancedb,
}
OPEN = {
    "numpy": open_numpy,
    "numpy-1thread": open_numpy_1thread,
    "usearch-exact": open_usearch_exact,
    "faiss-flat": open_faiss,
    "faiss-hnsw": open_faiss,
    "usearch-hnsw": open_usearch_hnsw,
    "sqlite-vec": open_sqlite_vec,
    "lancedb": open_lancedb,
}
LIBRARY = {"faiss-flat": "faiss", "faiss-hnsw": "faiss", "usearch-hnsw": "usearch.index", "usearch-exact": "usearch",
           "sqlite-vec": "sqlite_vec", "lancedb": "lancedb", "numpy": "numpy",
           "numpy-1thread": "numpy"}  # fmt: skip


def child_build(store: str, data: Path, folder: Path) -> dict:
    """Build `store` from data/vectors.npy into `folder`: seconds, memory and the files' size."""
    import importlib

    import numpy as np

    importlib.import_module(LIBRARY[store])
    vectors = np.load(data / "vectors.npy")
    before = peak_kb()
    started = time.perf_counter()
    BUILD[store](vectors, folder)
    seconds = time.perf_counter() - started
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    return {"build_s": seconds, "before_kb": before, "peak_kb": peak_kb(), "disk_bytes": size}


def child_query(store: str, data: Path, folder: Path) -> dict:
    """Open `store` from `folder` and run every query one at a time: load seconds, latencies, recall, memory."""
    import importlib

    import numpy as np

    importlib.import_module(LIBRARY[store])
    queries, truth = np.load(data / "queries.npy"), np.load(data / "truth.npy")
    before = peak_kb()
    started = time.perf_counter()
    search, threads = OPEN[store](folder, len(truth))
    load_seconds = time.perf_counter() - started
    for query in queries[:WARMUP]:
        search(query, K)
    latencies, hits = [], 0
    for query, expected in zip(queries, truth):
        started = time.perf_counter()
        rows = search(query, K)
        latencies.append(time.perf_counter() - started)
        hits += len(set(np.asarray(rows).tolist()) & set(expected.tolist()))
    return {
        "load_s": load_seconds,
        "latencies": latencies,
        "recall": hits / truth.size,
        "threads": threads,
        "before_kb": before,
        "peak_kb": peak_kb(),
    }


def peak_kb() -> int:
    """This process's peak resident memory so far, in kB (Linux's VmHWM)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def measure(phase: str, store: str, data: Path, folder: Path, site: str | None) -> dict:
    """Run one phase of one store in a fresh process; its JSON line, or {"error": ...}."""
    command = [sys.executable, __file__, "--child", phase, "--stores", store, "--data", str(data)]
    command += ["--folder", str(folder)]
    command += ["--site", site] if site else []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def cpu_model() -> str:
    with open("/proc/cpuinfo") as info:
        return next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "?")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: how busy the cores were besides this benchmark."""
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--stores", default=STORES)
    parser.add_argument("--site", default=None, help="a folder appended to sys.path (pip install --target)")
    parser.add_argument("--busy", type=int, default=0, help="processes spinning on a core each throughout the run")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--data", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--folder", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.site:
        sys.path.append(args.site)  # after site-packages: the venv's numpy and pyarrow win
    if args.child:
        run = child_build if args.child == "build" else child_query
        print(json.dumps(run(args.stores, Path(args.data), Path(args.folder))))
        return

    import numpy as np

    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )
    print(f"command: python bench/rag_stores.py {' '.join(sys.argv[1:])}; load average before: {load_average()}")
    print(
        f"dim {DIM}, float32 unit vectors, {QUERIES} queries one at a time, k={K}, latency after {WARMUP} warm-up "
        f"queries; faiss-hnsw M={HNSW_M} efConstruction={HNSW_EF_CONSTRUCTION} efSearch={HNSW_EF_SEARCH}; "
        f"RSS: peak (VmHWM) minus the process's baseline; {args.busy} busy process(es) spinning alongside\n"
    )
    header = ["n", "store", "recall@10", "p50 ms", "p95 ms", "build s", "load s", "disk MB", "build RSS +MB",
              "serve RSS +MB", "threads"]  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    work = Path(tempfile.mkdtemp(prefix="rag_stores_"))
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        for n in (int(size) for size in args.sizes.split(",")):
            data = work / f"data-{n}"
            data.mkdir()
            make_data(data, n)
            for store in args.stores.split(","):
                folder = work / f"{store}-{n}"
                folder.mkdir()
                built = measure("build", store, data, folder, args.site)
                found = built if "error" in built else measure("query", store, data, folder, args.site)
                if "error" in found:
                    print(f"| {n} | {store} | skipped: {found['error'][:100]} |" + " |" * (len(header) - 3), flush=True)
                    continue
                ms = [seconds * 1000 for seconds in found["latencies"]]
                row = [
                    str(n),
                    store,
                    f"{found['recall']:.3f}",
                    f"{percentile(ms, 0.5):.2f}",
                    f"{percentile(ms, 0.95):.2f}",
                    f"{built['build_s']:.2f}",
                    f"{found['load_s']:.3f}",
                    f"{built['disk_bytes'] / 1e6:.1f}",
                    f"{(built['peak_kb'] - built['before_kb']) / 1024:.0f}",
                    f"{(found['peak_kb'] - found['before_kb']) / 1024:.0f}",
                    found["threads"],
                ]
                print("| " + " | ".join(row) + " |", flush=True)
                shutil.rmtree(folder)
        print(f"\nload average after: {load_average()} (other work on the cores slows every row)")
    finally:
        for spinner in spinners:
            spinner.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
