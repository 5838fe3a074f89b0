package io.edgeproxy.tunnel;

import java.net.SocketAddress;

/** What a tunnel listener reports: tunnels coming and going, and agents turned away. */
public interface TunnelEvents {
  void connected(Tunnel tunnel);

  void disconnected(Tunnel tunnel);

  /** An agent that was not let in: bad token, token of another app, no hello in time. */
  void refused(SocketAddress agent, String reason);

  /** An agent that broke the protocol (garbage, a stream it may not open) and was disconnected. */
  void misbehaved(SocketAddress agent, String reason);
}
