package io.edgeproxy.dns;

import io.netty.buffer.ByteBuf;

/**
 * Checks a reply from an upstream resolver against the query sent (RFC 5452 section 9.1: the
 * same id, the same question, from the address asked), and reads its RCODE. Pure.
 */
final class UpstreamReplies {
  private static final int QR = 0x8000;

  private UpstreamReplies() {}

  /**
   * True when the readable bytes of {@code reply} are a response (QR, opcode QUERY, one question)
   * with {@code id} and {@code question} (name compared in ASCII lower case, RFC 4343; type and
   * class exactly). Does not move the reader index.
   */
  static boolean answers(ByteBuf reply, int id, byte[] question) {
    int start = reply.readerIndex();
    if (reply.readableBytes() < QueryParser.HEADER_LENGTH + question.length) {
      return false;
    }
    int flags = reply.getUnsignedShort(start + 2);
    if (reply.getUnsignedShort(start) != id || (flags & QR) == 0 || ((flags >> 11) & 0xF) != 0
        || reply.getUnsignedShort(start + 4) != 1) {
      return false;
    }
    int nameLength = question.length - 4;
    int at = start + QueryParser.HEADER_LENGTH;
    for (int i = 0; i < question.length; i++) {
      int got = reply.getUnsignedByte(at + i);
      int sent = question[i] & 0xFF;
      if (got != sent && (i >= nameLength || lower(got) != lower(sent))) {
        return false;
      }
    }
    return true;
  }

  /** The header RCODE (the low 4 bits; extended bits in an OPT record are not read). */
  static int rcode(ByteBuf reply) {
    return reply.getUnsignedByte(reply.readerIndex() + 3) & 0xF;
  }

  private static int lower(int b) {
    return b >= 'A' && b <= 'Z' ? b + 32 : b;
  }
}
