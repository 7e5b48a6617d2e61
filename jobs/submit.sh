#!/usr/bin/env bash
# Submits one stage (or the whole pipeline) with spark-submit: to Spark in local mode, to YARN or to Kubernetes.
#   jobs/submit.sh local|yarn|k8s STAGE [--conf FILE]... [--set key=value]...
# STAGE: ingest | split | sample | backbone | distill | evaluate | report | pipeline | embed | recommend | export
#
# The application is the spark-submit jar (Spark provided by the cluster): build it with
#   mvn -Pspark-submit -DskipTests package      ->  target/aldi-spark-<version>-spark-submit.jar
# Without --conf: conf/local.conf and conf/citeulike-a.conf (local), conf/cluster.conf (yarn, k8s).
# Every --conf FILE is shipped with --files and handed to the job by its file name: YARN and Kubernetes put shipped
# files in the driver's working directory (cluster deploy mode). Spark's Java 17 flags (the pom's
# spark.java17.opens) go to the driver and the executors. On a cluster, the configuration must put the inputs and
# aldi.run.dir on storage that every node reads (hdfs://, s3a://): conf/cluster.conf takes the run folder from
# ALDI_RUN_DIR on the driver, or set it with --set run.dir=...
#
# Environment:
#   SPARK_SUBMIT     spark-submit to run (default: $SPARK_HOME/bin/spark-submit, else spark-submit on the PATH)
#   ALDI_JAR         the application jar (default: the one the profile builds); on Kubernetes a local jar is
#                    uploaded to ALDI_UPLOAD_PATH, or give a URI the cluster reads (local:///opt/aldi/aldi.jar, s3a://)
#   ALDI_MASTER      local only: the master (default local[2])
#   YARN_QUEUE       yarn only: the queue (default "default")
#   ALDI_EXECUTORS, ALDI_EXECUTOR_CORES, ALDI_EXECUTOR_MEMORY, ALDI_DRIVER_MEMORY   sizes (defaults 4, 2, 8g, 8g)
#   K8S_MASTER       k8s only, required: the API server, e.g. k8s://https://k8s.example.org:6443
#   ALDI_IMAGE       k8s only, required: a Spark 3.5 image with Java 17
#   K8S_NAMESPACE, K8S_SERVICE_ACCOUNT   k8s only (defaults "default", "spark")
#   ALDI_UPLOAD_PATH k8s only: where spark-submit uploads the jar and the --files (hdfs:// or s3a://)
#   DRY_RUN=1        print the command instead of running it
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: jobs/submit.sh local|yarn|k8s STAGE [--conf FILE]... [--set key=value]..."
target=${1:?$usage}
stage=${2:?$usage}
shift 2
source "$here/jobs/stages.sh"
class=$(stage_class "$stage")

opens=$(sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' "$here/pom.xml")
[ -n "$opens" ] || { echo "no spark.java17.opens in $here/pom.xml" >&2; exit 2; }
version=$(sed -n '0,/<version>\(.*\)<\/version>/s::\1:p' "$here/pom.xml" | tr -d ' ')
jar=${ALDI_JAR:-$here/target/aldi-spark-$version-spark-submit.jar}
if [ -n "${SPARK_SUBMIT:-}" ]; then submit=$SPARK_SUBMIT
elif [ -n "${SPARK_HOME:-}" ]; then submit=$SPARK_HOME/bin/spark-submit
else submit=spark-submit; fi

# the job's arguments: configuration files (in order; later wins) and overrides (which win over any file)
files=()
sets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --conf) [ $# -ge 2 ] || { echo "--conf needs a file" >&2; exit 2; }
            [ -f "$2" ] || { echo "configuration file not found: $2" >&2; exit 2; }
            files+=("$2"); shift 2 ;;
    --set)  [ $# -ge 2 ] || { echo "--set needs key=value" >&2; exit 2; }
            sets+=(--set "$2"); shift 2 ;;
    *) echo "unknown argument: $1 ($usage)" >&2; exit 2 ;;
  esac
done
if [ ${#files[@]} -eq 0 ]; then
  if [ "$target" = local ]; then files=("$here/conf/local.conf" "$here/conf/citeulike-a.conf")
  else files=("$here/conf/cluster.conf"); fi
fi
job_args=()
for file in "${files[@]}"; do
  if [ "$target" = local ]; then
    job_args+=(--conf "$file")              # client mode: the driver reads the file where it is
  else
    job_args+=(--conf "$(basename "$file")") # cluster mode: shipped with --files into the driver's directory
  fi
done
job_args+=(${sets[@]+"${sets[@]}"})

cmd=("$submit" --name "aldi-$stage" --class "$class"
  --conf "spark.driver.extraJavaOptions=$opens"
  --conf "spark.executor.extraJavaOptions=$opens"
  --conf spark.executorEnv.OMP_NUM_THREADS=1)
case "$target" in
  local)
    cmd+=(--master "${ALDI_MASTER:-local[2]}" --deploy-mode client --driver-memory "${ALDI_DRIVER_MEMORY:-8g}")
    ;;
  yarn|k8s)
    cmd+=(--deploy-mode cluster
      --driver-memory "${ALDI_DRIVER_MEMORY:-8g}" --executor-memory "${ALDI_EXECUTOR_MEMORY:-8g}"
      --executor-cores "${ALDI_EXECUTOR_CORES:-2}" --num-executors "${ALDI_EXECUTORS:-4}")
    if [ ${#files[@]} -gt 0 ]; then
      cmd+=(--files "$(IFS=,; echo "${files[*]}")")
    fi
    if [ "$target" = yarn ]; then
      cmd+=(--master yarn --queue "${YARN_QUEUE:-default}"
        --conf spark.yarn.appMasterEnv.OMP_NUM_THREADS=1)
    else
      cmd+=(--master "${K8S_MASTER:?k8s needs K8S_MASTER, e.g. k8s://https://host:6443}"
        --conf "spark.kubernetes.container.image=${ALDI_IMAGE:?k8s needs ALDI_IMAGE, a Spark 3.5 image with Java 17}"
        --conf "spark.kubernetes.namespace=${K8S_NAMESPACE:-default}"
        --conf "spark.kubernetes.authenticate.driver.serviceAccountName=${K8S_SERVICE_ACCOUNT:-spark}"
        --conf spark.kubernetes.driverEnv.OMP_NUM_THREADS=1)
      if [ -n "${ALDI_UPLOAD_PATH:-}" ]; then
        cmd+=(--conf "spark.kubernetes.file.upload.path=$ALDI_UPLOAD_PATH")
      fi
    fi
    ;;
  *) echo "unknown target: $target ($usage)" >&2; exit 2 ;;
esac
cmd+=("$jar" ${job_args[@]+"${job_args[@]}"})
if [ "${DRY_RUN:-0}" = 1 ]; then
  printf '%q ' "${cmd[@]}"; echo
else
  exec "${cmd[@]}"
fi
