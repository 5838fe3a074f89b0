package io.edgeproxy.tools.cli.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultRendererTest {
  private static final ResultTable TABLE = new ResultTable(List.of("id", "weight", "note"),
      List.of(Arrays.asList("web-1", 2L, "a,b"), Arrays.asList("web-22", 10L, null), Arrays.asList("x", 1.0, "q\"")));

  private static String render(OutputMode mode, boolean headers) {
    StringWriter out = new StringWriter();
    ResultRenderer.print(TABLE, mode, headers, new PrintWriter(out));
    return out.toString();
  }

  @Test
  void listIsPipeSeparatedWithNullAsEmpty() {
    assertThat(render(OutputMode.LIST, false)).isEqualTo("web-1|2|a,b\nweb-22|10|\nx|1.0|q\"\n");
    assertThat(render(OutputMode.LIST, true)).startsWith("id|weight|note\n");
  }

  @Test
  void csvQuotesWhatNeedsIt() {
    assertThat(render(OutputMode.CSV, true)).isEqualTo("id,weight,note\nweb-1,2,\"a,b\"\nweb-22,10,\nx,1.0,\"q\"\"\"\n");
  }

  @Test
  void jsonKeepsTypesAndNulls() throws Exception {
    JsonNode rows = new ObjectMapper().readTree(render(OutputMode.JSON, false));
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).path("weight").isIntegralNumber()).isTrue();
    assertThat(rows.get(1).path("note").isNull()).isTrue();
    assertThat(rows.get(2).path("weight").asDouble()).isEqualTo(1.0);
    StringWriter empty = new StringWriter();
    ResultRenderer.print(new ResultTable(List.of("a"), List.of()), OutputMode.JSON, false, new PrintWriter(empty));
    assertThat(new ObjectMapper().readTree(empty.toString()).isArray()).isTrue();
  }

  @Test
  void tableAlignsColumnsAndAlwaysHasHeaders() {
    assertThat(render(OutputMode.TABLE, false)).isEqualTo("""
        +--------+--------+------+
        | id     | weight | note |
        +--------+--------+------+
        | web-1  |      2 | a,b  |
        | web-22 |     10 |      |
        | x      |    1.0 | q"   |
        +--------+--------+------+
        """);
  }

  @Test
  void lineModePrintsOneColumnALine() {
    assertThat(render(OutputMode.LINE, false)).startsWith("    id = web-1\nweight = 2\n  note = a,b\n\n    id = web-22\n");
  }
}
