package io.edgeproxy.dns;

import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One client query on its way through the upstreams, tried in configured order. Used on the
 * client's event loop only.
 */
final class ForwardedQuery {
  final DnsQuery query;
  /** The query as the client sent it (RD, EDNS and client subnet kept); each try patches its own id in. */
  final byte[] message;
  final ClientReply client;
  private int tried;

  ForwardedQuery(DnsQuery query, byte[] message, ClientReply client) {
    this.query = query;
    this.message = message;
    this.client = client;
  }

  /** The next upstream to try, or null when every one has been tried. */
  @Nullable InetSocketAddress nextUpstream(List<InetSocketAddress> upstreams) {
    return tried < upstreams.size() ? upstreams.get(tried++) : null;
  }

  String describe() {
    return String.join(".", query.labels()) + " (type " + query.qtype() + ")";
  }
}
