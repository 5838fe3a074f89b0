package io.edgeproxy.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.RawUnixChannelOption;
import io.netty.handler.codec.quic.QuicConnectionIdGenerator;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jspecify.annotations.Nullable;

/**
 * What lets two processes share the tunnel listener's UDP port during a hand-over without breaking
 * each other's QUIC connections. The listener's socket is in an SO_REUSEPORT group; every
 * connection id this POP issues starts with its process's <em>generation</em> byte
 * ({@link #ids}); when a new process is about to join, the running one attaches a classic BPF
 * program to the group ({@link #steer}) that sends packets with a long header (a new connection's
 * Initial) to the group's second socket, the new process's, and packets with a short header to
 * the first, the running process's, when their destination id carries its generation. While the
 * second socket is absent (and after the first has closed) the kernel's index check falls back to
 * its hash over the sockets there are: one socket takes everything.
 */
public final class QuicHandOver {
  private static final int SOL_SOCKET = 1;
  private static final int SO_ATTACH_REUSEPORT_CBPF = 51;
  /** struct sock_fprog on a 64-bit kernel: u16 len, 6 bytes of padding, pointer to the filter. */
  private static final int FPROG_SIZE = 16;
  private static final RawUnixChannelOption ATTACH =
      new RawUnixChannelOption("SO_ATTACH_REUSEPORT_CBPF", SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, FPROG_SIZE);
  // classic BPF (linux/filter.h): ld b abs, jset k, jeq k, ret k
  private static final short LDB_ABS = 0x30;
  private static final short JSET_K = 0x45;
  private static final short JEQ_K = 0x15;
  private static final short RET_K = 0x06;

  private QuicHandOver() {}

  /** Connection ids that start with {@code generation} (0-255), the rest as Netty's signed ids. */
  static QuicConnectionIdGenerator ids(int generation) {
    QuicConnectionIdGenerator signed = QuicConnectionIdGenerator.signGenerator();
    return new QuicConnectionIdGenerator() {
      @Override
      public ByteBuffer newId(int length) {
        return mark(signed.newId(length));
      }

      @Override
      public ByteBuffer newId(ByteBuffer input, int length) {
        return mark(signed.newId(input, length));
      }

      @Override
      public ByteBuffer newId(ByteBuffer scid, ByteBuffer dcid, int length) {
        return mark(signed.newId(scid, dcid, length));
      }

      @Override
      public int maxConnectionIdLength() {
        return signed.maxConnectionIdLength();
      }

      @Override
      public boolean isIdempotent() {
        return signed.isIdempotent();
      }

      private ByteBuffer mark(ByteBuffer id) {
        byte[] bytes = new byte[id.remaining()];
        id.duplicate().get(bytes);
        if (bytes.length > 0) {
          bytes[0] = (byte) generation;
        }
        return ByteBuffer.wrap(bytes);
      }
    };
  }

  /**
   * Attaches the steering program to the SO_REUSEPORT group of {@code member}, whose process issues
   * ids of {@code generation} and holds the group's first socket.
   *
   * @return null when attached, else why not
   */
  static @Nullable String steer(Channel member, int generation) {
    ByteBuffer filter = ByteBuffer.allocateDirect(6 * 8).order(ByteOrder.nativeOrder());
    instruction(filter, LDB_ABS, 0, 0, 0); //     A = payload[0]
    instruction(filter, JSET_K, 3, 0, 0x80); //   long header: a new connection -> the new process
    instruction(filter, LDB_ABS, 0, 0, 1); //     A = payload[1], the destination id's first byte
    instruction(filter, JEQ_K, 0, 1, generation);
    instruction(filter, RET_K, 0, 0, 0); //       ours -> the first socket
    instruction(filter, RET_K, 0, 0, 1); //       anything else -> the second
    filter.flip();
    ByteBuffer program = ByteBuffer.allocate(FPROG_SIZE).order(ByteOrder.nativeOrder());
    program.putShort(0, (short) 6);
    program.putLong(8, Buffer.memoryAddress(filter));
    try {
      return member.config().setOption(ATTACH, program) ? null : "not supported by " + member.getClass().getSimpleName();
    } catch (RuntimeException | LinkageError e) {
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    } finally {
      Reference.reachabilityFence(filter); // the kernel reads it during setsockopt
    }
  }

  /** struct sock_filter: u16 code, u8 jt, u8 jf, u32 k. */
  private static void instruction(ByteBuffer filter, short code, int jt, int jf, int k) {
    filter.putShort(code).put((byte) jt).put((byte) jf).putInt(k);
  }
}
