package io.edgeproxy.dns;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up work that makes the first real queries fast: synthetic queries for names of the first
 * snapshot go over loopback through a throwaway UDP socket on the server's own event loop, with a
 * throwaway responder (its own statistics and cache), before the real sockets are bound. By then
 * the JIT has compiled the datagram path (recvmmsg, the handler, the answer cache, sendmmsg) and
 * the answer path, which otherwise happens under the first seconds of real load. Bounded by a query
 * count and a time budget; a failure only costs the warm-up (logged at DEBUG).
 */
final class DnsWarmUp {
  private static final Logger logger = LoggerFactory.getLogger(DnsWarmUp.class);
  private static final int BATCH = 32;

  private DnsWarmUp() {}

  /**
   * Runs up to {@code queries} synthetic queries, for at most {@code budgetMillis}. Blocks the
   * caller (never an event loop).
   *
   * @return the queries answered
   */
  static int run(DnsTransport transport, DnsResponder responder, ZoneView view, List<String> zone,
      int queries, long budgetMillis) {
    if (queries <= 0) {
      return 0;
    }
    List<byte[]> messages = messages(view, zone);
    List<Channel> channels = new ArrayList<>();
    long deadline = System.nanoTime() + budgetMillis * 1_000_000;
    int answered = 0;
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    try (DatagramSocket client = new DatagramSocket(loopback)) {
      for (EventLoop loop : transport.loops()) { // every loop, as the real sockets use them all
        channels.add(DnsServer.udpBootstrap(transport, loop, new UdpDnsHandler(responder), transport.datagramFactory(loopback.getAddress())).bind(loopback).syncUninterruptibly().channel());
      }
      client.setSoTimeout(1000);
      DatagramPacket reply = new DatagramPacket(new byte[DnsServer.MAX_DATAGRAM], DnsServer.MAX_DATAGRAM);
      for (int sent = 0; sent < queries && System.nanoTime() - deadline < 0; ) {
        for (int i = 0; i < BATCH; i++, sent++) {
          byte[] m = messages.get(sent % messages.size());
          m[0] = (byte) (sent >> 8);
          m[1] = (byte) sent;
          client.send(new DatagramPacket(m, m.length, channels.get(i % channels.size()).localAddress()));
        }
        for (int i = 0; i < BATCH; i++, answered++) {
          client.receive(reply);
        }
      }
    } catch (SocketTimeoutException e) {
      logger.debug("DNS warm-up: an answer did not come within 1 s, stopping after {} answers", answered);
    } catch (IOException | RuntimeException e) {
      logger.debug("DNS warm-up failed after {} answers: {}", answered, e.toString());
    } finally {
      channels.forEach(ch -> ch.close().syncUninterruptibly());
    }
    return answered;
  }

  /** Queries the server answers from the zone: A, AAAA and SRV of a few apps, the apex, a missing name; with and without EDNS. */
  static List<byte[]> messages(ZoneView view, List<String> zone) {
    List<List<String>> names = new ArrayList<>();
    List<Integer> types = new ArrayList<>();
    for (String app : view.appNames()) {
      if (names.size() >= 24) {
        break;
      }
      List<String> labels = List.of(app.split("\\.", -1));
      if (!labels.stream().allMatch(DnsWarmUp::plainLabel)) {
        continue;
      }
      names.add(labels);
      types.add(Rr.TYPE_A);
      names.add(labels);
      types.add(Rr.TYPE_AAAA);
      if (labels.size() == 1) {
        names.add(List.of("_" + app, "_tcp"));
        types.add(Rr.TYPE_SRV);
      }
    }
    names.add(List.of());
    types.add(Rr.TYPE_SOA);
    names.add(List.of("no-such-name-warm-up"));
    types.add(Rr.TYPE_A);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      out.add(query(names.get(i), zone, types.get(i), false));
      out.add(query(names.get(i), zone, types.get(i), true));
    }
    return out;
  }

  private static boolean plainLabel(String label) {
    return !label.isEmpty() && label.length() <= 60 && label.chars().allMatch(c -> c > ' ' && c < 127);
  }

  private static byte[] query(List<String> rel, List<String> zone, int type, boolean edns) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.writeBytes(new byte[] {0, 0, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, (byte) (edns ? 1 : 0)}); // RD, QDCOUNT 1
    for (String label : rel) {
      writeLabel(out, label);
    }
    for (String label : zone) {
      writeLabel(out, label);
    }
    out.writeBytes(new byte[] {0, (byte) (type >> 8), (byte) type, 0, 1});
    if (edns) { // OPT: root owner, payload 1232, no options
      out.writeBytes(new byte[] {0, 0, (byte) Rr.TYPE_OPT, 0x04, (byte) 0xD0, 0, 0, 0, 0, 0, 0});
    }
    return out.toByteArray();
  }

  private static void writeLabel(ByteArrayOutputStream out, String label) {
    byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
    out.write(bytes.length);
    out.writeBytes(bytes);
  }
}
