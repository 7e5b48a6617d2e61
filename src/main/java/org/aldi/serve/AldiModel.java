package org.aldi.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aldi.content.ContentColumn;
import org.aldi.distill.StudentTowers;
import org.aldi.distill.StudentVectors;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A trained ALDI model as a spark.ml Transformer: maps an item-content DataFrame to item vectors f_I(c) (Eq. 8,
 * batch norm with population statistics), which score against a user's f_U(e_u) as a cold item does in Eq. 9.
 * Content is an array of numbers or an ml Vector (sparse rows stay sparse: the item tower's first layer multiplies
 * only their non-zero entries); the output column is array&lt;float&gt;.
 *
 * <p>Saved in the layout of MLlib's own models: path/metadata (one JSON line: class, uid, timestamp, Spark version,
 * paramMap, defaultParamMap, as DefaultParamsWriter writes it, so PipelineModel.load reads it too) and path/data
 * (Parquet, one row per tower array: name, shape, values). Load with {@link #load} or {@link #read}.
 */
public final class AldiModel extends Model<AldiModel> implements MLWritable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Metadata field of the towers' batch-norm flag, next to DefaultParamsWriter's fields. */
  private static final String BATCH_NORM = "batchNorm";
  /** Schema of path/data: one row per tower array. */
  private static final StructType DATA = new StructType()
      .add("name", DataTypes.StringType, false)
      .add("shape", DataTypes.createArrayType(DataTypes.LongType, false), false)
      .add("values", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  private final String uid;
  private final StudentTowers towers;
  private final Param<String> contentCol;
  private final Param<String> outputCol;

  public AldiModel(String uid, StudentTowers towers) {
    this.uid = uid;
    this.towers = towers;
    contentCol = new Param<>(this, "contentCol", "item content column: array of numbers or ml Vector");
    outputCol = new Param<>(this, "outputCol", "output column of the item vectors f_I(c), array<float>");
    setDefault(contentCol, "features");
    setDefault(outputCol, "vector");
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The inference towers f_U and f_I. */
  public StudentTowers towers() {
    return towers;
  }

  public Param<String> contentCol() {
    return contentCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public AldiModel setContentCol(String value) {
    set(contentCol, value);
    return this;
  }

  public AldiModel setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  public String getContentCol() {
    return getOrDefault(contentCol);
  }

  public String getOutputCol() {
    return getOrDefault(outputCol);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    Broadcast<StudentTowers> broadcast =
        JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext()).broadcast(towers);
    return StudentVectors.withItemVectors(dataset.toDF(), getContentCol(), getOutputCol(), broadcast);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    String content = getContentCol();
    if (!List.of(schema.fieldNames()).contains(content)) {
      throw new IllegalArgumentException("no content column '" + content + "' in " + schema.simpleString());
    }
    ContentColumn.isVector(schema, content);
    if (List.of(schema.fieldNames()).contains(getOutputCol())) {
      throw new IllegalArgumentException("output column '" + getOutputCol() + "' exists already");
    }
    return schema.add(getOutputCol(), DataTypes.createArrayType(DataTypes.FloatType, false), false);
  }

  @Override
  public AldiModel copy(ParamMap extra) {
    AldiModel copy = copyValues(new AldiModel(uid, towers), extra);
    return copy.setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<AldiModel> read() {
    return new Reader();
  }

  public static AldiModel load(String path) {
    return read().load(path);
  }

  /** Sets the params of a paramMap JSON object (as written by {@link Writer}). */
  private void setParams(JsonNode paramMap, boolean asDefaults) {
    for (Iterator<Map.Entry<String, JsonNode>> it = paramMap.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      @SuppressWarnings("unchecked")
      Param<Object> param = (Param<Object>) getParam(e.getKey());
      Object value = param.jsonDecode(e.getValue().toString());
      if (asDefaults) {
        setDefault(param, value);
      } else {
        set(param, value);
      }
    }
  }

  static final class Writer extends MLWriter {
    private final AldiModel model;

    Writer(AldiModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      ObjectNode meta = JSON.createObjectNode();
      meta.put("class", AldiModel.class.getName());
      meta.put("timestamp", System.currentTimeMillis());
      meta.put("sparkVersion", sparkSession().version());
      meta.put("uid", model.uid());
      meta.set("paramMap", params(model, false));
      meta.set("defaultParamMap", params(model, true));
      meta.put(BATCH_NORM, model.towers.batchNorm());
      SparkContext sc = sparkSession().sparkContext();
      try {
        JavaSparkContext.fromSparkContext(sc).parallelize(List.of(JSON.writeValueAsString(meta)), 1)
            .saveAsTextFile(new Path(path, "metadata").toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      List<Row> rows = new ArrayList<>();
      model.towers.arrays().forEach((name, values) -> {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
          boxed[i] = values[i];
        }
        Long[] shape = java.util.Arrays.stream(model.towers.shapes().get(name)).boxed().toArray(Long[]::new);
        rows.add(RowFactory.create(name, shape, boxed));
      });
      sparkSession().createDataFrame(rows, DATA).repartition(1).write().mode(SaveMode.Overwrite)
          .parquet(new Path(path, "data").toString());
    }

    /** The explicitly set (or, with defaults, the default) params as a JSON object of JSON-encoded values. */
    private static ObjectNode params(AldiModel model, boolean defaults) {
      ObjectNode out = JSON.createObjectNode();
      for (Param<?> p : model.params()) {
        @SuppressWarnings("unchecked")
        Param<Object> param = (Param<Object>) p;
        if (defaults ? model.hasDefault(param) : model.isSet(param)) {
          Object value = defaults ? model.getDefault(param).get() : model.get(param).get();
          try {
            out.set(param.name(), JSON.readTree(param.jsonEncode(value)));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
      return out;
    }
  }

  static final class Reader extends MLReader<AldiModel> {
    @Override
    public AldiModel load(String path) {
      SparkSession spark = sparkSession();
      JsonNode meta;
      try {
        meta = JSON.readTree(spark.sparkContext().textFile(new Path(path, "metadata").toString(), 1).first());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the metadata of " + path, e);
      }
      if (!AldiModel.class.getName().equals(meta.get("class").asText())) {
        throw new IllegalArgumentException(path + " holds a " + meta.get("class").asText() + ", not an AldiModel");
      }
      Map<String, float[]> arrays = new LinkedHashMap<>();
      Map<String, long[]> shapes = new LinkedHashMap<>();
      for (Row r : spark.read().parquet(new Path(path, "data").toString()).collectAsList()) {
        List<Float> values = r.getList(2);
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = values.get(i);
        }
        arrays.put(r.getString(0), v);
        shapes.put(r.getString(0), r.<Long>getList(1).stream().mapToLong(Long::longValue).toArray());
      }
      AldiModel model = new AldiModel(meta.get("uid").asText(),
          StudentTowers.of(arrays, shapes, meta.get(BATCH_NORM).asBoolean()));
      model.setParams(meta.get("defaultParamMap"), true);
      model.setParams(meta.get("paramMap"), false);
      return model;
    }
  }
}
