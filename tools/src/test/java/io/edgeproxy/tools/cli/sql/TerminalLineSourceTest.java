package io.edgeproxy.tools.cli.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JLine side of the shell on a terminal made of streams: lines come through, history is kept in its file. */
@org.junit.jupiter.api.Timeout(30)
class TerminalLineSourceTest {
  @TempDir Path dir;

  @Test
  void readsLinesAndSavesThemToTheHistoryFile() throws Exception {
    Path history = dir.resolve("history");
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    // A dumb terminal over streams (the builder would open a pty, which never reports the end of a stream).
    Terminal terminal = new DumbTerminal(new ByteArrayInputStream("SELECT 1;\n.tables\n".getBytes(StandardCharsets.UTF_8)), screen);
    try (TerminalLineSource source = new TerminalLineSource(terminal, history)) {
      assertThat(source.readLine("edgeproxy> ")).isEqualTo("SELECT 1;");
      assertThat(source.readLine("edgeproxy> ")).isEqualTo(".tables");
      assertThat(source.readLine("edgeproxy> ")).isNull();
      assertThat(source.interactive()).isTrue();
    }
    assertThat(screen.toString(StandardCharsets.UTF_8)).contains("edgeproxy> ");
    assertThat(Files.readString(history)).contains("SELECT 1;").contains(".tables");
  }
}
