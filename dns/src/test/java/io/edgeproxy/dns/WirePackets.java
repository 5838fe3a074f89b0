package io.edgeproxy.dns;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

/** Hand-made DNS packets and raw sockets, for what dig and Netty's client refuse to send. */
final class WirePackets {
  private WirePackets() {}

  /** A query: header with {@code flags} and the counts given, then {@code body}. */
  static byte[] query(int id, int flags, int qd, int an, int ns, int ar, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int v : new int[] {id, flags, qd, an, ns, ar}) {
      out.write(v >> 8);
      out.write(v);
    }
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** Wire name of dotted {@code name} then QTYPE and class IN. */
  static byte[] question(String name, int qtype) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String label : name.split("\\.")) {
      out.write(label.length());
      out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    out.write(0);
    out.write(qtype >> 8);
    out.write(qtype);
    out.write(0);
    out.write(1);
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Sends {@code packet} over UDP; returns the reply, or null when none came within {@code timeoutMs}. */
  static byte[] udp(DatagramSocket socket, InetSocketAddress server, byte[] packet, int timeoutMs) throws IOException {
    socket.setSoTimeout(timeoutMs);
    socket.send(new DatagramPacket(packet, packet.length, server));
    byte[] buf = new byte[65535];
    DatagramPacket reply = new DatagramPacket(buf, buf.length);
    try {
      socket.receive(reply);
    } catch (SocketTimeoutException e) {
      return null;
    }
    return java.util.Arrays.copyOf(buf, reply.getLength());
  }

  static int rcode(byte[] reply) {
    return reply[3] & 0xF;
  }

  static boolean truncated(byte[] reply) {
    return (reply[2] & 0x02) != 0;
  }

  static int answerCount(byte[] reply) {
    return ((reply[6] & 0xFF) << 8) | (reply[7] & 0xFF);
  }

  /** Reads one length-prefixed TCP message; null at end of stream. */
  static byte[] readTcp(InputStream in) throws IOException {
    int hi = in.read();
    int lo = in.read();
    if (hi < 0 || lo < 0) {
      return null;
    }
    return in.readNBytes((hi << 8) | lo);
  }
}
