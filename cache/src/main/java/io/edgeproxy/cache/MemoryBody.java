package io.edgeproxy.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A stored body in memory: never changed, shared by every response served from it without
 * reference counting (each response wraps it in a new buffer). Bodies of {@link #DIRECT_MIN} bytes
 * or more are one direct buffer, written to sockets without a copy (a heap body is copied into
 * direct memory on every write: 1 MiB per hit of a 1 MiB object); smaller ones stay heap chunks.
 * The direct buffer's memory is the JDK's, freed when the last response using it is gone.
 */
public final class MemoryBody implements Body {
  public static final MemoryBody EMPTY = new MemoryBody(List.of(), 0);
  /** The smallest body kept in direct memory. */
  static final int DIRECT_MIN = 16 * 1024;
  private final List<byte[]> chunks; // empty when direct
  private final java.nio.@Nullable ByteBuffer direct; // read-only
  private final long length;

  MemoryBody(List<byte[]> chunks, long length) {
    this.chunks = chunks;
    this.direct = null;
    this.length = length;
  }

  private MemoryBody(java.nio.ByteBuffer direct) {
    this.chunks = List.of();
    this.direct = direct.asReadOnlyBuffer();
    this.length = direct.remaining();
  }

  /** {@code chunks} of {@code length} bytes as a body: one direct buffer when large and the JVM's direct memory allows. */
  static MemoryBody of(List<byte[]> chunks, long length) {
    if (length < DIRECT_MIN || length > Integer.MAX_VALUE) {
      return length == 0 ? EMPTY : new MemoryBody(List.copyOf(chunks), length);
    }
    java.nio.ByteBuffer d;
    try {
      d = java.nio.ByteBuffer.allocateDirect((int) length);
    } catch (OutOfMemoryError e) {
      return new MemoryBody(List.copyOf(chunks), length); // MaxDirectMemorySize reached: heap chunks
    }
    for (byte[] c : chunks) {
      d.put(c);
    }
    return new MemoryBody(d.flip());
  }

  @Override
  public long length() {
    return length;
  }

  /** The bytes as chunks (a copy when the body is direct: for the rare write of a refreshed entry to disk). */
  List<byte[]> chunks() {
    if (direct == null) {
      return chunks;
    }
    byte[] all = new byte[(int) length];
    direct.duplicate().get(all);
    return List.of(all);
  }

  /** A new buffer over the body (no copy); the caller owns it. */
  public ByteBuf wrap() {
    if (direct != null) {
      return Unpooled.wrappedBuffer(direct.duplicate());
    }
    return chunks.isEmpty() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(chunks.toArray(byte[][]::new));
  }

  /** Collects a body as it streams in; {@link #add} returns false once it grew past {@code limit}. */
  public static final class Collector {
    private final long limit;
    private final List<byte[]> chunks = new ArrayList<>();
    private long length;

    public Collector(long limit) {
      this.limit = limit;
    }

    /** Copies the readable bytes of {@code part} (its reader index unchanged); false once over the limit. */
    public boolean add(ByteBuf part) {
      return add(copyOf(part));
    }

    /** Adds {@code chunk}, never changed afterwards; false once over the limit. */
    boolean add(byte[] chunk) {
      if (length + chunk.length > limit) {
        return false;
      }
      if (chunk.length > 0) {
        chunks.add(chunk);
        length += chunk.length;
      }
      return true;
    }

    public MemoryBody build() {
      return MemoryBody.of(chunks, length);
    }
  }

  /** The readable bytes of {@code part}, copied (its reader index unchanged). */
  static byte[] copyOf(ByteBuf part) {
    byte[] copy = new byte[part.readableBytes()];
    part.getBytes(part.readerIndex(), copy);
    return copy;
  }
}
