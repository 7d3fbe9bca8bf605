"""The README's PySpark example, on a small partitioned dataset in local mode: a gateway's
JSON Lines logs (one response per line, partitioned by date) and a folder of streamed
transcripts, each checked on Spark's Python workers with the same call as in pytest.

Skipped where pyspark is not installed (it needs Java 17); `.ci/run` installs pyspark 3.5.9
and runs it unless CHATCOMPAT_SKIP_PYSPARK=1."""

import json
import os
import sys

import pytest

import chatcompat

from conftest import PORTABLE

pyspark = pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # Workers run this interpreter (the venv with the wheel); everything stays on loopback.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("chatcompat-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _one_line(name):
    return json.dumps(json.loads((PORTABLE / name).read_bytes()))


def test_logs_partitioned_by_date_are_checked_on_the_workers(spark, tmp_path):
    from pyspark.sql import functions as F, types as T

    logs = tmp_path / "logs"
    days = {
        "2026-12-01": [_one_line("conforms.json"), _one_line("violates.json"), "{\"id\": "],
        "2026-12-02": [_one_line("extensions.json"), _one_line("conforms.json")],
    }
    for day, lines in days.items():
        (logs / f"date={day}").mkdir(parents=True)
        (logs / f"date={day}" / "part-0000.jsonl").write_text("\n".join(lines) + "\n")

    result_type = T.StructType(
        [
            T.StructField("verdict", T.StringType()),
            T.StructField("violations", T.ArrayType(T.StringType())),
            T.StructField("extensions", T.ArrayType(T.StringType())),
        ]
    )

    @F.udf(result_type)
    def check_openai(line):
        r = chatcompat.check("openai", line)
        problems = [str(v) for v in r.violations] + ([r.error] if r.error else [])
        return (r.verdict, problems, r.extensions)

    checked = spark.read.text(str(logs)).withColumn("check", check_openai("value"))
    counts = {
        (str(row["date"]), row["verdict"]): row["count"]
        for row in checked.groupBy("date", "check.verdict").count().collect()
    }
    assert counts == {
        ("2026-12-01", "conforms"): 1,
        ("2026-12-01", "violates"): 1,
        ("2026-12-01", "unreadable"): 1,
        ("2026-12-02", "conforms-with-extensions"): 1,
        ("2026-12-02", "conforms"): 1,
    }
    # The workers' answers are the driver's, violation text and positions included.
    for row in checked.select("value", "check.*").collect():
        local = chatcompat.check("openai", row["value"])
        assert row["verdict"] == local.verdict
        assert row["violations"] == [str(v) for v in local.violations] + ([local.error] if local.error else [])
        assert row["extensions"] == local.extensions


def test_transcripts_are_checked_with_binary_files(spark, tmp_path):
    stream = (PORTABLE / "stream.sse").read_bytes()
    (tmp_path / "good.sse").write_bytes(stream)
    (tmp_path / "cut.sse").write_bytes(stream.replace(b"data: {", b"data: {oops", 1))
    verdicts = dict(
        spark.sparkContext.binaryFiles(str(tmp_path / "*.sse"), minPartitions=2)
        .mapValues(lambda body: chatcompat.check_stream("openai", body).verdict)
        .map(lambda kv: (os.path.basename(kv[0]), kv[1]))
        .collect()
    )
    assert verdicts == {"good.sse": "conforms", "cut.sse": "violates"}
