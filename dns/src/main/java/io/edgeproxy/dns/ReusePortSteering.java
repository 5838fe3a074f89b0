package io.edgeproxy.dns;

import io.netty.channel.Channel;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.RawUnixChannelOption;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Spreads incoming datagrams evenly over the UDP sockets that share the DNS port.
 *
 * <p>With SO_REUSEPORT the kernel picks a socket by hashing the sender's address and port, so each
 * client flow sticks to one socket and one I/O thread. A DNS server has few, heavy flows (a few
 * caching resolvers or stub resolvers, each on a handful of source ports): four flows over two
 * sockets land 3:1 or 4:0 in five cases out of eight, and one thread then does most of the work
 * while the other idles. A classic BPF program attached to the group (SO_ATTACH_REUSEPORT_CBPF,
 * Linux 4.5+) picks the socket instead. It picks at random: each datagram is independent, the
 * order of answers on one flow does not matter in DNS, and every socket gets an equal share.
 *
 * <p>Epoll only (the option goes through Netty's native socket); where it cannot be attached the
 * kernel's hashing stays, which is correct, only less even.
 */
final class ReusePortSteering {
  private static final int SOL_SOCKET = 1;
  private static final int SO_ATTACH_REUSEPORT_CBPF = 51;
  /** struct sock_fprog on a 64-bit kernel: u16 len, 6 bytes of padding, pointer to the filter. */
  private static final int FPROG_SIZE = 16;
  private static final RawUnixChannelOption ATTACH =
      new RawUnixChannelOption("SO_ATTACH_REUSEPORT_CBPF", SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, FPROG_SIZE);

  // Classic BPF (linux/filter.h): ld [SKF_AD_OFF + SKF_AD_RANDOM]; A %= n; ret A.
  private static final short LD_W_ABS = 0x20;
  private static final short ALU_MOD_K = 0x94;
  private static final short RET_A = 0x16;
  private static final int SKF_AD_RANDOM = -0x1000 + 56;

  private ReusePortSteering() {}

  /**
   * Attaches the program to the reuseport group of {@code member}, which holds {@code sockets}
   * sockets.
   *
   * @return null when attached, else why not (the kernel's hashing then stays in force)
   */
  static String attach(Channel member, int sockets) {
    if (sockets < 2) {
      return "one socket";
    }
    if (!System.getProperty("os.arch", "").contains("64")) {
      return "not a 64-bit platform";
    }
    ByteBuffer filter = ByteBuffer.allocateDirect(3 * 8).order(ByteOrder.nativeOrder());
    instruction(filter, LD_W_ABS, SKF_AD_RANDOM);
    instruction(filter, ALU_MOD_K, sockets);
    instruction(filter, RET_A, 0);
    filter.flip();
    ByteBuffer program = ByteBuffer.allocate(FPROG_SIZE).order(ByteOrder.nativeOrder());
    program.putShort(0, (short) 3);
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
  private static void instruction(ByteBuffer filter, short code, int k) {
    filter.putShort(code).put((byte) 0).put((byte) 0).putInt(k);
  }
}
