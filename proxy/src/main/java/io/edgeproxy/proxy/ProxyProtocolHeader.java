package io.edgeproxy.proxy;

import io.edgeproxy.core.routing.RouteDecision;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a PROXY protocol v2 header to a backend: the client's address and port and the address
 * it connected to, plus one custom TLV ({@value #ROUTE_TLV_TYPE}, ASCII) saying which backend was
 * picked and why ({@link RouteDecision.Reserved#explain()}). The spec (section 2.2.7) reserves
 * 0xE0-0xEF for such application TLVs and requires receivers to ignore types they do not know.
 */
final class ProxyProtocolHeader {
  static final byte ROUTE_TLV_TYPE = (byte) 0xE0;

  private ProxyProtocolHeader() {}

  /**
   * Writes and flushes the header as the first bytes on {@code backend} (flushed at once: with a
   * protocol where the server speaks first, nothing else would flush it). Event loop only.
   */
  static void write(Channel backend, Channel client, RouteDecision.Reserved decision) {
    InetSocketAddress source = (InetSocketAddress) client.remoteAddress();
    InetSocketAddress destination = (InetSocketAddress) client.localAddress();
    boolean v4 = source.getAddress() instanceof Inet4Address && destination.getAddress() instanceof Inet4Address;
    HAProxyTLV route = new HAProxyTLV(ROUTE_TLV_TYPE,
        Unpooled.copiedBuffer(decision.explain(), StandardCharsets.US_ASCII));
    HAProxyMessage header = new HAProxyMessage(
        HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
        v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
        text(source.getAddress(), v4), text(destination.getAddress(), v4),
        source.getPort(), destination.getPort(), List.of(route));
    backend.pipeline().addFirst(HAProxyMessageEncoder.INSTANCE);
    backend.writeAndFlush(header, backend.voidPromise());
    backend.pipeline().remove(HAProxyMessageEncoder.INSTANCE);
  }

  /** The textual form Netty's encoder expects; IPv4 addresses are mapped when the header is TCP6. */
  private static String text(InetAddress address, boolean v4) {
    if (v4 || !(address instanceof Inet4Address)) {
      return address.getHostAddress();
    }
    return "::ffff:" + address.getHostAddress();
  }
}
