package org.aldi.baselines;

import java.util.List;
import org.aldi.distill.ContentTable;
import org.aldi.distill.FeatureTable;
import org.aldi.distill.TrainingBatches;
import org.aldi.store.SeededHash;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DropoutNet's minibatches: ALDI's rows with two more columns, [e_u | e_i | e_j | c_i | c_j | keep_i | keep_j],
 * where keep is 0 (the item's behaviour embedding is dropped) with probability aldi.distill.dropoutnet.dropout,
 * drawn by a seeded hash of the triple and the item's place in it. They are in the input rather than the labels
 * because the network's output depends on them. The draw does not depend on the batch or the epoch, so a triple
 * set that returns in a later epoch (aldi.sample.epoch-sets) returns with the same masks; different sets bring
 * different masks.
 */
public class DropoutBatches extends TrainingBatches {
  private static final long serialVersionUID = 1L;
  private static final long SALT_DROPOUT = 0xD40;

  private final double dropout;
  private final long seed;

  public DropoutBatches(FeatureTable users, FeatureTable items, ContentTable content, FeatureTable weights,
      int batchSize, double dropout, long seed) {
    super(users, items, content, weights, batchSize);
    this.dropout = dropout;
    this.seed = seed;
  }

  @Override
  public DataSet build(List<int[]> triples) {
    DataSet batch = super.build(triples);
    int n = triples.size();
    float[] keep = new float[n * 2];
    for (int r = 0; r < n; r++) {
      keep[2 * r] = keep(triples.get(r), 1);
      keep[2 * r + 1] = keep(triples.get(r), 2);
    }
    INDArray x = Nd4j.hstack(batch.getFeatures(), Nd4j.create(keep, new long[] {n, 2}, 'c'));
    return new DataSet(x, batch.getLabels());
  }

  /** 1 to keep the behaviour embedding of the triple's item at position 1 (positive) or 2 (negative), 0 to drop it. */
  float keep(int[] triple, int position) {
    double u = SeededHash.unit(SeededHash.hash(seed, SALT_DROPOUT, triple[0], triple[1], triple[2], position));
    return u < dropout ? 0f : 1f;
  }
}
