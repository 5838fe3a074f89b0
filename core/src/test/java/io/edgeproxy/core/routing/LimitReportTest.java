package io.edgeproxy.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitReportTest {
  @Test
  void aReportSurvivesTheWireWithAnyBackendIdAndNodeId() {
    Map<String, LimitShares.Report> backends = new LinkedHashMap<>();
    backends.put("web-1", new LimitShares.Report(12, 4, 10));
    backends.put("id with spaces\nand a newline %", new LimitShares.Report(0, 3, 3));
    LimitReport report = new LimitReport("pop é 1", 1_765_000_000_000L, 42, backends);
    assertThat(LimitReport.decode(report.encode())).isEqualTo(new LimitReport.Parsed.Ok(report));
    assertThat(LimitReport.decode(new LimitReport("pop-a", 1, 0, Map.of()).encode()))
        .isEqualTo(new LimitReport.Parsed.Ok(new LimitReport("pop-a", 1, 0, Map.of())));
  }

  @Test
  void reportsOfOnePopAreOrderedByItsProcessStartThenBySequence() {
    LimitReport first = new LimitReport("a", 100, 7, Map.of());
    assertThat(new LimitReport("a", 100, 8, Map.of()).isNewerThan(first)).isTrue();
    assertThat(new LimitReport("a", 100, 6, Map.of()).isNewerThan(first)).isFalse();
    assertThat(new LimitReport("a", 100, 7, Map.of()).isNewerThan(first)).isFalse();
    assertThat(new LimitReport("a", 200, 0, Map.of()).isNewerThan(first)).as("restarted").isTrue();
  }

  @Test
  void badReportsAreRefusedSayingWhatWasWrongAndWhatWasExpected() {
    assertThat(problem("hello")).contains("not a load report").contains("expected a first line");
    assertThat(problem("edgeproxy-load 2 pop-a 1 1\n")).isEqualTo("load report version 2 (expected: 1)");
    assertThat(problem("edgeproxy-load 1 pop-a\n")).contains("expected: edgeproxy-load 1 <node> <epoch> <seq>");
    assertThat(problem("edgeproxy-load 1 pop-a 1 x\n")).startsWith("load report: ");
    assertThat(problem("edgeproxy-load 1 pop-a 1 1\n1 2 web\n")).contains("line 2: \"1 2 web\"")
        .contains("expected: <demand> <active> <share> <backend id>");
    assertThat(problem("edgeproxy-load 1 pop-a 1 1\n1 -2 3 web\n")).contains("counts >= 0");
    assertThat(problem("edgeproxy-load 1 pop-a 1 1\nx 2 3 web\n")).startsWith("load report: ");
    assertThat(problem("edgeproxy-load 1 pop-a 1 1\n1 2 3 %zz\n")).startsWith("load report: ");
    assertThat(problem("edgeproxy-load 1  1 1\n")).isEqualTo("load report without a node id");
    assertThat(problem("edgeproxy-load 1 pop-a 1 1\n" + "1 1 1 b\n".repeat(LimitReport.MAX_BACKENDS + 1)))
        .contains("at most " + LimitReport.MAX_BACKENDS);
  }

  private static String problem(String text) {
    return ((LimitReport.Parsed.Bad) LimitReport.decode(text)).problem();
  }
}
