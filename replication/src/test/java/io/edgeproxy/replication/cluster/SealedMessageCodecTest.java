package io.edgeproxy.replication.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalecube.cluster.transport.api.Message;
import io.scalecube.cluster.transport.api.MessageCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SealedMessageCodecTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private final SealedMessageCodec codec = new SealedMessageCodec(MessageCodec.INSTANCE, KEY, "edge");

  private static byte[] seal(SealedMessageCodec codec, String data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    codec.serialize(Message.builder().qualifier("q").data(data).build(), out);
    return out.toByteArray();
  }

  private String open(byte[] frame) throws Exception {
    return codec.deserialize(new ByteArrayInputStream(frame)).data();
  }

  @Test
  void aMessageSurvivesTheRoundTripAndTwoSealsOfOneMessageDiffer() throws Exception {
    byte[] first = seal(codec, "hello");
    byte[] second = seal(codec, "hello");
    assertThat(open(first)).isEqualTo("hello");
    assertThat(open(second)).isEqualTo("hello");
    assertThat(first).isNotEqualTo(second); // a fresh nonce each time
  }

  @Test
  void anotherClusterKeyOrNameOrATamperedFrameIsRejectedAndCounted() throws Exception {
    byte[] otherKey = seal(new SealedMessageCodec(MessageCodec.INSTANCE, "another key of 32 bytes, exactly".getBytes(StandardCharsets.US_ASCII), "edge"), "x");
    byte[] otherName = seal(new SealedMessageCodec(MessageCodec.INSTANCE, KEY, "other"), "x");
    byte[] tampered = seal(codec, "x");
    tampered[tampered.length - 1] ^= 1;
    for (byte[] bad : List.of(otherKey, otherName, tampered)) {
      assertThatThrownBy(() -> open(bad)).isInstanceOf(SealedMessageCodec.GossipRejectedException.class)
          .hasMessageContaining("failed authentication");
    }
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    MessageCodec.INSTANCE.serialize(Message.builder().qualifier("q").data("x").build(), plain);
    assertThatThrownBy(() -> open(plain.toByteArray())).isInstanceOf(SealedMessageCodec.GossipRejectedException.class)
        .hasMessageContaining("without the edgeproxy seal");
    assertThat(codec.rejectedTotal()).isEqualTo(4);
    assertThat(open(seal(codec, "still fine"))).isEqualTo("still fine"); // a failed open leaves the thread's cipher usable
  }

  @Test
  void threadsSealingAndOpeningAtOnceEachGetTheirOwnMessages() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        results.add(pool.submit((Callable<Boolean>) () -> {
          for (int i = 0; i < 500; i++) {
            String data = "thread " + thread + " message " + i;
            if (!open(seal(codec, data)).equals(data)) {
              return false;
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> r : results) {
        assertThat(r.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
