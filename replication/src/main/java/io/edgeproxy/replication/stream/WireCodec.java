package io.edgeproxy.replication.stream;

import com.google.protobuf.ByteString;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import io.edgeproxy.replication.wire.Row;
import io.edgeproxy.replication.wire.Value;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Row changes to and from their Protobuf form. Pure. */
public final class WireCodec {
  private WireCodec() {}

  public static Row toWire(RowChange change) {
    Row.Builder row = Row.newBuilder()
        .setTable(change.table())
        .setKey(change.key())
        .setHlc(change.version().hlc())
        .setNode(change.version().node())
        .setDeleted(change.deleted());
    change.columns().forEach((column, value) -> row.putColumns(column, toWire(value)));
    return row.build();
  }

  /**
   * The change a wire row describes.
   *
   * @throws IllegalArgumentException when a value has no kind set (a corrupt or newer message)
   */
  public static RowChange fromWire(Row row) {
    Map<String, @Nullable Object> columns = new LinkedHashMap<>();
    row.getColumnsMap().forEach((column, value) -> columns.put(column, fromWire(column, value)));
    return new RowChange(row.getTable(), row.getKey(), new Version(row.getHlc(), row.getNode()), columns, row.getDeleted());
  }

  static Value toWire(@Nullable Object value) {
    Value.Builder v = Value.newBuilder();
    if (value == null) {
      return v.setIsNull(true).build();
    }
    return switch (value) {
      case Long l -> v.setInteger(l).build();
      case Integer i -> v.setInteger(i).build();
      case Double d -> v.setReal(d).build();
      case Float f -> v.setReal(f).build();
      case String s -> v.setText(s).build();
      case byte[] b -> v.setBlob(ByteString.copyFrom(b)).build();
      default -> v.setText(value.toString()).build();
    };
  }

  private static @Nullable Object fromWire(String column, Value value) {
    return switch (value.getKindCase()) {
      case IS_NULL -> null;
      case INTEGER -> value.getInteger();
      case REAL -> value.getReal();
      case TEXT -> value.getText();
      case BLOB -> value.getBlob().toByteArray();
      case KIND_NOT_SET -> throw new IllegalArgumentException("column " + column + " has a value of no known kind");
    };
  }
}
