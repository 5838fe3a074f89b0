package io.edgeproxy.tools.wireguard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs the system tools the mesh drives ({@code ip}, {@code wg}): argv, never a shell line, given at most 10 s to end. */
final class Shell {
  private static final long LIMIT_SECONDS = 10;

  /** How a command ended: its exit status (-1: it could not run or did not end in time) and what it printed. */
  record Ran(int exit, String output) {
    boolean ok() {
      return exit == 0;
    }
  }

  private Shell() {}

  /**
   * Runs {@code argv} with {@code stdin} (may be empty). Its output is read on a virtual thread, so a
   * command that hangs with its output open (a wedged wireguard-go socket) is killed after 10 s (and
   * its output awaited 10 s more at most).
   */
  static Ran run(List<String> argv, char[] stdin) {
    Process p;
    try {
      ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
      builder.environment().put("WG_ENDPOINT_RESOLUTION_RETRIES", "0"); // wg retries a failed name lookup for a minute
      p = builder.start();
    } catch (IOException e) {
      return new Ran(-1, argv.getFirst() + " cannot be run: " + e.getMessage());
    }
    CompletableFuture<String> output = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try (InputStream out = p.getInputStream()) {
        output.complete(new String(out.readNBytes(1 << 20), StandardCharsets.UTF_8).strip());
      } catch (IOException e) {
        output.complete(e.getMessage());
      }
    });
    try (OutputStream in = p.getOutputStream()) {
      for (char c : stdin) {
        in.write(c);
      }
    } catch (IOException e) {
      // it did not read its input: its exit status says why
    }
    try {
      if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Ran(-1, String.join(" ", argv) + " did not end within " + LIMIT_SECONDS + " s");
      }
      return new Ran(p.exitValue(), output.get(LIMIT_SECONDS, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Ran(-1, "interrupted");
    } catch (ExecutionException | TimeoutException e) {
      return new Ran(-1, String.join(" ", argv) + " ended but its output did not: " + e);
    }
  }

  static Ran run(String... argv) {
    return run(List.of(argv), new char[0]);
  }

  /** True when {@code name} is an executable file on the PATH. */
  static boolean onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return true;
      }
    }
    return false;
  }

  /** {@code text} safe for one log line: control characters shown as '?', at most 200 characters. */
  static String printable(String text) {
    StringBuilder b = new StringBuilder(Math.min(text.length(), 200));
    for (int i = 0; i < text.length() && i < 200; i++) {
      char c = text.charAt(i);
      b.append(c < 0x20 || (c >= 0x7f && c < 0xa0) ? '?' : c);
    }
    return text.length() > 200 ? b + "..." : b.toString();
  }
}
