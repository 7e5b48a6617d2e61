"""Runs an Airflow DAG file against stand-ins of the Airflow classes it uses and prints its DAGs and tasks as JSON.

Airflow itself is not installable where the tests run, so DAG and SparkSubmitOperator are replaced by recorders
that accept exactly the keyword arguments of the real ones (apache-airflow 2.x, apache-airflow-providers-apache-spark
4.x) and fail on any other. Used by org.aldi.jobs.AirflowDagTest:  python3 airflow_dag_tasks.py DAG_FILE
"""
import datetime
import json
import sys
import types

DAG_ARGUMENTS = {
    "dag_id", "description", "schedule", "schedule_interval", "start_date", "end_date", "catchup",
    "max_active_runs", "max_active_tasks", "default_args", "tags", "params", "dagrun_timeout", "doc_md",
}
BASE_OPERATOR_ARGUMENTS = {
    "task_id", "retries", "retry_delay", "retry_exponential_backoff", "max_retry_delay", "execution_timeout",
    "pool", "queue", "priority_weight", "trigger_rule", "depends_on_past", "email", "email_on_failure",
    "email_on_retry", "owner", "sla", "doc_md", "dag",
}
SPARK_SUBMIT_ARGUMENTS = {
    "application", "conf", "conn_id", "files", "py_files", "archives", "driver_class_path", "jars", "java_class",
    "packages", "exclude_packages", "repositories", "total_executor_cores", "executor_cores", "executor_memory",
    "driver_memory", "keytab", "principal", "proxy_user", "name", "num_executors", "status_poll_interval",
    "application_args", "env_vars", "verbose", "spark_binary", "properties_file", "yarn_queue", "deploy_mode",
    "use_krb5ccache",
}
# SparkSubmitOperator.template_fields: the only arguments where {{ ... }} is rendered
SPARK_SUBMIT_TEMPLATED = [
    "application", "conf", "files", "py_files", "jars", "driver_class_path", "packages", "exclude_packages",
    "keytab", "principal", "proxy_user", "name", "application_args", "env_vars", "properties_file",
]

dags = []
tasks = []


def check(kind, given, allowed):
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise TypeError(kind + " got unexpected keyword arguments: " + ", ".join(unknown))


class DAG:
    def __init__(self, dag_id=None, **kwargs):
        check("DAG", kwargs, DAG_ARGUMENTS)
        self.record = dict(kwargs, dag_id=dag_id)
        dags.append(self.record)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class SparkSubmitOperator:
    template_fields = SPARK_SUBMIT_TEMPLATED

    def __init__(self, **kwargs):
        check("SparkSubmitOperator", kwargs, SPARK_SUBMIT_ARGUMENTS | BASE_OPERATOR_ARGUMENTS)
        if "task_id" not in kwargs:
            raise TypeError("SparkSubmitOperator needs a task_id")
        self.record = dict(kwargs, upstream=[], dag=len(dags) - 1)
        tasks.append(self.record)

    def __rshift__(self, other):
        other.record["upstream"].append(self.record["task_id"])
        return other


def module(name, **attributes):
    m = types.ModuleType(name)
    m.__dict__.update(attributes)
    sys.modules[name] = m
    return m


module("airflow", DAG=DAG)
for name in ["airflow.providers", "airflow.providers.apache", "airflow.providers.apache.spark",
             "airflow.providers.apache.spark.operators"]:
    module(name)
module("airflow.providers.apache.spark.operators.spark_submit", SparkSubmitOperator=SparkSubmitOperator)


def plain(value):
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    raise TypeError("not JSON: " + repr(value))


path = sys.argv[1]
with open(path) as source:
    exec(compile(source.read(), path, "exec"), {"__name__": "dag_file", "__file__": path})
print(json.dumps({"dags": dags, "tasks": tasks, "templated": SPARK_SUBMIT_TEMPLATED}, default=plain, indent=1))
