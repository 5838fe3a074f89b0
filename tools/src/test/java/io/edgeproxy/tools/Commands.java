package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Real clients (curl, openssl, sqlite3) run as users run them. */
final class Commands {
  private Commands() {}

  /** Exit code and output (stdout and stderr together). */
  record Run(int exit, String out) {}

  /** Runs {@code command} to its end (at most 30 s). */
  static Run run(String... command) throws Exception {
    return run(30, command);
  }

  /** Runs {@code command} to its end (at most {@code seconds}). */
  static Run run(int seconds, String... command) throws Exception {
    return run(new ProcessBuilder(command), seconds);
  }

  /** Runs {@code command} with {@code input} as its standard input, to its end (at most 30 s). */
  static Run run(java.nio.file.Path input, String... command) throws Exception {
    return run(new ProcessBuilder(command).redirectInput(input.toFile()), 30);
  }

  /**
   * dig's command line with {@code args}; as root, dig runs as nobody: it binds with SO_REUSEPORT,
   * so a root dig may be given the port a root agent's DNS server (SO_REUSEPORT too) listens on, and
   * then reads its own query back ("query response not set"). Different users never share a port.
   */
  static String[] dig(String... args) {
    java.util.List<String> cmd = new java.util.ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.addAll(java.util.List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
    }
    cmd.add("dig");
    cmd.addAll(java.util.List.of(args));
    return cmd.toArray(String[]::new);
  }

  private static Run run(ProcessBuilder command, int seconds) throws Exception {
    Process p = command.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(seconds, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }
}
