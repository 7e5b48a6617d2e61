package org.aldi.ranking;

import java.util.BitSet;

/**
 * Top-K selection with the reference code's deterministic tie rule (tf.nn.top_k): a higher score ranks first,
 * and of equal scores the lower item id ranks first. NaN scores rank below every number. Excluded candidates
 * never appear, whatever their score. When fewer than K candidates are left, all of them are returned, so the
 * list is shorter than K (Precision@K still divides by K).
 */
public final class TopK {
  private TopK() {}

  /**
   * The top k item ids, best first.
   *
   * @param scores scores of the candidates, candidate c at scores[offset + c]
   * @param ids the candidates' item ids (distinct)
   * @param excluded candidates (by index into ids) that must not be returned; may be null
   */
  public static int[] select(float[] scores, int offset, int[] ids, BitSet excluded, int k) {
    // A min-heap of candidate indices whose root is the worst of the best k seen so far. Once it is full, most
    // candidates lose against the root: that comparison comes first, the exclusion lookup only for the others.
    int[] heap = new int[Math.min(k, ids.length)];
    int size = 0;
    for (int c = 0; c < ids.length; c++) {
      boolean full = size == heap.length;
      if (full && (size == 0 || !better(scores[offset + c], ids[c], scores[offset + heap[0]], ids[heap[0]]))) {
        continue;
      }
      if (excluded != null && excluded.get(c)) {
        continue;
      }
      if (!full) {
        heap[size] = c;
        siftUp(heap, size++, scores, offset, ids);
      } else {
        heap[0] = c;
        siftDown(heap, size, scores, offset, ids);
      }
    }
    // Pop the worst repeatedly, filling the result from the back.
    int[] top = new int[size];
    for (int n = size; n > 0; n--) {
      top[n - 1] = ids[heap[0]];
      heap[0] = heap[n - 1];
      siftDown(heap, n - 1, scores, offset, ids);
    }
    return top;
  }

  /** True when (sa, ia) ranks before (sb, ib). */
  static boolean better(float sa, int ia, float sb, int ib) {
    boolean nanA = Float.isNaN(sa);
    boolean nanB = Float.isNaN(sb);
    if (nanA || nanB) {
      return nanA == nanB ? ia < ib : nanB;
    }
    return sa != sb ? sa > sb : ia < ib;
  }

  private static boolean worse(int a, int b, float[] scores, int offset, int[] ids) {
    return better(scores[offset + b], ids[b], scores[offset + a], ids[a]);
  }

  private static void siftUp(int[] heap, int i, float[] scores, int offset, int[] ids) {
    while (i > 0) {
      int parent = (i - 1) / 2;
      if (!worse(heap[i], heap[parent], scores, offset, ids)) {
        return;
      }
      swap(heap, i, parent);
      i = parent;
    }
  }

  private static void siftDown(int[] heap, int size, float[] scores, int offset, int[] ids) {
    int i = 0;
    while (true) {
      int worst = i;
      int left = 2 * i + 1;
      int right = left + 1;
      if (left < size && worse(heap[left], heap[worst], scores, offset, ids)) {
        worst = left;
      }
      if (right < size && worse(heap[right], heap[worst], scores, offset, ids)) {
        worst = right;
      }
      if (worst == i) {
        return;
      }
      swap(heap, i, worst);
      i = worst;
    }
  }

  private static void swap(int[] a, int i, int j) {
    int t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
