package io.edgeproxy.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import io.edgeproxy.replication.wire.ChangeSet;
import io.edgeproxy.replication.wire.Row;
import io.edgeproxy.replication.wire.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@link WireRows} writes and reads the {@code Row} encoding by hand: these tests hold it to the
 * generated Protobuf classes, byte for byte when writing and verdict for verdict when reading.
 */
class WireRowsTest {
  @Test
  void cellsOfTheRowsVersionCarryNoVersionAndOthersTheirOwn() throws Exception {
    Version row = new Version(5_000L << 16, "pop-a");
    Map<String, Cell> cells = new LinkedHashMap<>();
    cells.put("port", new Cell(80L, row));
    cells.put("weight", new Cell(3L, new Version(7_000L << 16, "pop-b")));
    cells.put("healthy", new Cell(1L, new Version(0, "pop-a"))); // a legacy cell: version 0, not "absent"
    cells.put("app", new Cell("web", new Version(row.hlc(), "pop-c")));
    cells.put("wg_ip", new Cell(null, row));
    cells.put("cert", new Cell(new byte[] {1, 2, 3}, row));
    RowChange change = new RowChange("backends", "b-1", 7, row, cells);

    Row wire = Row.parseFrom(WireRows.encode(change));
    assertThat(wire.getCells(0).hasHlc()).isFalse();
    assertThat(wire.getCells(0).getNode()).isEmpty();
    assertThat(wire.getCells(2).hasHlc()).isTrue();
    assertThat(wire.getCells(3).getNode()).isEqualTo("pop-c");

    RowChange back = WireRows.decode(wire.toByteString());
    assertThat(back.version()).isEqualTo(row);
    assertThat(back.cl()).isEqualTo(7);
    for (var cell : cells.entrySet()) {
      assertThat(back.cells().get(cell.getKey()).version()).as(cell.getKey()).isEqualTo(cell.getValue().version());
    }
    assertThat(back.cells().get("port").value()).isEqualTo(80L);
    assertThat(back.cells().get("wg_ip").value()).isNull();
    assertThat((byte[]) back.cells().get("cert").value()).containsExactly(1, 2, 3);
  }

  @Test
  void aValueOfNoKindIsRefusedNamingTheColumn() {
    Row wire = Row.newBuilder().setTable("backends").setKey("b-1").setCl(1).setHlc(1).setNode("pop-a")
        .addCells(io.edgeproxy.replication.wire.Cell.newBuilder().setColumn("port").setValue(Value.getDefaultInstance()))
        .build();
    assertThatThrownBy(() -> WireRows.decode(wire.toByteString())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port");
    Row noValue = wire.toBuilder().setCells(0, wire.getCells(0).toBuilder().clearValue()).build();
    assertThatThrownBy(() -> WireRows.decode(noValue.toByteString())).hasMessageContaining("port");
    assertThat(WireRowCheck.problemWith(wire.toByteString())).isEqualTo("column port has a value of no known kind");
    assertThat(WireRowCheck.problemWith(noValue.toByteString())).isEqualTo("column port has a value of no known kind");
  }

  @Test
  void bytesThatAreNoRowAreRefusedSayingSo() {
    ByteString truncated = ByteString.copyFrom(new byte[] {0x32, 0x7f, 1});
    assertThatThrownBy(() -> WireRows.decode(truncated)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a row");
    assertThat(WireRowCheck.problemIn(java.util.List.of(truncated))).startsWith("not a row");
  }

  @Test
  void rowsAreWrittenByteForByteAsTheGeneratedMessageWritesThem() {
    Random random = new Random(42);
    for (int i = 0; i < 5_000; i++) {
      RowChange change = randomChange(random);
      assertThat(WireRows.encode(change).toByteArray()).as("case %d: %s", i, change).isEqualTo(reference(change).toByteArray());
    }
  }

  @Test
  void rowsAreReadAsTheGeneratedMessageReadsThemIncludingCorruptOnes() {
    Random random = new Random(7);
    int refused = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = reference(randomChange(random)).toByteArray();
      if (i % 2 == 1) {
        mutate(bytes, random); // corrupt about half of them: both readers must agree on the verdict
      }
      RowChange expected;
      try {
        expected = referenceRead(Row.parseFrom(bytes));
      } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
        refused++;
        final int n = i;
        assertThatThrownBy(() -> WireRows.decode(ByteString.copyFrom(bytes))).as("case %d", n)
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(WireRowCheck.problemWith(ByteString.copyFrom(bytes))).as("the check of case %d", n).isNotNull();
        continue;
      }
      assertThat(WireRowCheck.problemWith(ByteString.copyFrom(bytes))).as("the check of case %d: %s", i, java.util.HexFormat.of().formatHex(bytes)).isNull();
      RowChange actual = WireRows.decode(ByteString.copyFrom(bytes));
      assertThat(describe(actual)).as("case %d", i).isEqualTo(describe(expected));
    }
    assertThat(refused).as("corrupt rows refused").isBetween(1_000, 9_000);
  }

