package io.edgeproxy.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the end-to-end benchmarks share: arguments, commands, agents' logs, pacing. */
final class BenchSupport {
  private BenchSupport() {}

  /**
   * A new directory for one run's agents (their routing.db files and logs). Removed when the JVM
   * exits, unless the arguments say {@code --keep-work-dir true}: then its path is printed, to read
   * the agents' logs. Runs once left about 27 MB each in /tmp.
   */
  static Path workDir(String prefix, String[] args) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    if (Boolean.parseBoolean(arg(args, "--keep-work-dir", "false"))) {
      System.out.println("work directory (kept): " + dir);
    } else {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
    }
    return dir;
  }

  /** Removes {@code dir} and everything in it, as far as it can (saying so when it cannot). */
  static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("cannot remove " + dir + ": " + e.getMessage());
    }
  }

  /** The value after {@code name} in {@code args}, or {@code fallback}. */
  static String arg(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  /** Comma-separated integers ("10,60,600"). */
  static List<Integer> ints(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        out.add(Integer.parseInt(s.strip()));
      }
    }
    return out;
  }

  /** Runs {@code command} with this process's output; fails unless it exits 0 within 2 minutes. */
  static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("failed: " + String.join(" ", command));
    }
  }

  /** Waits until {@code log} contains {@code text}. */
  static void awaitLog(Path log, String text, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!(Files.exists(log) && Files.readString(log).contains(text))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("'" + text + "' not logged within " + seconds + " s; see " + log);
      }
      Thread.sleep(20);
    }
  }

  /** Closes the connections, then stops the agents (SIGTERM, SIGKILL after 15 s). */
  static void stopAll(List<java.sql.Connection> dbs, List<Process> agents) throws Exception {
    for (java.sql.Connection c : dbs) {
      c.close();
    }
    for (Process p : agents) {
      p.destroy();
    }
    for (Process p : agents) {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /** Sleeps until {@link System#nanoTime()} reaches {@code dueNanos} (not at all if it has). */
  static void sleepUntil(long dueNanos) throws InterruptedException {
    long wait = dueNanos - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }
}
