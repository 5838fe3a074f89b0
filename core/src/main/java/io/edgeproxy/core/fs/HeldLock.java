package io.edgeproxy.core.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive lock on a file (the OS's advisory lock, {@code fcntl}), held for a process's life or
 * until closed, with who holds it written inside, so a second taker is told whom it found. The OS
 * drops the lock when the process dies, kill -9 included: a stale file never blocks anyone.
 *
 * <p>POSIX locks belong to the process, and closing any descriptor of the file drops them all: so a
 * file this JVM already holds is never opened again (a second taker here is refused from the
 * registry of held files, with the first one's description).
 */
public final class HeldLock implements AutoCloseable {
  /** The files this JVM holds, by real path, with what their holder wrote. */
  private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

  /** What {@link #take} found. */
  public sealed interface Outcome {
    record Taken(HeldLock lock) implements Outcome {}

    /** Another process (or this one) holds it; {@code holder} is what it wrote, or "" when unreadable. */
    record Busy(Path file, String holder) implements Outcome {}
  }

  private final Path key;
  private final FileChannel channel;

  private HeldLock(Path key, FileChannel channel) {
    this.key = key;
    this.channel = channel;
  }

  /** Takes {@code file}'s lock (made if missing) without waiting; {@code what} names this holder. */
  public static Outcome take(Path file, String what) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path absolute = file.toAbsolutePath().normalize();
    Path key = (parent != null ? parent.toRealPath() : absolute.getRoot()).resolve(absolute.getFileName());
    String text = what + ", pid " + ProcessHandle.current().pid() + ", since " + Instant.now();
    String here = HELD.putIfAbsent(key, text);
    if (here != null) {
      return new Outcome.Busy(file, here);
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      if (channel.tryLock() == null) {
        String holder = holder(channel);
        channel.close();
        HELD.remove(key);
        return new Outcome.Busy(file, holder);
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      return new Outcome.Taken(new HeldLock(key, channel));
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close(); // and the lock, if it was taken
      }
      HELD.remove(key);
      throw e;
    }
  }

  private static String holder(FileChannel channel) {
    try {
      ByteBuffer buf = ByteBuffer.allocate(512);
      int n = channel.read(buf, 0);
      return n <= 0 ? "" : new String(buf.array(), 0, n, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** Releases the lock (the file stays, for the next holder to write into). */
  @Override
  public void close() throws IOException {
    try {
      channel.close();
    } finally {
      HELD.remove(key);
    }
  }
}
