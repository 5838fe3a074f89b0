package io.edgeproxy.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import io.edgeproxy.replication.wire.Row;
import io.edgeproxy.replication.wire.Value;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireCodecTest {
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

    Row wire = WireCodec.toWire(change);
    assertThat(wire.getCells(0).hasHlc()).isFalse();
    assertThat(wire.getCells(0).getNode()).isEmpty();
    assertThat(wire.getCells(2).hasHlc()).isTrue();
    assertThat(wire.getCells(3).getNode()).isEqualTo("pop-c");

    RowChange back = WireCodec.fromWire(Row.parseFrom(wire.toByteArray()));
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
    assertThatThrownBy(() -> WireCodec.fromWire(wire)).hasMessageContaining("port");
  }
}
