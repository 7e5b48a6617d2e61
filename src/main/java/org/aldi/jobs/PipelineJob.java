package org.aldi.jobs;

import java.util.List;
import org.aldi.backbone.BackboneStage;
import org.aldi.baselines.ModelStage;
import org.aldi.evaluate.EvaluateStage;
import org.aldi.ingest.IngestStage;
import org.aldi.report.ReportStage;
import org.aldi.sample.SampleStage;
import org.aldi.split.SplitStage;
import org.aldi.store.Stage;

/**
 * Runs the whole pipeline in order: ingest, split, triple sampling, backbone, distillation (or the baseline of
 * aldi.distill.method), evaluation, report. Every stage writes its datasets to the run folder (aldi.run.dir); the
 * metrics table is printed at the end.
 */
public final class PipelineJob {
  private PipelineJob() {}

  /** The stages of the pipeline, in order. */
  public static List<Stage> stages() {
    return List.of(new IngestStage(), new SplitStage(), new SampleStage(), new BackboneStage(), new ModelStage(),
        new EvaluateStage(), new ReportStage());
  }

  public static void main(String[] args) {
    JobLauncher.main(args, stages().toArray(new Stage[0]));
  }
}
