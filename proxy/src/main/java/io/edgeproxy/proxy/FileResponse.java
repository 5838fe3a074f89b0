package io.edgeproxy.proxy;

import io.edgeproxy.cache.FileBody;
import io.edgeproxy.cache.MemoryBody;
import io.edgeproxy.cache.HttpCache;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A stored body sent from its file in the disk tier: read 64 KiB at a time, at most two parts
 * written and not yet taken by the client, so a large object costs two buffers however slow the
 * client is. The body is never held whole. Event loop only.
 */
final class FileResponse {
  static final int PART = 64 * 1024;
  private static final int IN_FLIGHT = 2;

  private final FrontWire wire;
  private final FileChannel file;
  private final FileBody body;
  private final @Nullable Consumer<ByteBuf> copy;
  private final Consumer<Boolean> done;
  private final Runnable progress;
  private long sent;
  private int inFlight;
  private boolean over;

  /**
   * @param copy given every part as it is sent (a body small enough to keep in memory), or null
   * @param done told once whether the whole body went out (false: the connection must close)
   */
  private FileResponse(FrontWire wire, FileChannel file, FileBody body, @Nullable Consumer<ByteBuf> copy,
      Runnable progress, Consumer<Boolean> done) {
    this.progress = progress;
    this.wire = wire;
    this.file = file;
    this.body = body;
    this.copy = copy;
    this.done = done;
  }

  /** Opens {@code body}'s file: the channel, or why it cannot be (NoSuchFileException: removed from under the cache). */
  static Object open(FileBody body) {
    try {
      return FileChannel.open(body.file(), java.nio.file.StandardOpenOption.READ);
    } catch (IOException e) {
      return e;
    }
  }

  /**
   * Writes the planned head, then the body from {@code file} (which this closes). A body small
   * enough for memory is kept there, read on the way.
   */
  static void send(FrontWire wire, HttpCaching.Plan.Stream planned, FileChannel file, HttpCache cache, String key,
      Runnable progress, Consumer<Boolean> done) {
    FileBody body = planned.body();
    MemoryBody.Collector copy = body.length() <= cache.memoryObjectBytes() ? new MemoryBody.Collector(body.length()) : null;
    wire.write(planned.head());
    FileResponse r = new FileResponse(wire, file, body, copy == null ? null : copy::add, progress, whole -> {
      if (whole && copy != null) {
        cache.promote(key, planned.entry().withBody(copy.build()), body, planned.epoch());
      }
      done.accept(whole);
    });
    for (int i = 0; i < IN_FLIGHT; i++) {
      r.next();
    }
  }

  private void next() {
    if (over || inFlight > 0 && sent == body.length()) {
      return;
    }
    int n = (int) Math.min(PART, body.length() - sent);
    ByteBuf part = wire.alloc().ioBuffer(Math.max(n, 1));
    try {
      while (part.writerIndex() < n) {
        if (part.writeBytes(file, body.offset() + sent + part.writerIndex(), n - part.writerIndex()) < 0) {
          throw new IOException(body.file() + " ends before its body does");
        }
      }
    } catch (IOException e) {
      part.release();
      end(false);
      return;
    }
    sent += n;
    boolean last = sent == body.length();
    if (copy != null && n > 0) {
      copy.accept(part);
    }
    HttpContent msg = last ? new DefaultLastHttpContent(part) : new DefaultHttpContent(part);
    inFlight++;
    ChannelFuture written = wire.writeAndFlush(msg);
    written.addListener(f -> {
      inFlight--;
      progress.run(); // the client is taking it: not idle
      if (!f.isSuccess()) {
        end(false);
      } else if (last) {
        end(true);
      } else {
        next();
      }
    });
  }

  private void end(boolean whole) {
    if (over) {
      return;
    }
    over = true;
    try {
      file.close();
    } catch (IOException e) {
      // read-only: nothing was lost
    }
    done.accept(whole);
  }
}
