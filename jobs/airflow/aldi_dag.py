"""Airflow DAG of the ALDI pipeline: one spark-submit task per stage, daily, on YARN in cluster deploy mode.

Each day's run reads that day's inputs and writes its own run folder (both from the run date, {{ ds }}). Tasks
pass run.if-exists=resume, so a retried or re-triggered task skips a stage whose output is complete and made from
the same inputs and configuration, and redoes one that was interrupted.

Set-up on the Airflow side (apache-airflow-providers-apache-spark):
  * a Spark connection "aldi_spark" whose host is "yarn" (for Kubernetes: "k8s://https://<api server>", and add
    spark.kubernetes.container.image and the namespace to SPARK_CONF below);
  * the application jar (mvn -Pspark-submit -DskipTests package) at ALDI_JAR, and the configuration files at
    ALDI_CONF_DIR, on the machine that runs spark-submit; the files are shipped with --files;
  * the inputs of each day under ALDI_INPUT/<date>/ (CiteULike format here; change conf files for others).
tests: org.aldi.jobs.AirflowDagTest checks the job classes and arguments against the code.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

ALDI_JAR = "/opt/aldi/aldi-spark-0.1.0-SNAPSHOT-spark-submit.jar"
ALDI_CONF_DIR = "/opt/aldi/conf"
ALDI_INPUT = "hdfs:///aldi/input"
ALDI_RUNS = "hdfs:///aldi/runs"

# configuration files, later wins: the cluster environment, then the data set
CONF_FILES = ["cluster.conf", "citeulike-a.conf"]

# Spark's Java 17 flags, for the driver and the executors (the pom's spark.java17.opens; the test keeps them equal)
JAVA17_OPENS = (
    "-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED "
    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED "
    "--add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED "
    "--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED "
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED "
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED "
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED "
    "--add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED "
    "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
)

SPARK_CONF = {
    "spark.submit.deployMode": "cluster",
    "spark.driver.extraJavaOptions": JAVA17_OPENS,
    "spark.executor.extraJavaOptions": JAVA17_OPENS,
    # ND4J runs fastest single-threaded next to Spark's own task threads
    "spark.executorEnv.OMP_NUM_THREADS": "1",
    "spark.yarn.appMasterEnv.OMP_NUM_THREADS": "1",
}

# stage name -> job class, in pipeline order
STAGES = [
    ("ingest", "org.aldi.jobs.IngestJob"),
    ("split", "org.aldi.jobs.SplitJob"),
    ("sample", "org.aldi.jobs.SampleJob"),
    ("backbone", "org.aldi.jobs.BackboneJob"),
    ("distill", "org.aldi.jobs.DistillJob"),
    ("evaluate", "org.aldi.jobs.EvaluateJob"),
    ("report", "org.aldi.jobs.ReportJob"),
]


def job_arguments():
    """The arguments of every job: the shipped configuration files by name, then the run's dated paths."""
    args = []
    for name in CONF_FILES:
        args += ["--conf", name]
    overrides = [
        'run.dir="' + ALDI_RUNS + '/{{ ds }}"',
        'data.interactions.path="' + ALDI_INPUT + '/{{ ds }}/users.dat"',
        'data.content.path="' + ALDI_INPUT + '/{{ ds }}/item-tag.dat"',
        "run.if-exists=resume",
    ]
    for override in overrides:
        args += ["--set", override]
    return args


with DAG(
    dag_id="aldi_cold_start",
    description="ALDI cold-start recommendation: ingest, split, sample, backbone, distill, evaluate, report",
    start_date=datetime(2024, 1, 1),
    schedule="@daily",
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
) as dag:
    previous = None
    for stage, job_class in STAGES:
        task = SparkSubmitOperator(
            task_id=stage,
            conn_id="aldi_spark",
            application=ALDI_JAR,
            java_class=job_class,
            name="aldi-" + stage + "-{{ ds }}",
            files=",".join(ALDI_CONF_DIR + "/" + name for name in CONF_FILES),
            conf=SPARK_CONF,
            application_args=job_arguments(),
        )
        if previous is not None:
            previous >> task
        previous = task
