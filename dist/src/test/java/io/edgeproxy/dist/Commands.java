package io.edgeproxy.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/** Real tools (tar, dpkg, sqlite3, dig, curl, setpriv, systemd-analyze) run to their end. */
final class Commands {
  private Commands() {}

  /** Exit code and output (stdout and stderr together) of a finished command. */
  record Run(String command, int exit, String out) {
    /** This run, asserting that it exited 0. */
    Run ok() {
      assertThat(exit).as("%s exited %d:%n%s", command, exit, out).isZero();
      return this;
    }
  }

  /** Runs {@code command} to its end: at most 60 s, else it is killed and the test fails. */
  static Run run(String... command) throws Exception {
    return run(new ProcessBuilder(command));
  }

  /** Runs what {@code builder} describes (its command, environment, directory) to its end. */
  static Run run(ProcessBuilder builder) throws Exception {
    File out = File.createTempFile("edgeproxy-dist-", ".out");
    try {
      Process p = builder.redirectErrorStream(true).redirectOutput(out).start();
      boolean ended = p.waitFor(60, TimeUnit.SECONDS);
      if (!ended) {
        p.destroyForcibly();
      }
      String text = Files.readString(out.toPath(), StandardCharsets.UTF_8);
      String command = String.join(" ", builder.command());
      assertThat(ended).as("%s still running after 60 s:%n%s", command, text).isTrue();
      return new Run(command, p.exitValue(), text);
    } finally {
      Files.deleteIfExists(out.toPath());
    }
  }
}
