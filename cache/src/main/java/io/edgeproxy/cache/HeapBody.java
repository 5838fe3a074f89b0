package io.edgeproxy.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * A stored body as heap chunks: never changed, shared by every response served from it without
 * reference counting (each response wraps the chunks in a new buffer).
 */
public final class HeapBody implements Body {
  public static final HeapBody EMPTY = new HeapBody(List.of(), 0);
  private final List<byte[]> chunks;
  private final long length;

  HeapBody(List<byte[]> chunks, long length) {
    this.chunks = chunks;
    this.length = length;
  }

  @Override
  public long length() {
    return length;
  }

  /** The chunks (never changed). */
  List<byte[]> chunks() {
    return chunks;
  }

  /** A new buffer over the chunks (no copy); the caller owns it. */
  public ByteBuf wrap() {
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

    public HeapBody build() {
      return length == 0 ? EMPTY : new HeapBody(List.copyOf(chunks), length);
    }
  }

  /** The readable bytes of {@code part}, copied (its reader index unchanged). */
  static byte[] copyOf(ByteBuf part) {
    byte[] copy = new byte[part.readableBytes()];
    part.getBytes(part.readerIndex(), copy);
    return copy;
  }
}
