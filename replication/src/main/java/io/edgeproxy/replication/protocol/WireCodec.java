package io.edgeproxy.replication.protocol;

import com.google.protobuf.ByteString;
import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import io.edgeproxy.replication.wire.OriginClock;
import io.edgeproxy.replication.wire.Row;
import io.edgeproxy.replication.wire.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Row states and origin clocks to and from their Protobuf form. Pure. */
public final class WireCodec {
  private WireCodec() {}

  public static Row toWire(RowChange change) {
    Row.Builder row = Row.newBuilder().setTable(change.table()).setKey(change.key()).setCl(change.cl())
        .setHlc(change.version().hlc()).setNode(change.version().node());
    Version rowVersion = change.version();
    change.cells().forEach((column, cell) -> {
      var wire = io.edgeproxy.replication.wire.Cell.newBuilder().setColumn(column).setValue(toWire(cell.value()));
      if (cell.version().hlc() != rowVersion.hlc()) {
        wire.setHlc(cell.version().hlc());
      }
      if (!cell.version().node().equals(rowVersion.node())) {
        wire.setNode(cell.version().node());
      }
      row.addCells(wire);
    });
    return row.build();
  }

  /**
   * The row state a wire row describes.
   *
   * @throws IllegalArgumentException when a value has no kind set or the causal length is 0 (a
   *     corrupt or foreign message)
   */
  public static RowChange fromWire(Row row) {
    Version rowVersion = new Version(row.getHlc(), row.getNode());
    Map<String, Cell> cells = new LinkedHashMap<>();
    for (io.edgeproxy.replication.wire.Cell cell : row.getCellsList()) {
      Version version = rowVersion;
      if (cell.hasHlc() || !cell.getNode().isEmpty()) {
        version = new Version(cell.hasHlc() ? cell.getHlc() : rowVersion.hlc(),
            cell.getNode().isEmpty() ? rowVersion.node() : cell.getNode());
      }
      cells.put(cell.getColumn(), new Cell(fromWire(cell.getColumn(), cell.getValue()), version));
    }
    return new RowChange(row.getTable(), row.getKey(), row.getCl(), rowVersion, cells);
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

  static List<OriginClock> clocks(Map<String, Long> byOrigin) {
    return byOrigin.entrySet().stream().map(e -> OriginClock.newBuilder().setOrigin(e.getKey()).setHlc(e.getValue()).build()).toList();
  }

  static Map<String, Long> clocks(List<OriginClock> wire) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (OriginClock c : wire) {
      out.merge(c.getOrigin(), c.getHlc(), Math::max);
    }
    return out;
  }
}
