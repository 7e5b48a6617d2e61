package org.aldi.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The distillation curves of model/history.json: each loss term and the validation metric per epoch. */
final class Curves {
  static final String[] TERMS = {"total", "basic", "rate", "rank", "iden"};

  private Curves() {}

  static String loss(JsonNode history) {
    List<SvgPlot.Series> series = new ArrayList<>();
    for (String term : TERMS) {
      series.add(new SvgPlot.Series(term, values(history, term)));
    }
    return SvgPlot.lines("Loss terms on the monitor batches", "epoch", "loss", values(history, "epoch"), series,
        history.get("best_epoch").asDouble(), "best epoch");
  }

  static String validation(JsonNode history) {
    String key = validationKey(history);
    return SvgPlot.lines("Cold-validation " + key.substring("val_cold_".length()) + " per epoch", "epoch", key,
        values(history, "epoch"), List.of(new SvgPlot.Series(key, values(history, key))),
        history.get("best_epoch").asDouble(), "best epoch");
  }

  /** The history's validation metric key, val_cold_ndcg@K. */
  static String validationKey(JsonNode history) {
    for (Iterator<String> it = history.get("epochs").get(0).fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (key.startsWith("val_cold_")) {
        return key;
      }
    }
    throw new IllegalStateException("model/history.json has no val_cold_ metric");
  }

  static double[] values(JsonNode history, String key) {
    JsonNode epochs = history.get("epochs");
    double[] v = new double[epochs.size()];
    for (int e = 0; e < v.length; e++) {
      v[e] = epochs.get(e).get(key).asDouble();
    }
    return v;
  }
}
