package io.edgeproxy.core.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * An exclusive lock on a file (the OS's advisory lock, {@code fcntl}), held for a process's life or
 * until closed, with who holds it written inside, so a second taker is told whom it found. The OS
 * drops the lock when the process dies, kill -9 included: a stale file never blocks anyone.
 */
public final class HeldLock implements AutoCloseable {
  /** What {@link #take} found. */
  public sealed interface Outcome {
    record Taken(HeldLock lock) implements Outcome {}

    /** Another process (or this one) holds it; {@code holder} is what it wrote, or "" when unreadable. */
    record Busy(Path file, String holder) implements Outcome {}
  }

  private final FileChannel channel;

  private HeldLock(FileChannel channel) {
    this.channel = channel;
  }

  /** Takes {@code file}'s lock (made if missing) without waiting; {@code what} names this holder. */
  public static Outcome take(Path file, String what) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    java.nio.channels.FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this JVM already
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      String holder = holder(channel);
      channel.close();
      return new Outcome.Busy(file, holder);
    }
    byte[] text = (what + ", pid " + ProcessHandle.current().pid() + ", since " + Instant.now() + "\n")
        .getBytes(StandardCharsets.UTF_8);
    channel.truncate(0);
    channel.write(ByteBuffer.wrap(text), 0);
    return new Outcome.Taken(new HeldLock(channel));
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
    channel.close();
  }
}
