package io.edgeproxy.tools.cli.sql;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;

/**
 * Where the shell's lines come from: a terminal with line editing and history
 * ({@link TerminalLineSource}), or plain input (a pipe, a file for {@code .read}, a test's stream).
 */
interface LineSource extends AutoCloseable {
  /** The next line without its terminator, or null at the end of input (Ctrl-D on a terminal). */
  @Nullable String readLine(String prompt);

  /** Whether a person is typing: prompts, a banner, and errors that do not change the exit code. */
  boolean interactive();

  @Override
  void close();

  /** Lines of a reader, without prompts. */
  static LineSource plain(BufferedReader reader) {
    return new LineSource() {
      @Override
      public @Nullable String readLine(String prompt) {
        try {
          return reader.readLine();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read input: " + e.getMessage(), e);
        }
      }

      @Override
      public boolean interactive() {
        return false;
      }

      @Override
      public void close() {
        try {
          reader.close();
        } catch (IOException e) {
          // nothing was written through it
        }
      }
    };
  }
}
