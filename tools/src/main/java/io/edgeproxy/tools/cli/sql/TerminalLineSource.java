package io.edgeproxy.tools.cli.sql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Lines typed at a terminal, through JLine: editing, Ctrl-R search and a history file kept across
 * sessions. Ctrl-C drops the line being typed (as in {@code sqlite3}); Ctrl-D ends the shell.
 */
final class TerminalLineSource implements LineSource {
  private final Terminal terminal;
  private final LineReader reader;

  TerminalLineSource(Terminal terminal, @Nullable Path history) {
    this.terminal = terminal;
    LineReaderBuilder builder = LineReaderBuilder.builder().terminal(terminal).appName("edgeproxy")
        // SQL is not a shell language: '!' and '\' mean nothing special, and no completion on words.
        .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true);
    if (history != null) {
      builder.variable(LineReader.HISTORY_FILE, history).variable(LineReader.HISTORY_FILE_SIZE, 10_000);
    }
    this.reader = builder.build();
  }

  /** The process's own terminal. */
  static TerminalLineSource system(@Nullable Path history) {
    try {
      return new TerminalLineSource(TerminalBuilder.builder().system(true).build(), history);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the terminal: " + e.getMessage(), e);
    }
  }

  @Override
  public @Nullable String readLine(String prompt) {
    while (true) {
      try {
        return reader.readLine(prompt);
      } catch (UserInterruptException e) {
        // Ctrl-C: forget the line, ask again
      } catch (EndOfFileException e) {
        return null;
      }
    }
  }

  @Override
  public boolean interactive() {
    return true;
  }

  @Override
  public void close() {
    try {
      reader.getHistory().save();
      terminal.close();
    } catch (IOException e) {
      // the history could not be saved: nothing to lose but convenience
    }
  }
}
