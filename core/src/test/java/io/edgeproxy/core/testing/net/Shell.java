package io.edgeproxy.core.testing.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the lab's commands ({@code ip}, {@code iptables}) and fails loudly: a non-zero exit throws a
 * {@link NetworkLabException} carrying the command line and its stderr. Every call blocks until the
 * command ends (at most 30 s, then it is killed). Safe to use from any thread.
 */
final class Shell {
  private static final long TIMEOUT_SECONDS = 30;

  private Shell() {}

  /** Runs {@code command}; returns its stdout. Throws unless it exits 0. */
  static String run(List<String> command) {
    return run(command, "");
  }

  /** Runs {@code command} with {@code stdin} as its input; returns its stdout. Throws unless it exits 0. */
  static String run(List<String> command, String stdin) {
    Result result = exec(command, stdin);
    if (result.exit() != 0) {
      throw failure(command, result);
    }
    return result.stdout();
  }

  /**
   * Runs a check such as {@code iptables -C}: true on exit 0, false on exit 1, throws on anything else
   * (exit 2 and up mean a usage or environment error, not "no").
   */
  static boolean check(List<String> command) {
    Result result = exec(command, "");
    return switch (result.exit()) {
      case 0 -> true;
      case 1 -> false;
      default -> throw failure(command, result);
    };
  }

  private static NetworkLabException failure(List<String> command, Result result) {
    return new NetworkLabException("command failed (exit " + result.exit() + "): " + String.join(" ", command)
        + (result.stderr().isBlank() ? "" : "\n" + result.stderr().strip()));
  }

  private record Result(int exit, String stdout, String stderr) {}

  private static Result exec(List<String> command, String stdin) {
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new NetworkLabException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    }
    try {
      CompletableFuture<String> stdout = drain(process.getInputStream());
      CompletableFuture<String> stderr = drain(process.getErrorStream());
      try (OutputStream in = process.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new NetworkLabException("command did not finish in " + TIMEOUT_SECONDS + " s: "
            + String.join(" ", command));
      }
      return new Result(process.exitValue(), stdout.join(), stderr.join());
    } catch (IOException e) {
      process.destroyForcibly();
      throw new NetworkLabException("I/O error talking to " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new NetworkLabException("interrupted while running " + String.join(" ", command), e);
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread.ofVirtual().name("shell-output").start(() -> {
      try (stream) {
        result.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        result.completeExceptionally(new UncheckedIOException(e));
      }
    });
    return result;
  }
}
