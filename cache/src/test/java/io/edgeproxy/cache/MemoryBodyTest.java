package io.edgeproxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class MemoryBodyTest {
  private static MemoryBody collect(int length) {
    MemoryBody.Collector c = new MemoryBody.Collector(1 << 20);
    for (int at = 0; at < length; at += 1000) {
      byte[] part = new byte[Math.min(1000, length - at)];
      for (int i = 0; i < part.length; i++) {
        part[i] = (byte) (at + i);
      }
      c.add(Unpooled.wrappedBuffer(part));
    }
    return c.build();
  }

  @Test
  void aLargeBodyIsOneDirectBufferEveryResponseWrapsWithoutCopyingOrSharingItsIndexes() {
    MemoryBody body = collect(100_000);
    ByteBuf first = body.wrap();
    ByteBuf second = body.wrap();
    assertThat(first.isDirect()).isTrue();
    assertThat(first.readableBytes()).isEqualTo(100_000);
    first.skipBytes(5_000); // one response's progress is not another's
    assertThat(second.readableBytes()).isEqualTo(100_000);
    byte[] bytes = ByteBufUtil.getBytes(second);
    for (int i = 0; i < bytes.length; i++) {
      assertThat(bytes[i]).isEqualTo((byte) i);
    }
    first.release();
    second.release();
    assertThat(body.wrap().readableBytes()).as("released wrappers free nothing of the body").isEqualTo(100_000);
    assertThat(body.chunks()).hasSize(1).first().satisfies(c -> assertThat(c).hasSize(100_000));
  }

  @Test
  void aSmallBodyStaysOnTheHeap() {
    MemoryBody body = collect(MemoryBody.DIRECT_MIN - 1);
    assertThat(body.wrap().isDirect()).isFalse();
    assertThat(body.length()).isEqualTo(MemoryBody.DIRECT_MIN - 1);
    assertThat(collect(0)).isSameAs(MemoryBody.EMPTY);
  }
}
