package io.edgeproxy.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeproxy.core.change.Version;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CellsCodecTest {
  @Test
  void cellsComeBackAsTheyWentAndHashAsTheirObjectsDo() {
    Map<String, Clocks.StoredCell> cells = new LinkedHashMap<>();
    cells.put("port", new Clocks.StoredCell(new Version(5_000L << 16, "pop-a"), false, null));
    cells.put("expires_ms", new Clocks.StoredCell(new Version((5_000L << 16) + 3, "pop-b"), false, 1_700_000_000_000L));
    cells.put("older", new Clocks.StoredCell(new Version(0, "pop-a"), true, "kept aside"));
    cells.put("ratio", new Clocks.StoredCell(new Version(7_000L << 16, "pöp-ç"), true, 0.25));
    cells.put("blob", new Clocks.StoredCell(new Version(7_000L << 16, "pöp-ç"), true, new byte[] {0, 1, 2}));
    cells.put("größe", new Clocks.StoredCell(new Version(-1L, "pop-a"), true, -42L));

    byte[] data = CellsCodec.encode(cells);
    Map<String, Clocks.StoredCell> back = CellsCodec.decode(data);

    assertThat(back.keySet()).containsExactlyElementsOf(cells.keySet());
    for (var cell : cells.entrySet()) {
      Clocks.StoredCell got = back.get(cell.getKey());
      assertThat(got.version()).as(cell.getKey()).isEqualTo(cell.getValue().version());
      assertThat(got.kept()).as(cell.getKey()).isEqualTo(cell.getValue().kept());
      if (cell.getValue().value() instanceof byte[] bytes) {
        assertThat((byte[]) got.value()).isEqualTo(bytes);
      } else {
        assertThat(got.value()).as(cell.getKey()).isEqualTo(cell.getValue().value());
      }
    }
    long seed = RowHashes.cellSeed("backends", "b-1");
    assertThat(CellsCodec.hashCells(data, seed, 3)).isEqualTo(RowHashes.cellsHash(cells, seed, 3));
  }

  @Test
  void noCellsIsTwoBytesAndHashesToNothing() {
    byte[] none = CellsCodec.encode(Map.of());
    assertThat(none).hasSize(2);
    assertThat(CellsCodec.decode(none)).isEmpty();
    assertThat(CellsCodec.decode(null)).isEmpty();
    assertThat(CellsCodec.hashCells(none, 1, 1)).isZero();
  }

  @Test
  void anotherFormatIsRefusedSayingSo() {
    assertThatThrownBy(() -> CellsCodec.decode(new byte[] {9, 0})).hasMessageContaining("format 9");
  }
}
