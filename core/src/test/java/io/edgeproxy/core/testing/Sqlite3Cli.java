package io.edgeproxy.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code sqlite3} command-line shell, as an operator would. */
public final class Sqlite3Cli {
  private Sqlite3Cli() {}

  /** Runs {@code sql} against {@code db}; returns stdout; fails the test on a non-zero exit. */
  public static String exec(Path db, String sql) {
    try {
      // As an operator should: wait for the appliance's short write transactions instead of failing.
      Process p = new ProcessBuilder("sqlite3", "-bail", "-cmd", ".timeout 5000", db.toString())
          .redirectErrorStream(true)
          .start();
      p.getOutputStream().write(sql.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("sqlite3 did not finish: " + sql);
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("sqlite3 exited " + p.exitValue() + " for: " + sql + "\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError("cannot run sqlite3 (install the sqlite3 package)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
