package io.edgeproxy.replication.protocol;

import com.google.protobuf.ByteString;
import io.edgeproxy.replication.wire.SnapshotChunk;
import io.edgeproxy.replication.wire.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A routing.db copy on the wire, for a new POP's bootstrap: the sender cuts the file into
 * {@link #CHUNK_BYTES} chunks in order, each carrying the whole size; the {@link Receiver} writes
 * them to a temporary file and says when it is complete, or what was wrong.
 */
final class SnapshotTransfer {
  private static final Logger logger = LoggerFactory.getLogger(SnapshotTransfer.class);
  static final int CHUNK_BYTES = 1 << 20;
  static final long MAX_BYTES = 8L << 30;

  private SnapshotTransfer() {}

  /**
   * {@code file} as chunk messages, in order, the last marked, read as they are taken; a read
   * failure is thrown from {@code next()} (the transfer stops; the receiver retries another time).
   */
  static Iterator<Envelope.Builder> chunks(Path file) {
    return new Iterator<>() {
      private long sent;
      private long total = -1;

      @Override
      public boolean hasNext() {
        return total < 0 || sent < total;
      }

      @Override
      public Envelope.Builder next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        try (FileChannel in = FileChannel.open(file)) {
          total = in.size();
          ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, total - sent));
          while (buffer.hasRemaining() && in.read(buffer, sent + buffer.position()) > 0) {
            // fill the chunk
          }
          buffer.flip();
          sent += buffer.remaining();
          if (buffer.remaining() == 0 && sent < total) {
            throw new IOException("the file shrank while it was sent");
          }
          return Envelope.newBuilder().setSnapshotChunk(SnapshotChunk.newBuilder().setData(ByteString.copyFrom(buffer))
              .setLast(sent >= total).setTotalBytes(total));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
      }
    };
  }

  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      logger.warn("cannot delete {}: {}", file, e.toString());
    }
  }

  /** One incoming copy. Not thread-safe: used on the database thread only. */
  static final class Receiver {
    private @Nullable Path file;
    private @Nullable FileChannel out;
    private long received;
    private long startedNanos;

    /** Where a chunk left the transfer. */
    sealed interface Progress {
      record More() implements Progress {}

      /** The whole file is in {@code file}; the caller merges it, then calls {@link #discard()}. */
      record Complete(Path file) implements Progress {}

      record Refused(String problem) implements Progress {}
    }

    Progress accept(SnapshotChunk chunk, String from) {
      long total = chunk.getTotalBytes();
      int size = chunk.getData().size();
      if (total > MAX_BYTES || received + size > total) {
        return new Progress.Refused("snapshot of " + total + " bytes with " + (received + size) + " received (expected: at most "
            + MAX_BYTES + " bytes, and no more than announced)");
      }
      try {
        if (out == null) {
          file = Files.createTempFile("edgeproxy-bootstrap-", ".db");
          out = FileChannel.open(file, StandardOpenOption.WRITE);
          startedNanos = System.nanoTime();
          logger.info("bootstrap: receiving a snapshot of {} MB from {}", String.format(java.util.Locale.ROOT, "%.1f", total / 1e6),
              from);
        }
        ByteBuffer data = chunk.getData().asReadOnlyByteBuffer();
        while (data.hasRemaining()) {
          out.write(data);
        }
        received += size;
        if (!chunk.getLast()) {
          return new Progress.More();
        }
        out.close();
        out = null;
        logger.info("bootstrap: the snapshot from {} arrived in {} ms", from, (System.nanoTime() - startedNanos) / 1_000_000);
        return received == total ? new Progress.Complete(file)
            : new Progress.Refused("snapshot ended after " + received + " bytes (expected: " + total + ")");
      } catch (IOException e) {
        return new Progress.Refused("cannot store the snapshot from " + from + ": " + e.getMessage());
      }
    }

    /** Drops whatever was received (a finished, failed or cut-off transfer); idempotent. */
    void discard() {
      try {
        if (out != null) {
          out.close();
        }
      } catch (IOException e) {
        logger.debug("closing a partial snapshot: {}", e.toString());
      }
      out = null;
      if (file != null) {
        deleteQuietly(file);
        file = null;
      }
      received = 0;
    }
  }
}
