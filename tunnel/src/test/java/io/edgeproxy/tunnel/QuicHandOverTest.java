package io.edgeproxy.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.quic.QuicConnectionIdGenerator;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Connection ids carry their process's generation in their first byte, the byte the steering program reads. */
class QuicHandOverTest {
  @Test
  void everyIdStartsWithTheGenerationAndStaysIdempotent() {
    QuicConnectionIdGenerator ids = QuicHandOver.ids(0xA7);
    ByteBuffer clientChosen = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    ByteBuffer first = ids.newId(clientChosen.duplicate(), 20);
    ByteBuffer again = ids.newId(clientChosen.duplicate(), 20);
    assertThat(first.remaining()).isEqualTo(20);
    assertThat(first.get(0)).isEqualTo((byte) 0xA7);
    assertThat(again).isEqualTo(first); // retransmitted Initials map to the same connection
    assertThat(ids.isIdempotent()).isTrue();
    assertThat(QuicHandOver.ids(3).newId(clientChosen.duplicate(), 20).get(0)).isEqualTo((byte) 3);
  }
}
