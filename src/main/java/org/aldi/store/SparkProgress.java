package org.aldi.store;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * Progress with an estimate of the time left for long Spark work (ALS, triple sampling, full ranking), logged every
 * 30 s while a {@link Phase} is open: the Spark stages running now (tasks done of all, and the time left at their
 * rate so far) and, when the phase knows how many Spark jobs of a kind it runs (ALS: one Gram-matrix aggregate per
 * half iteration), those done of all and the time left at the rate so far. One listener per SparkContext, added by
 * the first phase.
 */
public final class SparkProgress extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger(SparkProgress.class);
  private static final long PERIOD_SECONDS = 30;
  private static final Map<SparkContext, SparkProgress> BY_CONTEXT = new WeakHashMap<>();

  /** Running Spark stages by id: name, tasks, tasks done, start. */
  private final Map<Integer, long[]> stages = new HashMap<>();
  private final Map<Integer, String> stageNames = new HashMap<>();
  /** Open phases, innermost last. */
  private final Deque<Open> phases = new ArrayDeque<>();
  /** Running jobs: the names of their stages, e.g. "aggregate at ALS.scala:1792". */
  private final Map<Integer, String> runningJobs = new HashMap<>();

  /** An open phase: jobs ended since it opened, and those of its kind. */
  private static final class Open {
    final String name;
    final int expectedJobs;
    final String jobName;
    final long start = System.nanoTime();
    int jobs;
    int jobsOfKind;

    Open(String name, int expectedJobs, String jobName) {
      this.name = name;
      this.expectedJobs = expectedJobs;
      this.jobName = jobName;
    }
  }

  private SparkProgress() {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "aldi-spark-progress");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(this::report, PERIOD_SECONDS, PERIOD_SECONDS, TimeUnit.SECONDS);
  }

  /** An open phase; closing it stops its reports (an enclosing phase reports again). */
  public interface Phase extends AutoCloseable {
    @Override
    void close();
  }

  /** Opens a phase of Spark work named for the log; phases nest (the innermost reports). */
  public static Phase phase(SparkSession spark, String name) {
    return phase(spark, name, 0, "");
  }

  /**
   * Opens a phase that runs a known number of Spark jobs of a kind: the basis of its time estimate.
   *
   * @param expectedJobs how many jobs whose stage names contain jobName the phase runs
   */
  public static Phase phase(SparkSession spark, String name, int expectedJobs, String jobName) {
    SparkProgress progress;
    synchronized (BY_CONTEXT) {
      progress = BY_CONTEXT.computeIfAbsent(spark.sparkContext(), sc -> {
        SparkProgress p = new SparkProgress();
        sc.addSparkListener(p);
        return p;
      });
    }
    Open phase = progress.open(new Open(name, expectedJobs, jobName));
    return () -> progress.close(phase);
  }

  private synchronized Open open(Open phase) {
    phases.addLast(phase);
    return phase;
  }

  private synchronized void close(Open phase) {
    phases.remove(phase);
    LOG.info("{}: {} Spark jobs in {} s{}", phase.name, phase.jobs,
        String.format("%.1f", (System.nanoTime() - phase.start) / 1e9),
        phase.expectedJobs > 0 ? " (" + phase.jobsOfKind + " with a stage '" + phase.jobName + "')" : "");
  }

  @Override
  public synchronized void onStageSubmitted(SparkListenerStageSubmitted event) {
    int id = event.stageInfo().stageId();
    stages.put(id, new long[] {event.stageInfo().numTasks(), 0, System.nanoTime()});
    stageNames.put(id, event.stageInfo().name());
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd event) {
    long[] stage = stages.get(event.stageId());
    if (stage != null) {
      stage[1]++;
    }
  }

  @Override
  public synchronized void onStageCompleted(SparkListenerStageCompleted event) {
    stages.remove(event.stageInfo().stageId());
    stageNames.remove(event.stageInfo().stageId());
  }

  @Override
  public synchronized void onJobStart(SparkListenerJobStart event) {
    StringBuilder names = new StringBuilder();
    JavaConverters.seqAsJavaList(event.stageInfos()).forEach(info -> names.append(info.name()).append('\n'));
    runningJobs.put(event.jobId(), names.toString());
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd event) {
    String stageNames = runningJobs.remove(event.jobId());
    for (Open phase : phases) {
      phase.jobs++;
      phase.jobsOfKind += stageNames != null && stageNames.contains(phase.jobName) ? 1 : 0;
    }
  }

  private synchronized void report() {
    Open phase = phases.peekLast();
    if (phase == null) {
      return;
    }
    long now = System.nanoTime();
    double elapsed = (now - phase.start) / 1e9;
    int expected = phase.expectedJobs;
    int done = phase.jobsOfKind;
    StringBuilder line = new StringBuilder(String.format("%s: %.0f s", phase.name, elapsed));
    if (expected > 0) {
      line.append(String.format(", %d of %d Spark jobs with a stage '%s' done", done, expected, phase.jobName));
      if (done > 0 && done < expected) {
        line.append(String.format(", about %.0f s left", elapsed * (expected - done) / done));
      }
    }
    for (Map.Entry<Integer, long[]> e : stages.entrySet()) {
      long[] s = e.getValue();
      double running = (now - s[2]) / 1e9;
      line.append(String.format("; Spark stage %d (%s) %d of %d tasks", e.getKey(), stageNames.get(e.getKey()), s[1],
          s[0]));
      if (s[1] > 0) {
        line.append(String.format(", about %.0f s left", running * (s[0] - s[1]) / s[1]));
      }
    }
    LOG.info(line.toString());
  }
}
