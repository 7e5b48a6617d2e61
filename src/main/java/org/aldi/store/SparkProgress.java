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
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress with an estimate of the time left for long Spark work (ALS, triple sampling, full ranking), logged every
 * 30 s while a {@link Phase} is open: the Spark stages running now (tasks done of all, and the time left at their
 * rate so far) and, when the phase knows how many Spark jobs it runs (ALS: about two per iteration), the jobs done
 * of all and the time left at the rate so far. One listener per SparkContext, added by the first phase.
 */
public final class SparkProgress extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger(SparkProgress.class);
  private static final long PERIOD_SECONDS = 30;
  private static final Map<SparkContext, SparkProgress> BY_CONTEXT = new WeakHashMap<>();

  /** Running Spark stages by id: name, tasks, tasks done, start. */
  private final Map<Integer, long[]> stages = new HashMap<>();
  private final Map<Integer, String> stageNames = new HashMap<>();
  /** Open phases, innermost last: name, expected jobs, jobs done when opened, start. */
  private final Deque<Object[]> phases = new ArrayDeque<>();
  private int jobsDone;

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

  /**
   * Opens a phase of Spark work named for the log; phases nest (the innermost reports).
   *
   * @param expectedJobs how many Spark jobs the phase runs, if known (else 0): the basis of its time estimate
   */
  public static Phase phase(SparkSession spark, String name, int expectedJobs) {
    SparkProgress progress;
    synchronized (BY_CONTEXT) {
      progress = BY_CONTEXT.computeIfAbsent(spark.sparkContext(), sc -> {
        SparkProgress p = new SparkProgress();
        sc.addSparkListener(p);
        return p;
      });
    }
    Object[] phase = progress.open(name, expectedJobs);
    return () -> progress.close(phase);
  }

  private synchronized Object[] open(String name, int expectedJobs) {
    Object[] phase = {name, expectedJobs, jobsDone, System.nanoTime()};
    phases.addLast(phase);
    return phase;
  }

  private synchronized void close(Object[] phase) {
    phases.remove(phase);
    LOG.info("{}: {} Spark jobs in {} s", phase[0], jobsDone - (int) phase[2],
        String.format("%.1f", (System.nanoTime() - (long) phase[3]) / 1e9));
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
  public synchronized void onJobEnd(SparkListenerJobEnd event) {
    jobsDone++;
  }

  private synchronized void report() {
    Object[] phase = phases.peekLast();
    if (phase == null) {
      return;
    }
    long now = System.nanoTime();
    double elapsed = (now - (long) phase[3]) / 1e9;
    int expected = (int) phase[1];
    int done = jobsDone - (int) phase[2];
    StringBuilder line = new StringBuilder(String.format("%s: %.0f s", phase[0], elapsed));
    if (expected > 0) {
      line.append(String.format(", %d of about %d Spark jobs done", done, expected));
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
