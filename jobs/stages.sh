# Sourced by the launch scripts: the job class (spark-submit --class) of each stage name.
#   stage_class STAGE   prints org.aldi.jobs.<Job>, or fails with status 2 on an unknown stage
# STAGE: ingest | split | sample | backbone | distill | evaluate | report | pipeline | embed | recommend | export
stage_class() {
  case "$1" in
    ingest) echo org.aldi.jobs.IngestJob ;; split) echo org.aldi.jobs.SplitJob ;; sample) echo org.aldi.jobs.SampleJob ;;
    backbone) echo org.aldi.jobs.BackboneJob ;; distill) echo org.aldi.jobs.DistillJob ;;
    evaluate) echo org.aldi.jobs.EvaluateJob ;; report) echo org.aldi.jobs.ReportJob ;;
    pipeline) echo org.aldi.jobs.PipelineJob ;;
    embed) echo org.aldi.jobs.EmbedItemsJob ;; recommend) echo org.aldi.jobs.RecommendJob ;;
    export) echo org.aldi.jobs.ExportJob ;;
    *) echo "unknown stage: $1 (ingest split sample backbone distill evaluate report pipeline embed recommend export)" >&2
       return 2 ;;
  esac
}
