package org.aldi.distill;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns triples (user, pos, neg) into minibatches for {@link AldiLayer}: input rows [e_u | e_i | e_j | c_i | c_j]
 * (content in the layout of its {@link ContentTable}: dense, or sparse slots) and label w_i. Runs on the executors,
 * with the tables broadcast. A baseline may extend the rows (DropoutNet's dropout masks) by overriding {@link #build}.
 */
public class TrainingBatches implements Serializable {
  private static final long serialVersionUID = 1L;

  private final FeatureTable users;
  private final FeatureTable items;
  private final ContentTable content;
  private final FeatureTable weights;
  private final int batchSize;

  public TrainingBatches(FeatureTable users, FeatureTable items, ContentTable content, FeatureTable weights,
      int batchSize) {
    if (users.dim() != items.dim()) {
      throw new IllegalStateException("user and item teacher embeddings differ in dimension: " + users.dim()
          + " vs " + items.dim());
    }
    this.users = users;
    this.items = items;
    this.content = content;
    this.weights = weights;
    this.batchSize = batchSize;
  }

  /** The layout of the input rows. */
  public InputLayout layout() {
    return new InputLayout(users.dim(), content.dim(), content.slots());
  }

  /** Batches of the rows (user, pos, neg), in order; the last one may be smaller. */
  public Iterator<DataSet> batches(Iterator<Row> triples) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return triples.hasNext();
      }

      @Override
      public DataSet next() {
        if (!triples.hasNext()) {
          throw new NoSuchElementException();
        }
        List<int[]> batch = new ArrayList<>(batchSize);
        while (triples.hasNext() && batch.size() < batchSize) {
          Row r = triples.next();
          batch.add(new int[] {r.getInt(0), r.getInt(1), r.getInt(2)});
        }
        return build(batch);
      }
    };
  }

  /** One minibatch from triples {user, pos, neg}. */
  public DataSet build(List<int[]> triples) {
    InputLayout layout = layout();
    int d = layout.teacherDim();
    int c = layout.contentWidth();
    int width = layout.width();
    int n = triples.size();
    float[] x = new float[n * width];
    float[] w = new float[n];
    float[] one = new float[1];
    for (int r = 0; r < n; r++) {
      int[] t = triples.get(r);
      int base = r * width;
      users.copy(t[0], x, base, "teacher user embeddings");
      items.copy(t[1], x, base + d, "teacher item embeddings (positive item)");
      items.copy(t[2], x, base + 2 * d, "teacher item embeddings (negative item)");
      content.copy(t[1], x, base + 3 * d, "item content (positive item)");
      content.copy(t[2], x, base + 3 * d + c, "item content (negative item)");
      weights.copy(t[1], one, 0, "teacher weights");
      w[r] = one[0];
    }
    return new DataSet(Nd4j.create(x, new long[] {n, width}, 'c'), Nd4j.create(w, new long[] {n, 1}, 'c'));
  }
}
