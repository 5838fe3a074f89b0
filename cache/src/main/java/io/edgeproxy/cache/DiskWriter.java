package io.edgeproxy.cache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One response being written: the head at once, body parts as they arrive, the trailer and the
 * rename into place at the end, all on the tier's thread in that order. Its methods are called by
 * one thread (the exchange's event loop).
 */
final class DiskWriter {
  private final DiskTier tier;
  private final String key;
  private final CacheEntry entry;
  private final byte[] head;
  private final Path temp;
  private long length;
  private boolean given;
  private boolean abandoned;
  // Tier thread only:
  private @Nullable FileChannel channel;
  private boolean broken;

  DiskWriter(DiskTier tier, String key, CacheEntry entry) {
    this.tier = tier;
    this.key = key;
    this.entry = entry;
    this.head = EntryFile.head(key, entry);
    this.temp = tier.temporary();
    tier.execute(() -> {
      try {
        channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        write(head);
      } catch (IOException e) {
        broke("cannot write " + temp + ": " + e.getMessage());
      }
    });
  }

  /** Appends {@code chunk} (never changed afterwards); false once the store is abandoned (the disk is too slow). */
  boolean append(byte[] chunk) {
    if (abandoned) {
      return false;
    }
    if (!tier.reserve(chunk.length)) {
      tier.failed("the disk is too slow: more than " + (DiskTier.MAX_PENDING_BYTES >> 20) + " MiB wait to be written");
      abort();
      return false;
    }
    length += chunk.length;
    tier.execute(() -> {
      tier.released(chunk.length);
      if (!broken) {
        try {
          write(chunk);
        } catch (IOException e) {
          broke("cannot write " + temp + ": " + e.getMessage());
        }
      }
    });
    return true;
  }

  /**
   * The body is complete: the file is finished and indexed, unless {@code purged} says (once it
   * is in the index) that a purge applied meanwhile selects it; {@code done} is told (on the tier's
   * thread) whether it stayed.
   */
  void commit(java.util.function.BooleanSupplier purged, Consumer<Boolean> done) {
    if (abandoned || given) {
      done.accept(false);
      return;
    }
    given = true;
    long bodyLength = length;
    if (!tier.tryExecute(() -> done.accept(!broken && finish(bodyLength, purged)))) {
      done.accept(false); // closing
    }
  }

  /** Gives up: the partial file goes. */
  void abort() {
    if (abandoned || given) {
      return;
    }
    abandoned = true;
    tier.execute(() -> {
      close();
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        tier.failed("cannot remove " + temp + ": " + e.getMessage());
      }
    });
  }

  private boolean finish(long bodyLength, java.util.function.BooleanSupplier purged) {
    Path file = temp.resolveSibling(Integer.toHexString(key.hashCode()) + "-" + temp.getFileName().toString()
        .replace(DiskTier.TEMP, DiskTier.ENTRY));
    try {
      write(EntryFile.trailer(head, bodyLength));
      close();
      Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      DiskTier.Variant v = new DiskTier.Variant(file, head.length + bodyLength + EntryFile.TRAILER_BYTES, entry.freshness(), entry.varyNames(),
          entry.varyValues(), Purges.tagsOf(entry.headers()));
      tier.add(key, v);
      if (purged.getAsBoolean()) {
        tier.drop(key, v);
        return false;
      }
      return true;
    } catch (IOException e) {
      broke("cannot finish " + temp + ": " + e.getMessage());
      return false;
    }
  }

  private void write(byte[] bytes) throws IOException {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  private void broke(String problem) {
    broken = true;
    tier.failed(problem);
    close();
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      tier.failed("cannot remove " + temp + ": " + e.getMessage());
    }
  }

  private void close() {
    FileChannel ch = channel;
    channel = null;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // nothing more to do with it
      }
    }
  }
}