  @Test
  void aChangeSetOfRowBytesIsWhatABuildWithRepeatedRowMessagesReads() throws Exception {
    Random random = new Random(3);
    List<RowChange> rows = List.of(randomChange(random), randomChange(random), randomChange(random));
    ChangeSet.Builder set = ChangeSet.newBuilder().setPrevious(4).setTxn(5);
    rows.forEach(r -> set.addRows(WireRows.encode(r)));
    // What a reader declaring `repeated Row rows = 3` finds: length-delimited fields 3, each a Row.
    List<ByteString> field3 = UnknownFieldSet.parseFrom(set.build().toByteArray()).getField(3).getLengthDelimitedList();
    assertThat(field3).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(describe(referenceRead(Row.parseFrom(field3.get(i))))).isEqualTo(describe(rows.get(i)));
    }
  }

  // ---- the generated classes' view of the same encoding ----

  private static Row reference(RowChange change) {
    Row.Builder row = Row.newBuilder().setTable(change.table()).setKey(change.key()).setCl(change.cl())
        .setHlc(change.version().hlc()).setNode(change.version().node());
    Version rowVersion = change.version();
    change.cells().forEach((column, cell) -> {
      var wire = io.edgeproxy.replication.wire.Cell.newBuilder().setColumn(column).setValue(referenceValue(cell.value()));
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

  private static Value referenceValue(@Nullable Object value) {
    Value.Builder v = Value.newBuilder();
    return switch (value) {
      case null -> v.setIsNull(true).build();
      case Long l -> v.setInteger(l).build();
      case Double d -> v.setReal(d).build();
      case String s -> v.setText(s).build();
      case byte[] b -> v.setBlob(ByteString.copyFrom(b)).build();
      default -> throw new AssertionError(value);
    };
  }

  private static RowChange referenceRead(Row row) {
    Version rowVersion = new Version(row.getHlc(), row.getNode());
    Map<String, Cell> cells = new LinkedHashMap<>();
    for (io.edgeproxy.replication.wire.Cell cell : row.getCellsList()) {
      Version version = rowVersion;
      if (cell.hasHlc() || !cell.getNode().isEmpty()) {
        version = new Version(cell.hasHlc() ? cell.getHlc() : rowVersion.hlc(), cell.getNode().isEmpty() ? rowVersion.node() : cell.getNode());
      }
      Value value = cell.getValue();
      Object plain = switch (value.getKindCase()) {
        case IS_NULL -> null;
        case INTEGER -> value.getInteger();
        case REAL -> value.getReal();
        case TEXT -> value.getText();
        case BLOB -> value.getBlob().toByteArray();
        case KIND_NOT_SET -> throw new IllegalArgumentException("column " + cell.getColumn() + " has a value of no known kind");
      };
      cells.put(cell.getColumn(), new Cell(plain, version));
    }
    return new RowChange(row.getTable(), row.getKey(), row.getCl(), rowVersion, cells);
  }

  /** A row state as text, blobs by content (records compare arrays by identity). */
  private static String describe(RowChange change) {
    StringBuilder out = new StringBuilder(change.table() + "/" + change.key() + " cl=" + change.cl() + " " + change.version());
    change.cells().forEach((column, cell) -> out.append(' ').append(column).append('=')
        .append(switch (cell.value()) {
          case null -> "null";
          case byte[] b -> "blob" + java.util.Arrays.toString(b);
          default -> cell.value() + ":" + cell.value().getClass().getSimpleName();
        })
        .append('@').append(cell.version()));
    return out.toString();
  }

  private static RowChange randomChange(Random random) {
    Version row = new Version(random.nextInt(4) == 0 ? 0 : random.nextLong(), random.nextInt(8) == 0 ? "" : "pop-" + random.nextInt(5));
    Map<String, Cell> cells = new LinkedHashMap<>();
    int count = random.nextInt(8) == 0 ? 0 : random.nextInt(12);
    for (int i = 0; i < count; i++) {
      Version version = switch (random.nextInt(4)) {
        case 0 -> new Version(random.nextLong(), row.node());
        case 1 -> new Version(row.hlc(), "pop-" + random.nextInt(5));
        case 2 -> new Version(0, "pop-x");
        default -> row;
      };
      cells.put(random.nextInt(6) == 0 ? "" : "c" + random.nextInt(20) + (random.nextBoolean() ? "é" : ""), new Cell(randomValue(random), version));
    }
    return new RowChange(random.nextInt(10) == 0 ? "" : "backends", "k" + random.nextInt(1000), 1 + (random.nextInt(3) == 0
        ? random.nextLong() & Long.MAX_VALUE : random.nextInt(100)), row, cells);
  }

  private static @Nullable Object randomValue(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> null;
      case 1 -> random.nextLong();
      case 2 -> (long) random.nextInt(3) - 1;
      case 3 -> random.nextDouble() * 1e6 - 5e5;
      case 4 -> "v" + random.nextInt() + (random.nextBoolean() ? "\u00fc\u4e2d" : "");
      default -> {
        byte[] b = new byte[random.nextInt(5)];
        random.nextBytes(b);
        yield b;
      }
    };
  }

  private static void mutate(byte[] bytes, Random random) {
    if (bytes.length == 0) {
      return;
    }
    for (int n = 1 + random.nextInt(3); n > 0; n--) {
      int at = random.nextInt(bytes.length);
      bytes[at] = switch (random.nextInt(3)) {
        case 0 -> (byte) random.nextInt(256);
        case 1 -> (byte) (bytes[at] ^ (1 << random.nextInt(8)));
        default -> (byte) (bytes[at] + 1);
      };
    }
  }
}
