package org.aldi.ranking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

/** Hand-computed cases; log2(3) = 1.5849625, log2(5) = 2.3219281. */
class RankingMetricsTest {
  private static final double EPS = 1e-6;

  @Test
  void fewerRelevantItemsThanK() {
    // T = {1,2,3}, hits at ranks 2 and 4 of K = 4.
    RankingMetrics.Values v = RankingMetrics.at(new int[] {5, 1, 7, 2}, new int[] {1, 2, 3}, 4);
    assertEquals(2.0 / 4, v.precision(), EPS);
    assertEquals(2.0 / 3, v.recall(), EPS);
    double dcg = 1 / 1.5849625 + 1 / 2.3219281;
    double idcg = 1 + 1 / 1.5849625 + 1 / 2.0; // min(|T|, K) = 3 positions
    assertEquals(dcg / idcg, v.ndcg(), EPS);
    assertEquals(0.498190, v.ndcg(), EPS);
  }

  @Test
  void moreRelevantItemsThanKUsesTheFullTruthInRecall() {
    // T has 5 items, K = 2: only [1, 9] counts; recall divides by |T| = 5, not by min(|T|, K) = 2.
    RankingMetrics.Values v = RankingMetrics.at(new int[] {1, 9, 2}, new int[] {1, 2, 3, 4, 5}, 2);
    assertEquals(0.5, v.precision(), EPS);
    assertEquals(0.2, v.recall(), EPS);
    assertEquals(1 / (1 + 1 / 1.5849625), v.ndcg(), EPS);
  }

  @Test
  void kLargerThanTheRankedListStillDividesPrecisionByK() {
    RankingMetrics.Values v = RankingMetrics.at(new int[] {3}, new int[] {3}, 5);
    assertEquals(0.2, v.precision(), EPS);
    assertEquals(1.0, v.recall(), EPS);
    assertEquals(1.0, v.ndcg(), EPS);
  }

  @Test
  void noHitIsZero() {
    RankingMetrics.Values v = RankingMetrics.at(new int[] {7, 8}, new int[] {1}, 2);
    assertEquals(0, v.precision());
    assertEquals(0, v.recall());
    assertEquals(0, v.ndcg());
  }

  @Test
  void emptyTruthIsNotEvaluated() {
    assertThrows(IllegalArgumentException.class, () -> RankingMetrics.at(new int[] {1}, new int[0], 1));
  }

  @Test
  void computeLaysOutEveryMetricAtEveryK() {
    double[] m = RankingMetrics.compute(new int[] {4, 2}, new int[] {2}, new int[] {1, 2});
    // precision@1, precision@2, recall@1, recall@2, ndcg@1, ndcg@2
    assertArrayEquals(new double[] {0, 0.5, 0, 1, 0, 1 / 1.5849625}, m, EPS);
  }

  @Test
  void tiesGoToTheLowerItemIdThenMetricsFollow() {
    float[] scores = {1f, 2f, 2f, 0f};
    int[] ids = {10, 30, 20, 40};
    int[] top = TopK.select(scores, 0, ids, null, 2);
    assertArrayEquals(new int[] {20, 30}, top);
    RankingMetrics.Values v = RankingMetrics.at(top, new int[] {30}, 2);
    assertEquals(0.5, v.precision(), EPS);
    assertEquals(1 / 1.5849625, v.ndcg(), EPS);
  }

  @Test
  void excludedItemsNeverAppearEvenWithTheBestScore() {
    float[] scores = {5f, 4f, 3f, 2f};
    int[] ids = {1, 2, 3, 4};
    BitSet excluded = new BitSet();
    excluded.set(0);
    int[] top = TopK.select(scores, 0, ids, excluded, 2);
    assertArrayEquals(new int[] {2, 3}, top);
    // Without the exclusion item 3 would be at rank 3, outside the top 2.
    assertEquals(1.0, RankingMetrics.at(top, new int[] {3}, 2).recall(), EPS);
    assertEquals(0.0, RankingMetrics.at(TopK.select(scores, 0, ids, null, 2), new int[] {3}, 2).recall(), EPS);
  }

  @Test
  void kLargerThanTheCandidatesReturnsThemAllInOrder() {
    float[] scores = {9f, 0.5f, 0.5f, 3f, -1f};
    int[] ids = {7, 6, 5, 4, 3};
    BitSet excluded = new BitSet();
    excluded.set(4);
    assertArrayEquals(new int[] {7, 4, 5, 6}, TopK.select(scores, 0, ids, excluded, 10));
  }

  @Test
  void offsetSelectsOneRowOfABlockAndNaNRanksLast() {
    float[] block = {1f, 2f, 3f, Float.NaN, 0f, -5f};
    int[] ids = {1, 2, 3};
    assertArrayEquals(new int[] {3, 2, 1}, TopK.select(block, 0, ids, null, 3));
    assertArrayEquals(new int[] {2, 3, 1}, TopK.select(block, 3, ids, null, 3));
  }
}
