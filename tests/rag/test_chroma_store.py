"""The chroma store against a real Chroma server that this module starts (and stops) on a free local port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from tunesmith.errors import InputError
from tunesmith.rag.stores import StoreSpec, chroma

N, DIM = 200, 32


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unit_vectors(n: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> str:
    """A Chroma server's url, up until the module ends; a server that won't start fails the tests (never skips)."""
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        pytest.fail(f"no `chroma` executable beside {sys.executable}: install tunesmith[rag-server]")
    folder, port = tmp_path_factory.mktemp("chroma"), free_port()
    log = (folder / "server.log").open("w+")
    command = [str(exe), "run", "--path", str(folder / "db"), "--port", str(port), "--host", "127.0.0.1"]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.seek(0)
                pytest.fail(f"Chroma server did not start (exit {proc.poll()}):\n{log.read()[-4000:]}")
            time.sleep(0.1)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.fixture(scope="module")
def built(server, tmp_path_factory):
    """200 random unit vectors built into generation `g1`, and that store opened."""
    spec, vectors = StoreSpec(kind="chroma", url=server, collection="test"), unit_vectors(N, seed=0)
    info = chroma.build(spec, tmp_path_factory.mktemp("index"), "g1", vectors)
    store = chroma.open(spec, Path("unused"), "g1", info)
    yield spec, vectors, info, store
    store.close()


def test_build_records_the_collection_and_its_size(built):
    _, _, info, _ = built
    assert info == {"collection": "test-g1", "count": N, "dim": DIM}


def test_each_vector_finds_itself_first_with_cosine_one(built):
    _, vectors, _, store = built
    rows = [0, 57, 123, 199]
    results = store.search(vectors[rows], k=5)
    assert len(results) == len(rows)
    for row, hits in zip(rows, results):
        assert len(hits) == 5
        assert hits[0].row == row
        assert hits[0].score == pytest.approx(1.0, abs=1e-5)
        scores = [hit.score for hit in hits]
        assert scores == sorted(scores, reverse=True)


def test_results_match_exact_inner_product_top_k(built):
    _, vectors, _, store = built
    queries = unit_vectors(25, seed=1)
    exact = queries @ vectors.T
    for query, hits in zip(exact, store.search(queries, k=5)):
        top = np.argsort(-query)[:5]
        assert {hit.row for hit in hits} == set(top.tolist())
        assert [hit.score for hit in hits] == pytest.approx(query[top].tolist(), abs=1e-5)


def test_k_beyond_the_collection_and_no_queries(built, server, tmp_path):
    spec = StoreSpec(kind="chroma", url=server, collection="test")
    info = chroma.build(spec, tmp_path, "small", unit_vectors(3, seed=2))
    store = chroma.open(spec, tmp_path, "small", info)
    assert [len(hits) for hits in store.search(unit_vectors(2, seed=3), k=10)] == [3, 3]
    assert store.search(np.zeros((0, DIM), np.float32), k=5) == []
    store.close()
    chroma.drop(spec, tmp_path, "small", info)


def test_rebuilding_a_generation_replaces_what_a_failed_build_left(server, tmp_path):
    spec = StoreSpec(kind="chroma", url=server, collection="test")
    chroma.build(spec, tmp_path, "again", unit_vectors(50, seed=4))
    vectors = unit_vectors(10, seed=5)
    info = chroma.build(spec, tmp_path, "again", vectors)
    store = chroma.open(spec, tmp_path, "again", info)
    assert [hits[0].row for hits in store.search(vectors, k=1)] == list(range(10))
    store.close()
    chroma.drop(spec, tmp_path, "again", info)


def test_open_refuses_an_incomplete_store(built):
    spec, _, info, _ = built
    with pytest.raises(InputError, match="incomplete .*tunesmith rag build") as caught:
        chroma.open(spec, Path("unused"), "g1", {**info, "count": N + 1})
    assert spec.url in str(caught.value) and "test-g1" in str(caught.value)


def test_drop_removes_the_generation(server, tmp_path):
    spec = StoreSpec(kind="chroma", url=server, collection="test")
    info = chroma.build(spec, tmp_path, "old", unit_vectors(20, seed=6))
    chroma.drop(spec, tmp_path, "old", info)
    with pytest.raises(InputError, match="'test-old' is missing.*tunesmith rag build") as caught:
        chroma.open(spec, tmp_path, "old", info)
    assert server in str(caught.value)
    chroma.drop(spec, tmp_path, "old", info)  # dropping twice is fine


def test_an_invalid_collection_name_names_the_key(server, tmp_path):
    spec = StoreSpec(kind="chroma", url=server, collection="bad name!")
    with pytest.raises(InputError) as caught:
        chroma.build(spec, tmp_path, "g1", unit_vectors(2, seed=7))
    assert caught.value.where == "store.collection"


@pytest.mark.parametrize(
    "url", [None, "", "localhost:8000", "ftp://host:8000", "http://:8000", "http://h:port", "http://h:1/x"]
)
def test_a_malformed_url_names_the_key(url, tmp_path):
    spec = StoreSpec(kind="chroma", url=url)
    with pytest.raises(InputError, match="expected http://host:port") as caught:
        chroma.build(spec, tmp_path, "g1", unit_vectors(2, seed=8))
    assert caught.value.where == "store.url"


def test_an_unreachable_server_names_the_url(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    spec = StoreSpec(kind="chroma", url=url)
    info = {"collection": "tunesmith-g1", "count": 2, "dim": DIM}
    for call in (
        lambda: chroma.build(spec, tmp_path, "g1", unit_vectors(2, seed=9)),
        lambda: chroma.open(spec, tmp_path, "g1", info),
        lambda: chroma.drop(spec, tmp_path, "g1", info),
    ):
        with pytest.raises(InputError, match=f"cannot reach the Chroma server at {url}") as caught:
            call()
        assert caught.value.where == "store.url"


def test_an_index_on_the_server_answers_like_the_embedded_one_and_drops_its_old_collection(server, settings, tmp_path):
    """`rag build` with `store: chroma`: hybrid search agrees with the embedded store; a rebuild's new collection
    replaces the old one on the server."""
    import chromadb

    from tunesmith.rag.build import build_index
    from tunesmith.rag.config import load_rag_config
    from tunesmith.rag.retrieve import Retriever

    cfg, base = load_rag_config(settings(store={"kind": "chroma", "url": server, "collection": "manuals"}))
    build_index(cfg, base, tmp_path / "remote")
    embedded_cfg, _ = load_rag_config(settings())
    build_index(embedded_cfg, base, tmp_path / "local")
    remote, local = Retriever(tmp_path / "remote"), Retriever(tmp_path / "local")
    for question in ("Quorvia Kettle admin PIN", "青岚空气净化器的保修期", "How long does the lantern run?"):
        assert [h.chunk.id for h in remote.search(question, 5, "dense")] == [
            h.chunk.id for h in local.search(question, 5, "dense")
        ]
    first = remote.manifest["store"]["info"]["collection"]
    remote.close()
    cfg.chunking.max_tokens = 120  # other chunking: a full rebuild, into a new collection
    build_index(cfg, base, tmp_path / "remote")
    host, port = server.removeprefix("http://").split(":")
    names = {c.name for c in chromadb.HttpClient(host=host, port=int(port)).list_collections()}
    second = Retriever(tmp_path / "remote").manifest["store"]["info"]["collection"]
    assert second in names and first not in names
