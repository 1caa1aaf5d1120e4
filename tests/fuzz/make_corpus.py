#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/ from
datasets/fixtures and experiments/ (run from the repository root). The
inputs follow each target's layout (see the comment at the top of each
fuzz_*.cpp): an option byte, then the file(s). Includes the inputs people
really produce: a UTF-8 BOM, CRLF line ends, quoted fields holding
delimiters and newlines, ids beyond 2^32 written as strings, a file with no
final newline, an empty file. Two seeds are not written here and are kept
as committed: corpus/fuzz_results/reclift_run_tiny.json, the results.json
of `reclift run` on corpus/fuzz_experiment/tiny_synthetic.toml (synthetic
tiny preset, two arms, a profiler and a cold-start scenario)."""
import hashlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")


def read(*parts):
    with open(os.path.join(ROOT, *parts), "rb") as f:
        return f.read()


def put(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


fixtures = [f for f in sorted(os.listdir(os.path.join(ROOT, "datasets", "fixtures")))
            if os.path.isfile(os.path.join(ROOT, "datasets", "fixtures", f))]
real_world = [
    b"\xef\xbb\xbfuser,item,rating,timestamp\r\nu1,i1,5,100\r\nu1,i2,3,200\r\nu2,i1,4,300",
    b'user,item,rating\n"a,b","line\nbreak",5\n"q""uote",x,4\n',
    b"user,item,rating\n18446744073709551615,4294967296,1\n99999999999999999999999,1,2\n",
    b"user,item\nu1,i1\nu1,i1\nu2,i2",
    b"",
    b"user;item;rating\n1;2;3.5e0\n1;3;-inf\n1;4;nan\n",
]
for name in fixtures:
    body = read("datasets", "fixtures", name)
    for options in (0x00, 0x01, 0x80, 0x10):
        put("fuzz_interactions", bytes([options]) + body)
for body in real_world:
    for options in (0x00, 0x11, 0x89):
        put("fuzz_interactions", bytes([options]) + body)

items = read("datasets", "fixtures", "items.csv")
for options in (0, 1):
    put("fuzz_item_features", bytes([options]) + items)
    put("fuzz_item_features", bytes([options]) + b"\xef\xbb\xbf" + items.replace(b"\n", b"\r\n"))
    put("fuzz_item_features", bytes([options]) + b'item,title,categories\n1,"a\nb",x|y|x\n2,,\n')

SEP = b"\n===\n"
ml = [
    (0, ["ml-100k/u.data", "ml-100k/u.item"]),
    (1, ["ml-1m/ratings.dat", "ml-1m/movies.dat"]),
    (2, ["ml-latest/ratings.csv", "ml-latest/movies.csv", "ml-latest/tags.csv"]),
]
for layout, files in ml:
    parts = [read("datasets", "fixtures", f) for f in files]
    put("fuzz_movielens", bytes([layout]) + SEP.join(parts))
    put("fuzz_movielens", bytes([layout]) + SEP.join(p.replace(b"\n", b"\r\n") for p in parts))

for name in sorted(os.listdir(os.path.join(ROOT, "experiments"))):
    if name.endswith(".toml"):
        put("fuzz_experiment", read("experiments", name))
put("fuzz_experiment", b'[experiment]\nname = "x"\n[dataset]\nformat = "synthetic"\n'
                       b'[[arms]]\nname = "a"\nrecommender = "popularity"\n')

# a small valid results.json: the shape results/results.h documents
results = {
    "schema_version": 1,
    "experiment": {"name": "fuzz", "seed": 1},
    "dataset": {"name": "sample", "format": "csv", "fingerprint": "0123456789abcdef"},
    "arms": [{"name": "control", "plugin": "popularity@1.0.0", "metrics": {"ndcg@10": {"mean": 0.1}}},
             {"name": "t", "plugin": "als@1.0.0", "metrics": {"ndcg@10": {"mean": 0.2}}}],
    "comparisons": [{"control": "control", "treatment": "t", "metric": "ndcg@10", "lift": 0.1,
                     "p_value_t": 0.01, "p_value_wilcoxon": 0.02, "p_value_adjusted": 0.02,
                     "verdict": "better"}],
}
put("fuzz_results", json.dumps(results).encode())
put("fuzz_results", b'{"schema_version": 1}')
put("fuzz_results", b"[]")
print("corpora written to", OUT, file=sys.stderr)
