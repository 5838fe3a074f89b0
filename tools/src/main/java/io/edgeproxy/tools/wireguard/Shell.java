package io.edgeproxy.tools.wireguard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system tools the mesh drives ({@code ip}, {@code wg}): argv, never a shell line. */
final class Shell {
  /** How a command ended: its exit status (-1: it could not run or did not end in time) and what it printed. */
  record Ran(int exit, String output) {
    boolean ok() {
      return exit == 0;
    }
  }

  private Shell() {}

  /** Runs {@code argv} with {@code stdin} (may be empty), waiting at most 10 s. */
  static Ran run(List<String> argv, char[] stdin) {
    Process p;
    try {
      p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Ran(-1, argv.getFirst() + " cannot be run: " + e.getMessage());
    }
    try (OutputStream in = p.getOutputStream()) {
      for (char c : stdin) {
        in.write(c);
      }
    } catch (IOException e) {
      // it did not read its input: its exit status says why
    }
    try (InputStream out = p.getInputStream()) {
      byte[] bytes = out.readNBytes(1 << 20);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Ran(-1, String.join(" ", argv) + " did not end within 10 s");
      }
      return new Ran(p.exitValue(), new String(bytes, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      p.destroyForcibly();
      return new Ran(-1, e.getMessage());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Ran(-1, "interrupted");
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
}
