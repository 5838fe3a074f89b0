package io.edgeproxy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class UpstreamRepliesTest {
  private static final byte[] QUESTION = WirePackets.question("example.com", 1);
  private static final int QR = 0x8000;

  @Test
  void aReplyMatchesWithTheSameIdAndQuestionInAnyCase() {
    assertThat(answers(reply(0x1234, QR, 1, QUESTION), 0x1234)).isTrue();
    assertThat(answers(reply(0x1234, QR | 0x0200 | 0x0080 | 3, 1, WirePackets.question("ExAmPlE.CoM", 1)), 0x1234))
        .as("TC, RA and NXDOMAIN are the upstream's business; the name matches in any case").isTrue();
  }

  @Test
  void anythingElseDoesNotMatch() {
    assertThat(answers(reply(0x1235, QR, 1, QUESTION), 0x1234)).as("another id").isFalse();
    assertThat(answers(reply(0x1234, 0, 1, QUESTION), 0x1234)).as("a query, not a reply").isFalse();
    assertThat(answers(reply(0x1234, QR | 0x2800, 1, QUESTION), 0x1234)).as("opcode UPDATE").isFalse();
    assertThat(answers(reply(0x1234, QR, 0, new byte[0]), 0x1234)).as("no question").isFalse();
    assertThat(answers(reply(0x1234, QR, 1, WirePackets.question("example.net", 1)), 0x1234)).as("another name").isFalse();
    assertThat(answers(reply(0x1234, QR, 1, WirePackets.question("example.com", 28)), 0x1234)).as("another type").isFalse();
    byte[] https = WirePackets.question("example.com", 'A'); // type 65; type 97 differs from it by ASCII case only
    ByteBuf caseOfType = reply(0x1234, QR, 1, WirePackets.question("example.com", 'a'));
    assertThat(UpstreamReplies.answers(caseOfType, 0x1234, https)).as("type bytes compare exactly").isFalse();
    caseOfType.release();
    assertThat(answers(Unpooled.wrappedBuffer(new byte[] {0x12, 0x34, (byte) 0x80}), 0x1234)).as("shorter than a header").isFalse();
  }

  @Test
  void rcodeIsTheHeadersLowBits() {
    assertThat(UpstreamReplies.rcode(reply(1, QR | 0x0400 | 5, 1, QUESTION))).isEqualTo(Answer.REFUSED);
  }

  private static boolean answers(ByteBuf reply, int id) {
    try {
      return UpstreamReplies.answers(reply, id, QUESTION);
    } finally {
      reply.release();
    }
  }

  private static ByteBuf reply(int id, int flags, int qdCount, byte[] question) {
    return Unpooled.wrappedBuffer(WirePackets.query(id, flags, qdCount, 0, 0, 0, question));
  }
}
