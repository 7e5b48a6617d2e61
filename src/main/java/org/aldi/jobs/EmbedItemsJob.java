package org.aldi.jobs;

import org.aldi.serve.EmbedStage;

/** Job of the "new_items" stage: f_I(c_i) of a batch of new items (aldi.serve.new-items) with the trained towers. */
public final class EmbedItemsJob {
  private EmbedItemsJob() {}

  public static void main(String[] args) {
    JobLauncher.main(args, new EmbedStage());
  }
}
