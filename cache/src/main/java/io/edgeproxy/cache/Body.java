package io.edgeproxy.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * A stored body as heap chunks: never changed, shared by every response served from it without
 * reference counting (each response wraps the chunks in a new buffer).
 */
public final class Body {
  public static final Body EMPTY = new Body(List.of(), 0);
  private final List<byte[]> chunks;
  private final long length;

  private Body(List<byte[]> chunks, long length) {
    this.chunks = chunks;
    this.length = length;
  }

  public long length() {
    return length;
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
      int n = part.readableBytes();
      if (length + n > limit) {
        return false;
      }
      if (n > 0) {
        byte[] copy = new byte[n];
        part.getBytes(part.readerIndex(), copy);
        chunks.add(copy);
        length += n;
      }
      return true;
    }

    public Body build() {
      return length == 0 ? EMPTY : new Body(List.copyOf(chunks), length);
    }
  }
}
