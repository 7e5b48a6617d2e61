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

  /**
   * Same column names, order and types (a documented type "a | b" admits either); no null in a column documented as
   * not nullable.
   */
  public static void matches(String schemaName, Dataset<Row> data) {
    JsonNode schema;
    try {
      schema = new ObjectMapper().readTree(new File("data-schemas/" + schemaName + ".json"));
    } catch (IOException e) {
      throw new AssertionError("cannot read data-schemas/" + schemaName + ".json", e);
    }
    List<String> documented = new ArrayList<>();
    List<String> notNull = new ArrayList<>();
    StructField[] fields = data.schema().fields();
    List<String> actual = new ArrayList<>();
    for (StructField f : fields) {
      actual.add(f.name() + ":" + f.dataType().simpleString());
    }
    int k = 0;
    for (JsonNode column : schema.get("columns")) {
      String name = column.get("name").asText();
      List<String> types = List.of(column.get("type").asText().split(" \\| "));
      String actualType = k < fields.length ? fields[k].dataType().simpleString() : "";
      documented.add(name + ":" + (types.contains(actualType) ? actualType : column.get("type").asText()));
      if (!column.get("nullable").asBoolean()) {
        notNull.add(name);
      }
      k++;
    }
    assertEquals(documented, actual, "columns of " + schemaName);
    for (String column : notNull) {
      assertEquals(0, data.filter(data.col(column).isNull()).count(), "nulls in " + schemaName + "." + column);
    }
  }
}
