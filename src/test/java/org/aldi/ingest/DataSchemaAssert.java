package org.aldi.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/** Checks a written dataset against its documented schema in data-schemas/NAME.json. */
public final class DataSchemaAssert {
  private DataSchemaAssert() {}

  /** Same column names, order and types; no null in a column documented as not nullable. */
  public static void matches(String schemaName, Dataset<Row> data) {
    JsonNode schema;
    try {
      schema = new ObjectMapper().readTree(new File("data-schemas/" + schemaName + ".json"));
    } catch (IOException e) {
      throw new AssertionError("cannot read data-schemas/" + schemaName + ".json", e);
    }
    List<String> documented = new ArrayList<>();
    List<String> notNull = new ArrayList<>();
    for (JsonNode column : schema.get("columns")) {
      documented.add(column.get("name").asText() + ":" + column.get("type").asText());
      if (!column.get("nullable").asBoolean()) {
        notNull.add(column.get("name").asText());
      }
    }
    List<String> actual = new ArrayList<>();
    for (StructField f : data.schema().fields()) {
      actual.add(f.name() + ":" + f.dataType().simpleString());
    }
    assertEquals(documented, actual, "columns of " + schemaName);
    for (String column : notNull) {
      assertEquals(0, data.filter(data.col(column).isNull()).count(), "nulls in " + schemaName + "." + column);
    }
  }
}
