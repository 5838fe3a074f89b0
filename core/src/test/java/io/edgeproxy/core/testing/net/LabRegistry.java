package io.edgeproxy.core.testing.net;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * The machine-wide record of lab runs: one marker file per run under {@code /tmp/edgeproxy-netlab/<runId>}
 * holding the owner JVM's pid and start time. Namespace, link and rule names all start with the run id,
 * so a marker is enough to find a run's leftovers. A file lock (plus this class's monitor, as file locks
 * are per JVM) serialises run creation and reaping across JVMs. Methods block on that lock.
 */
final class LabRegistry {
  static final Path DIRECTORY = Path.of("/tmp/edgeproxy-netlab");
  private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

  private LabRegistry() {}

  /** Runs {@code action} while holding the machine-wide lab lock. */
  static synchronized <T> T locked(Supplier<T> action) {
    try {
      Files.createDirectories(DIRECTORY);
      try (FileChannel channel = FileChannel.open(DIRECTORY.resolve(".lock"),
              StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        return action.get();
      }
    } catch (IOException e) {
      throw new NetworkLabException("cannot lock " + DIRECTORY.resolve(".lock"), e);
    }
  }

  /** A fresh run id, "ep" plus 5 base-36 characters, used by no marker and no namespace or link. */
  static String newRunId(RandomGenerator random, String namesInUse) {
    for (int attempt = 0; attempt < 100; attempt++) {
      StringBuilder id = new StringBuilder("ep");
      for (int i = 0; i < 5; i++) {
        id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      String runId = id.toString();
      if (!Files.exists(DIRECTORY.resolve(runId)) && !namesInUse.contains(runId)) {
        return runId;
      }
    }
    throw new NetworkLabException("no unused run id after 100 tries");
  }

  /** Records that this JVM owns {@code runId}; written before anything of the run exists. */
  static void writeMarker(String runId) {
    ProcessHandle self = ProcessHandle.current();
    String text = "pid=" + self.pid() + "\nstart=" + self.info().startInstant().map(Instant::toString).orElse("")
        + "\n";
    try {
      Files.writeString(DIRECTORY.resolve(runId), text);
    } catch (IOException e) {
      throw new NetworkLabException("cannot write lab marker " + DIRECTORY.resolve(runId), e);
    }
  }

  static void removeMarker(String runId) {
    try {
      Files.deleteIfExists(DIRECTORY.resolve(runId));
    } catch (IOException e) {
      throw new NetworkLabException("cannot remove lab marker " + DIRECTORY.resolve(runId), e);
    }
  }

  /**
   * Tears down every run whose owner JVM is gone; returns the failures. Runs owned by live JVMs, and
   * leftovers with no marker at all, are left alone.
   */
  static List<String> reapDeadRuns() {
    try (Stream<Path> markers = Files.list(DIRECTORY)) {
      return markers
          .filter(p -> p.getFileName().toString().matches("ep[0-9a-z]{5}"))
          .filter(p -> !ownerAlive(p))
          .flatMap(p -> reap(p.getFileName().toString()).stream())
          .toList();
    } catch (IOException e) {
      return List.of("cannot list " + DIRECTORY + ": " + e.getMessage());
    }
  }

  private static List<String> reap(String runId) {
    List<String> failures = LabTeardown.removeAll(runId);
    if (failures.isEmpty()) {
      removeMarker(runId);
    }
    return failures.stream().map(f -> "leftover run " + runId + ": " + f).toList();
  }

  private static boolean ownerAlive(Path marker) {
    Properties owner = new Properties();
    try (var reader = Files.newBufferedReader(marker)) {
      owner.load(reader);
    } catch (IOException e) {
      return true; // Unreadable: better to leave it than to tear down a live run.
    }
    Optional<ProcessHandle> process;
    try {
      process = ProcessHandle.of(Long.parseLong(owner.getProperty("pid", "")));
    } catch (NumberFormatException e) {
      return false;
    }
    String start = owner.getProperty("start", "");
    return process.filter(ProcessHandle::isAlive)
        .filter(p -> start.isEmpty() || p.info().startInstant().map(Instant::toString).orElse(start).equals(start))
        .isPresent();
  }
}
